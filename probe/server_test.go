package probe

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestServerRoutes(t *testing.T) {
	fp := &fakeProber{targets: []TargetState{{Name: "acme", URL: "http://127.0.0.1:1/"}}, ready: false}
	h := NewServer(fp, prometheus.NewRegistry(), ServerOptions{})
	do := func(method, url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, url, nil))
		return rec
	}
	cases := []struct {
		method, url string
		code        int
		body        string
	}{
		{"GET", "/-/healthy", 200, "OK"},
		{"GET", "/-/ready", 503, "not ready"},
		{"GET", "/-/reload", 405, "POST"},
		{"POST", "/-/reload", 200, "reloaded"},
		{"GET", "/probe", 400, "missing target"},
		{"GET", "/probe?url=http://evil.example/", 400, "url is not accepted"},
		{"GET", "/probe?target=acme&url=http://evil.example/", 400, "url is not accepted"},
		{"GET", "/probe?target=nope", 404, "unknown target"},
		{"GET", "/probe?target=acme", 200, "touchprobe_visit_success"},
		{"GET", "/probe?target=acme&debug=true", 200, "visited acme"},
		{"GET", "/filmstrip?target=acme&frame=0", 404, ""},
	}
	for _, c := range cases {
		rec := do(c.method, c.url)
		if rec.Code != c.code || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: %d %q, want %d containing %q", c.method, c.url, rec.Code, rec.Body.String(), c.code, c.body)
		}
	}
	if len(fp.probed) != 2 {
		t.Errorf("visits = %v, want acme twice", fp.probed)
	}
	fp.ready, fp.reloadErr = true, errors.New("config.yml:3: bad")
	if rec := do("GET", "/-/ready"); rec.Code != 200 {
		t.Errorf("ready: %d", rec.Code)
	}
	if rec := do("POST", "/-/reload"); rec.Code != 500 || !strings.Contains(rec.Body.String(), "config.yml:3") {
		t.Errorf("bad reload: %d %q", rec.Code, rec.Body.String())
	}
}
