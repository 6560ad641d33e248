package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDashboardsCommand(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := dispatch([]string{"dashboards", "-out", dir}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	for _, rel := range []string{
		"grafana/dashboards/first-20-seconds.json",
		"grafana/dashboards/prober-health.json",
		"grafana/provisioning/datasources/touchprobe.yml",
		"grafana/provisioning/dashboards/touchprobe.yml",
		"prometheus/rules/touchprobe.rules.yml",
	} {
		p := filepath.Join(dir, rel)
		if b, err := os.ReadFile(p); err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", rel, err, len(b))
		}
		if !strings.Contains(stdout.String(), p+"\n") {
			t.Errorf("stdout does not list %s:\n%s", p, stdout.String())
		}
	}
}

func TestDashboardsUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, exitOK, "-out"},
		{nil, exitUsage, "Usage: touchprobe dashboards"},
		{[]string{"-out"}, exitUsage, "-out"},
		{[]string{"-out", t.TempDir(), "extra"}, exitUsage, "Usage"},
		{[]string{"-bogus"}, exitUsage, "bogus"},
		{[]string{"-out", filepath.Join(file, "sub")}, exitUsage, "a-file"},
	} {
		var stdout, stderr bytes.Buffer
		code := dispatch(append([]string{"dashboards"}, c.args...), &stdout, &stderr)
		if code != c.code || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("dashboards %v: exit %d, stderr %q; want %d mentioning %q", c.args, code, stderr.String(), c.code, c.want)
		}
	}
}
