// Package harcheck holds an independent HAR 1.2 reader for the tests (the
// npm package har-validator, pinned in package.json and installed by
// scripts/setup.sh): a HAR touchprobe writes must open in a reader that is
// not ours.
package harcheck

import (
	"os"
	"path/filepath"
	"runtime"
)

// Script is the path of validate.js, which reads a HAR file and prints
// {"valid": …, "entries": …}; Installed says whether its npm packages are.
func Script() (path string, installed bool) {
	_, self, _, _ := runtime.Caller(0)
	dir := filepath.Dir(self)
	_, err := os.Stat(filepath.Join(dir, "node_modules", "har-validator"))
	return filepath.Join(dir, "validate.js"), err == nil
}
