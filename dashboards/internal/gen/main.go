// Command gen writes touchprobe's dashboards (dashboards/internal/boards) as
// the JSON files the dashboards package embeds. Run it as
//
//	go generate ./dashboards/...
//
// which runs it in dashboards/; -dir writes elsewhere.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/touchprobe/touchprobe/dashboards/internal/boards"
)

func main() {
	dir := flag.String("dir", ".", "where to write the dashboards")
	flag.Parse()
	for _, b := range boards.All {
		out, err := boards.Render(b)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
		if err := os.WriteFile(filepath.Join(*dir, b.File), out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
			os.Exit(1)
		}
	}
}
