package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
)

// TestVisitFromConfig: `visit -config FILE -target NAME` visits the
// configured target in the real Chromium with the config's settings: its
// name, its user agent marker, touchpoints it turns off left alone, and a
// touchpoint it names that is missing makes the visit fail.
func TestVisitFromConfig(t *testing.T) {
	s, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	file := writeFile(t, "visit.yml", fmt.Sprintf(`global:
  user_agent_marker: cfgtest-marker
  timeout: 45s
targets:
  - name: fixture
    url: %s/?phone=1
    contact_form: false
    chat: false
    phone: true   # on the page
    email: true   # not on the page: a configured touchpoint that is missing
`, s.URL))
	stdout, stderr, code := runCmd("visit", "-config", file, "-target", "fixture", "-json")
	var res checks.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("visit output is no JSON (%v); exit %d\nstdout %s\nstderr %s", err, code, stdout, stderr)
	}
	if res.Target != "fixture" {
		t.Errorf("target %q, want the config's name", res.Target)
	}
	if tp := res.Touchpoints["phone"]; !tp.Up || !tp.Required {
		t.Errorf("phone %+v, want up and required", tp)
	}
	if tp := res.Touchpoints["email"]; tp.Up || tp.Reason != checks.ReasonEmailMissing || !tp.Required {
		t.Errorf("email %+v, want missing and required", tp)
	}
	for _, off := range []string{"contact_form", "chat"} {
		if tp, ok := res.Touchpoints[off]; ok {
			t.Errorf("%s is off in the config, yet checked: %+v", off, tp)
		}
	}
	if res.Verdict != checks.Problematic || code != exitFailed {
		t.Errorf("verdict %s, exit %d; want problematic, %d (reasons %+v)", res.Verdict, code, exitFailed, res.Reasons)
	}
	marker := false
	s.Stats().UserAgents.Range(func(k, _ any) bool {
		marker = marker || strings.Contains(fmt.Sprint(k), "cfgtest-marker")
		return true
	})
	if !marker {
		t.Error("the fixture never saw the config's user_agent_marker")
	}
}

// TestVisitFromConfigRefuses: an unknown target and a target in the deny
// networks are usage errors, before any browser starts.
func TestVisitFromConfigRefuses(t *testing.T) {
	file := writeFile(t, "refuse.yml", `global:
  deny_networks: [127.0.0.0/8, "::1"]
targets:
  - name: ok
    url: http://10.255.255.1:1/
  - name: denied
    url: http://localhost:1/   # resolved when visited
`)
	_, stderr, code := runCmd("visit", "-config", file, "-target", "nope")
	if code != exitUsage || !strings.Contains(stderr, `no target "nope" (targets: ok, denied)`) {
		t.Errorf("unknown target: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd("visit", "-config", file, "-target", "denied")
	if code != exitUsage || !strings.Contains(stderr, file+":6: targets denied: localhost resolves to ") ||
		!strings.HasSuffix(stderr, ": address is in deny_networks\n") {
		t.Errorf("denied target: exit %d, stderr %q", code, stderr)
	}
	_, stderr, code = runCmd("visit", "-config", writeFile(t, "bad.yml", "targets: [{name: x}]\n"), "-target", "x")
	if code != exitUsage || !strings.Contains(stderr, "bad.yml:1: targets[0].url: missing") {
		t.Errorf("bad config: exit %d, stderr %q", code, stderr)
	}
}
