package browser

import (
	"context"
	"regexp"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// Profile is the visitor's device and network (docs/profiles.md): what
// the page is shown on, and how fast everything reaches it.
type Profile struct {
	Name string
	// The viewport in CSS pixels, its device scale factor, and the
	// screen (at least the viewport).
	Width, Height int64
	Scale         float64
	ScreenW       int64
	ScreenH       int64
	Mobile, Touch bool
	// UserAgent replaces the browser's own ("" keeps it): "{version}"
	// becomes the running Chromium's major version, so the client hints
	// stay true to it. The marker is appended either way.
	UserAgent string
	Network   Network
	// CPUSlowdown slows every renderer of the visit (1 or 0: none).
	CPUSlowdown float64
}

// Network is a throttled connection, applied as Chrome DevTools (and
// Lighthouse's devtools method) does: to every request of the visit.
type Network struct {
	LatencyMS float64 // added to each request
	DownKbps  float64 // 0: not limited
	UpKbps    float64
}

// Throttled says whether n limits anything.
func (n Network) Throttled() bool { return n.LatencyMS > 0 || n.DownKbps > 0 || n.UpKbps > 0 }

// BytesPerSecond is a throughput in kbps as CDP takes it (kbps × 1024 / 8,
// as Lighthouse converts).
func BytesPerSecond(kbps float64) float64 { return kbps * 1024 / 8 }

// Networks are the named connections a profile may use; slow-4g and 3g are
// Lighthouse 12's, as its devtools throttling applies them.
var Networks = map[string]Network{
	"none":    {},
	"4g":      {LatencyMS: 150, DownKbps: 9000, UpKbps: 9000},
	"slow-4g": {LatencyMS: 562.5, DownKbps: 1474.56, UpKbps: 675},
	"3g":      {LatencyMS: 1125, DownKbps: 630, UpKbps: 630},
}

// Desktop is today's visitor: a 1280x720 window on a 1920x1080 screen,
// no throttling.
var Desktop = Profile{Name: "desktop", Width: ViewportWidth, Height: ViewportHeight, Scale: 1, ScreenW: 1920, ScreenH: 1080}

// Mobile is exactly Lighthouse 12's mobile preset, so that the two can be
// compared: a moto g power (2022), 412x823 at 1.75, touch, on slow 4G with
// a CPU 4x slower.
var Mobile = Profile{Name: "mobile", Width: 412, Height: 823, Scale: 1.75, ScreenW: 412, ScreenH: 823,
	Mobile: true, Touch: true,
	UserAgent:   "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{version}.0.0.0 Mobile Safari/537.36",
	Network:     Networks["slow-4g"],
	CPUSlowdown: 4,
}

// Profiles are the built-in profiles by name.
var Profiles = map[string]Profile{"desktop": Desktop, "mobile": Mobile}

var chromeVersion = regexp.MustCompile(`Chrome/(\d+)`)

// presentationFor is how the tab presents as p, on an instance whose own
// presentation (User-Agent, languages) is base.
func presentationFor(p Profile, base presentation) presentation {
	pres := base
	if p.Width > 0 && p.Height > 0 {
		pres.width, pres.height = p.Width, p.Height
		pres.screenW, pres.screenH = max(p.ScreenW, p.Width), max(p.ScreenH, p.Height)
		pres.scale = 1
		if p.Scale > 0 {
			pres.scale = p.Scale
		}
	}
	pres.mobile, pres.touch = p.Mobile, p.Touch
	if p.UserAgent != "" {
		major := "0"
		if m := chromeVersion.FindStringSubmatch(base.userAgent); m != nil {
			major = m[1]
		}
		ua := strings.ReplaceAll(p.UserAgent, "{version}", major)
		// The marker the instance's own User-Agent ends with stays.
		if i := strings.LastIndex(base.userAgent, "Safari/537.36"); i >= 0 {
			if marker := strings.TrimSpace(base.userAgent[i+len("Safari/537.36"):]); marker != "" && !strings.HasSuffix(ua, marker) {
				ua += " " + marker
			}
		}
		pres.userAgent = ua
	}
	pres.network, pres.cpu = p.Network, p.CPUSlowdown
	return pres
}

// emulateNetworkConditions is Network.emulateNetworkConditions, which
// cdproto no longer lists.
var emulateNetworkConditions = cdp.Command[emulateNetworkConditionsParams, cdp.Empty]{Method: "Network.emulateNetworkConditions"}

type emulateNetworkConditionsParams struct {
	Offline            bool    `json:"offline"`
	Latency            float64 `json:"latency"`
	DownloadThroughput float64 `json:"downloadThroughput"`
	UploadThroughput   float64 `json:"uploadThroughput"`
}

// throttle applies the profile's network and CPU to a tab's target.
func (p presentation) throttle() chromedp.Action[struct{}] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		return p.throttleOn(ctx, t, true)
	})
}

// throttleOn applies the profile's network, and its CPU when cpu is set, to
// one target: a tab, a cross-site iframe's own, a service worker.
func (p presentation) throttleOn(ctx context.Context, s cdp.Session, cpu bool) error {
	if p.network.Throttled() {
		rate := func(kbps float64) float64 {
			if kbps <= 0 {
				return -1 // not limited
			}
			return BytesPerSecond(kbps)
		}
		// The command DevTools and Lighthouse's devtools throttling
		// send (deprecated in the protocol for the rule-based one,
		// which leaves a cross-site iframe's own requests alone).
		if _, err := cdp.Call(ctx, s, emulateNetworkConditions, emulateNetworkConditionsParams{Latency: p.network.LatencyMS,
			DownloadThroughput: rate(p.network.DownKbps), UploadThroughput: rate(p.network.UpKbps)}); err != nil {
			return err
		}
	}
	if cpu && p.cpu > 1 {
		if _, err := cdp.Call(ctx, s, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: p.cpu}); err != nil {
			return err
		}
	}
	return nil
}
