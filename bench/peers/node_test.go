package peers

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// node runs one of the peer scripts in this folder and reads its JSON lines.
func node(t *testing.T, script string, args ...string) series {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", append([]string{script}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s %s: %v\n%s", script, strings.Join(args, " "), err, stderr.String())
	}
	var s series
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var v visit
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("node %s: bad line %q: %v", script, sc.Text(), err)
		}
		if v.Wall <= 0 || v.FCP <= 0 || v.LCP <= 0 {
			t.Errorf("node %s %s: a visit without wall, FCP or LCP: %s", script, args[0], sc.Text())
		}
		s = append(s, v)
	}
	return s
}
