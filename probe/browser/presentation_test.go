package browser_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// envReport visits /fx/env with s and returns what the page's scripts
// reported to the fixture (its own record, not ours).
func envReport(t *testing.T, s *browser.Supervisor) site.EnvReport {
	t.Helper()
	before := len(fixture.Stats().EnvReports())
	obs := visitWith(t, s, fixture.URL+"/fx/env", browser.NavOptions{})
	deadline := time.Now().Add(5 * time.Second)
	for len(fixture.Stats().EnvReports()) == before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reps := fixture.Stats().EnvReports()
	if len(reps) == before {
		t.Fatalf("the page reported nothing (marks %v)", obs.marks)
	}
	return reps[len(reps)-1]
}

// TestPageSeesAVisitorNotARobot: what a page's scripts can read in one
// line — navigator.webdriver, the client-hint brands, the screen, the
// languages — says "a person's Chromium", while the User-Agent keeps the
// synthetic-traffic marker for the company's analytics.
func TestPageSeesAVisitorNotARobot(t *testing.T) {
	rep := envReport(t, sup)
	if rep.Webdriver == nil || *rep.Webdriver {
		t.Errorf("navigator.webdriver = %v, want false", rep.Webdriver)
	}
	major := regexp.MustCompile(`Chrome/(\d+)`).FindStringSubmatch(rep.UserAgent)
	if major == nil || strings.Contains(rep.UserAgent, "Headless") || !strings.HasSuffix(rep.UserAgent, " touchprobe-test") {
		t.Errorf("navigator.userAgent %q: want a Chrome/N User-Agent without Headless, ending with the marker", rep.UserAgent)
	}
	if rep.HeaderUserAgent != rep.UserAgent {
		t.Errorf("the request's User-Agent %q differs from navigator.userAgent %q", rep.HeaderUserAgent, rep.UserAgent)
	}
	if major != nil && !slices.Contains(rep.UABrands, "Chromium "+major[1]) {
		t.Errorf("navigator.userAgentData brands %q lack Chromium %s (the User-Agent's version)", rep.UABrands, major[1])
	}
	for _, b := range rep.UABrands {
		if strings.Contains(b, "Headless") {
			t.Errorf("brand %q says headless", b)
		}
	}
	if rep.UAPlatform != "Linux" || rep.UAMobile == nil || *rep.UAMobile {
		t.Errorf("userAgentData platform %q mobile %v, want Linux, false (as the User-Agent says)", rep.UAPlatform, rep.UAMobile)
	}
	if rep.ScreenWidth < rep.InnerWidth || rep.ScreenHeight < rep.InnerHeight || rep.InnerWidth != browser.ViewportWidth {
		t.Errorf("screen %dx%d, window %dx%d: want a %d px wide window on a screen at least as large",
			rep.ScreenWidth, rep.ScreenHeight, rep.InnerWidth, rep.InnerHeight, browser.ViewportWidth)
	}
	if !slices.Equal(rep.Languages, browser.DefaultLanguages) || !strings.HasPrefix(rep.HeaderAcceptLanguage, "en-US,en;q=") {
		t.Errorf("languages %q, Accept-Language %q; want %q", rep.Languages, rep.HeaderAcceptLanguage, browser.DefaultLanguages)
	}
	if rep.MaxTouchPoints != 0 {
		t.Errorf("maxTouchPoints %d on a desktop", rep.MaxTouchPoints)
	}
	t.Logf("the page saw %+v", rep)
}

// TestVisitorLanguagesFromOptions: a visitor of a Greek site may browse in
// Greek; the page and the server both see the configured languages.
func TestVisitorLanguagesFromOptions(t *testing.T) {
	greek := browser.NewSupervisor(browser.Options{UserAgentMarker: "touchprobe-test", Languages: []string{"el-GR", "el", "en"}})
	defer greek.Close()
	rep := envReport(t, greek)
	if !slices.Equal(rep.Languages, []string{"el-GR", "el", "en"}) || rep.HeaderAcceptLanguage != "el-GR,el;q=0.9,en;q=0.8" {
		t.Errorf("languages %q, Accept-Language %q; want el-GR, el, en", rep.Languages, rep.HeaderAcceptLanguage)
	}
}

// TestPhonePresentsAsAPhone: the mobile profile is Lighthouse's moto g
// power to the page — a 412 px window at 1.75, touch, the Android
// User-Agent (with the marker) and client hints that agree.
func TestPhonePresentsAsAPhone(t *testing.T) {
	before := len(fixture.Stats().EnvReports())
	m := browser.Mobile
	m.Network, m.CPUSlowdown = browser.Network{}, 0 // the device only: the test is about what the page sees
	visit(t, fixture.URL+"/fx/env", browser.NavOptions{Profile: &m})
	deadline := time.Now().Add(5 * time.Second)
	for len(fixture.Stats().EnvReports()) == before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	reps := fixture.Stats().EnvReports()
	if len(reps) == before {
		t.Fatal("the page reported nothing")
	}
	rep := reps[len(reps)-1]
	if rep.InnerWidth != 412 || rep.DevicePixelRatio != 1.75 || rep.MaxTouchPoints < 1 || rep.ScreenWidth < 412 {
		t.Errorf("window %dx%d at %g, touch points %d, screen %dx%d: want Lighthouse's 412 px phone at 1.75 with touch",
			rep.InnerWidth, rep.InnerHeight, rep.DevicePixelRatio, rep.MaxTouchPoints, rep.ScreenWidth, rep.ScreenHeight)
	}
	if !strings.Contains(rep.UserAgent, "Android 11; moto g power (2022)") || !strings.HasSuffix(rep.UserAgent, " touchprobe-test") || rep.HeaderUserAgent != rep.UserAgent {
		t.Errorf("User-Agent %q (header %q): want the moto g power's, with the marker", rep.UserAgent, rep.HeaderUserAgent)
	}
	if rep.UAPlatform != "Android" || rep.UAMobile == nil || !*rep.UAMobile || (rep.Webdriver != nil && *rep.Webdriver) {
		t.Errorf("client hints platform %q mobile %v, webdriver %v: want Android, mobile, not automated", rep.UAPlatform, rep.UAMobile, rep.Webdriver)
	}
}
