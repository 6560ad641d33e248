package browser

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// execCandidates are tried in order when no exec path is configured. The
// Debian binary comes first: /usr/bin/chromium is a shell wrapper that loads
// extensions, and chromium-headless-shell is the old headless mode that drops
// LCP and has no site isolation, so neither is picked by default.
var execCandidates = []string{
	"/usr/lib/chromium/chromium",
	"/usr/lib/chromium-browser/chromium-browser",
	"/opt/google/chrome/chrome",
	"/usr/bin/google-chrome-stable",
	"/usr/bin/google-chrome",
}

// FindExecPath returns the Chromium binary to start: configured when set,
// else the first candidate that exists.
func FindExecPath(configured string) (string, error) {
	if configured != "" {
		if _, err := os.Stat(configured); err != nil {
			return "", fmt.Errorf("browser exec_path %q: %w", configured, err)
		}
		return configured, nil
	}
	for _, p := range execCandidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (tried %v); install it with `apt-get install -y chromium` or set global.browser.exec_path", execCandidates)
}

// launchFlags are the flags this environment needs on top of chromedp's
// defaults: new headless mode, no GPU, and no background traffic that hangs
// on a closed network.
func launchFlags(execPath string, extra map[string]any) []chromedp.ExecAllocatorOption {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(execPath),
		chromedp.Flag("headless", "new"),
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("disable-crash-reporter", true),
		chromedp.Flag("hide-crash-restore-bubble", true),
		// A visitor's browser blocks unrequested pop-ups; chromedp's defaults
		// turn that off, hostile pages would then open windows at will.
		chromedp.Flag("disable-popup-blocking", false),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions,DialMediaRouteProvider"),
		chromedp.Flag("mute-audio", true),
		// A visitor's browser does not say it is automated: chromedp's
		// default --enable-automation sets navigator.webdriver, which
		// consent managers and chat widgets hide from (presentation.go).
		chromedp.Flag("enable-automation", false),
		chromedp.Flag("disable-blink-features", "AutomationControlled"),
		chromedp.WindowSize(1280, 720),
	)
	for k, v := range extra {
		opts = append(opts, chromedp.Flag(k, v))
	}
	return opts
}
