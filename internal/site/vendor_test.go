package site

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

type fakeTB struct{ failed string }

func (f *fakeTB) Helper()                        {}
func (f *fakeTB) Fatalf(format string, a ...any) { f.failed = fmt.Sprintf(format, a...) }

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMissingThirdPartyFailsLoudly(t *testing.T) {
	s := startSite(t)
	t.Setenv(VendorEnv, t.TempDir())
	var tb fakeTB
	RequireThirdParty(&tb)
	if !strings.Contains(tb.failed, "run scripts/setup.sh") {
		t.Fatalf("RequireThirdParty without the packages: %q", tb.failed)
	}
	for _, p := range []string{"/3p/cookieconsent", "/3p/cookieconsent-wall", "/3p/klaro", "/3p/osano", "/3p/botui", "/3p/chatwidget", "/3p/theme", "/3p/theme/contact", "/fx/phone", "/vendor/klaro/dist/klaro.js"} {
		code, body := get(t, s.URL+p)
		if code != http.StatusInternalServerError || !strings.Contains(body, "run scripts/setup.sh") {
			t.Errorf("%s without the packages: %d %q", p, code, body)
		}
	}
	// Our own pages need nothing from npm.
	if code, _ := get(t, s.URL+"/fx/late-consent"); code != http.StatusOK {
		t.Errorf("/fx/late-consent: %d", code)
	}
}

func TestVendorServesTheInstalledPackages(t *testing.T) {
	RequireThirdParty(t)
	s := startSite(t)
	for _, f := range vendorFiles {
		if code, _ := get(t, s.URL+"/vendor/"+f); code != http.StatusOK {
			t.Errorf("/vendor/%s: %d", f, code)
		}
	}
	if code, _ := get(t, s.URL+"/vendor/nope/nothing.js"); code != http.StatusNotFound {
		t.Errorf("a missing vendor file: %d", code)
	}
	if code, _ := get(t, s.URL+"/vendor/../site.go"); code == http.StatusOK {
		t.Error("/vendor/ serves files outside node_modules")
	}
	// The third site answers too.
	if code, _ := get(t, s.ThirdPartyURL+"/fx/tp.js"); code != http.StatusOK {
		t.Errorf("%s/fx/tp.js: %d", s.ThirdPartyURL, code)
	}
}
