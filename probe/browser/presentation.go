package browser

import (
	"context"
	"regexp"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// How a visit presents itself to the page's scripts (docs/presentation.md):
// as the browser of the visitor it plays, not as an automated one. Consent
// managers and chat widgets hide from browsers that say they are automated
// (navigator.webdriver, a "HeadlessChrome" brand, a screen smaller than the
// window); a first-time visitor sees them, so the probe must too. What stays
// is the honesty toward the company: the User-Agent marker and the
// X-Touchprobe header on every page request.

// DefaultLanguages are the visitor's languages when the config names none.
var DefaultLanguages = []string{"en-US", "en"}

// presentation is what a tab tells the page about its browser.
type presentation struct {
	userAgent     string // the browser's own, "Headless" dropped, with the marker
	version       string // the full version, e.g. 156.0.8078.114
	languages     []string
	width, height int64 // the viewport
	screenW       int64 // the screen, at least the window
	screenH       int64
	scale         float64
	mobile, touch bool
	network       Network // the profile's connection and CPU (profile.go)
	cpu           float64
}

// desktopPresentation is the desktop visitor of an instance: a 1280x720
// window on a 1920x1080 screen.
func desktopPresentation(in *instance) presentation {
	langs := in.sup.opts.Languages
	if len(langs) == 0 {
		langs = DefaultLanguages
	}
	return presentation{userAgent: in.userAgent, version: in.version, languages: langs,
		width: ViewportWidth, height: ViewportHeight, screenW: 1920, screenH: 1080, scale: 1}
}

// acceptLanguage is the languages as Chromium takes them: a plain list
// (it adds the weights to the header itself: "en-US,en;q=0.9").
func acceptLanguage(langs []string) string { return strings.Join(langs, ",") }

var chromeMajor = regexp.MustCompile(`Chrome/(\d+)`)

// metadata is the client hints (navigator.userAgentData, Sec-CH-UA*) of
// the User-Agent: Chromium's brands with its version, the GREASE brand a
// real Chromium adds, the platform the User-Agent names.
func (p presentation) metadata() *emulation.UserAgentMetadata {
	major := "0"
	if m := chromeMajor.FindStringSubmatch(p.userAgent); m != nil {
		major = m[1]
	}
	full := p.version
	if full == "" {
		full = major + ".0.0.0"
	}
	md := &emulation.UserAgentMetadata{
		Brands: []*emulation.UserAgentBrandVersion{
			{Brand: "Chromium", Version: major}, {Brand: "Not_A Brand", Version: "24"},
		},
		FullVersionList: []*emulation.UserAgentBrandVersion{
			{Brand: "Chromium", Version: full}, {Brand: "Not_A Brand", Version: "24.0.0.0"},
		},
		Platform: "Linux", Architecture: "x86", Bitness: "64", Mobile: p.mobile,
		FormFactors: []string{"Desktop"},
	}
	switch {
	case strings.Contains(p.userAgent, "Android"):
		md.Platform, md.Architecture, md.Bitness, md.FormFactors = "Android", "", "", []string{"Mobile"}
		if m := regexp.MustCompile(`Android ([\d.]+); ([^;)]+)`).FindStringSubmatch(p.userAgent); m != nil {
			md.PlatformVersion, md.Model = m[1], strings.TrimSpace(m[2])
		}
	case strings.Contains(p.userAgent, "Windows"):
		md.Platform, md.PlatformVersion = "Windows", "10.0.0"
	case strings.Contains(p.userAgent, "Macintosh"):
		md.Platform, md.Architecture = "macOS", "arm"
	}
	return md
}

// userAgentOverride is the User-Agent, its client hints and the languages.
func (p presentation) userAgentOverride() emulation.SetUserAgentOverrideParams {
	platform := "Linux x86_64"
	switch md := p.metadata(); md.Platform {
	case "Android":
		platform = "Linux armv8l"
	case "Windows":
		platform = "Win32"
	case "macOS":
		platform = "MacIntel"
	}
	return emulation.SetUserAgentOverrideParams{UserAgent: p.userAgent, AcceptLanguage: acceptLanguage(p.languages),
		Platform: platform, UserAgentMetadata: p.metadata()}
}

// tab presents a tab: User-Agent, client hints, languages, the window on
// its screen, touch.
func (p presentation) tab() chromedp.Action[struct{}] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, p.userAgentOverride()); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
			Width: p.width, Height: p.height, DeviceScaleFactor: p.scale, Mobile: p.mobile,
			ScreenWidth: max(p.screenW, p.width), ScreenHeight: max(p.screenH, p.height),
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: p.touch, MaxTouchPoints: touchPoints(p.touch)})
		return err
	})
}

// presentFrame presents a cross-site iframe's own target: it has its own
// User-Agent override (its requests and its navigator are its own).
func (p presentation) presentFrame(ctx context.Context, s cdp.Session) error {
	_, err := cdp.Call(ctx, s, emulation.SetUserAgentOverride, p.userAgentOverride())
	return err
}

func touchPoints(touch bool) int64 {
	if touch {
		return 5
	}
	return 0
}
