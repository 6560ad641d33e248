package site

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// VendorEnv names the environment variable that overrides where the
// third-party packages are: the node_modules directory that
// scripts/setup-fixtures.sh fills from internal/site/thirdparty.
const VendorEnv = "TOUCHPROBE_FIXTURE_VENDOR"

// setupHint is what a page that needs the third-party code says when it is
// missing, and what RequireThirdParty fails a test with.
const setupHint = "the fixture's third-party packages are not installed: run scripts/setup.sh (it runs scripts/setup-fixtures.sh: npm ci in internal/site/thirdparty)"

// vendorFiles are the files the third-party fixtures load; all present means
// the install is usable.
var vendorFiles = []string{
	"vanilla-cookieconsent/dist/cookieconsent.umd.js",
	"vanilla-cookieconsent/dist/cookieconsent.css",
	"klaro/dist/klaro.js",
	"cookieconsent/build/cookieconsent.min.js",
	"cookieconsent/build/cookieconsent.min.css",
	"botui/build/botui.min.js",
	"botui/build/botui.min.css",
	"botui/build/botui-theme-default.css",
	"vue/dist/vue.min.js",
	"react/umd/react.production.min.js",
	"react-dom/umd/react-dom.production.min.js",
	"react-chat-widget/lib/index.js",
	"react-chat-widget/lib/styles.css",
	"bootstrap/dist/js/bootstrap.bundle.min.js",
	"bootstrap-icons/font/bootstrap-icons.css",
	"simplelightbox/dist/simple-lightbox.min.js",
	"simplelightbox/dist/simple-lightbox.min.css",
	"startbootstrap-creative/dist/index.html",
	"startbootstrap-creative/dist/css/styles.css",
	"startbootstrap-creative/dist/js/scripts.js",
}

var (
	vendorOnce sync.Once
	vendorDir  string
)

// VendorDir is the node_modules directory served under /vendor/: $TOUCHPROBE_FIXTURE_VENDOR
// when set, else internal/site/thirdparty/node_modules next to this source
// file, else (a binary built with -trimpath) the same path found from the
// working directory upwards.
func VendorDir() string {
	if d := os.Getenv(VendorEnv); d != "" {
		return d
	}
	vendorOnce.Do(func() {
		rel := filepath.Join("thirdparty", "node_modules")
		if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
			vendorDir = filepath.Join(filepath.Dir(file), rel)
			if _, err := os.Stat(vendorDir); err == nil {
				return
			}
		}
		wd, err := os.Getwd()
		for err == nil {
			d := filepath.Join(wd, "internal", "site", rel)
			if _, serr := os.Stat(d); serr == nil {
				vendorDir = d
				return
			}
			up := filepath.Dir(wd)
			if up == wd {
				break
			}
			wd = up
		}
		if vendorDir == "" {
			vendorDir = filepath.Join("internal", "site", rel)
		}
	})
	return vendorDir
}

// ThirdPartyMissing returns nil when the third-party packages are installed,
// else an error that says what is missing and how to install it.
func ThirdPartyMissing() error {
	dir := VendorDir()
	var missing []string
	for _, f := range vendorFiles {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(f))); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if len(missing) > 3 {
		missing = append(missing[:3], fmt.Sprintf("and %d more", len(missing)-3))
	}
	return fmt.Errorf("%s; missing under %s: %s", setupHint, dir, strings.Join(missing, ", "))
}

// TB is the part of testing.TB that RequireThirdParty needs (the package
// does not import testing: the demo daemon links it).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
}

// RequireThirdParty fails the test (it does not skip it) when the third-party
// packages are not installed, telling to run scripts/setup.sh.
func RequireThirdParty(t TB) {
	t.Helper()
	if err := ThirdPartyMissing(); err != nil {
		t.Fatalf("%v", err)
	}
}

// needThirdParty answers 500 with the setup hint when the packages are
// missing; it returns false then.
func needThirdParty(w http.ResponseWriter) bool {
	if err := ThirdPartyMissing(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return false
	}
	return true
}

// serveVendor serves node_modules under /vendor/. ?delay=MS holds a file back.
func serveVendor(w http.ResponseWriter, r *http.Request) {
	if !needThirdParty(w) {
		return
	}
	if !sleep(r, atoi(r.URL.Query(), "delay")) {
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/vendor/")
	if name == "" || strings.Contains(name, "..") {
		http.NotFound(w, r)
		return
	}
	p := filepath.Join(VendorDir(), filepath.FromSlash(name))
	fi, err := os.Stat(p)
	if err != nil || fi.IsDir() {
		if errors.Is(err, os.ErrNotExist) || err == nil {
			http.NotFound(w, r)
			return
		}
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	f, err := os.Open(p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	// ServeContent, not ServeFile: no redirect of .../index.html.
	http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
}
