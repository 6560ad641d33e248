package config

import (
	"regexp"
	"slices"
	"strings"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// VisitorProfile is a custom visitor (`visitor_profiles:`): a device and a
// network. The built-in ones are desktop and mobile (browser.Profiles).
type VisitorProfile struct {
	Name string `yaml:"name"`
	// Device is desktop or mobile (the built-in profile's screen, touch
	// and User-Agent); Viewport and UserAgent replace them.
	Device    string    `yaml:"device,omitempty"`
	Viewport  *Viewport `yaml:"viewport,omitempty"`
	UserAgent string    `yaml:"user_agent,omitempty"`
	// Network is none, 4g, slow-4g or 3g; LatencyMS, DownloadKbps and
	// UploadKbps set it explicitly instead.
	Network      string  `yaml:"network,omitempty"`
	LatencyMS    float64 `yaml:"latency_ms,omitempty"`
	DownloadKbps float64 `yaml:"download_kbps,omitempty"`
	UploadKbps   float64 `yaml:"upload_kbps,omitempty"`
	CPUSlowdown  float64 `yaml:"cpu_slowdown,omitempty"`
}

// Viewport is an explicit screen.
type Viewport struct {
	Width  int64   `yaml:"width"`
	Height int64   `yaml:"height"`
	Scale  float64 `yaml:"scale"`
	Touch  bool    `yaml:"touch"`
	Mobile bool    `yaml:"mobile"`
}

// maxVisitors bounds the profiles a target is visited as, and the custom
// profiles a config defines: each is a value of the `visitor` label.
const maxVisitors = 4

var profileName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// Profile resolves a visitor profile by name: a custom one, else a
// built-in one.
func (c *Config) Profile(name string) (browser.Profile, bool) {
	for _, vp := range c.VisitorProfiles {
		if vp.Name == name {
			return vp.profile(), true
		}
	}
	p, ok := browser.Profiles[name]
	return p, ok
}

func (vp VisitorProfile) profile() browser.Profile {
	p := browser.Desktop
	if vp.Device == "mobile" {
		p = browser.Mobile
		p.Network, p.CPUSlowdown = browser.Network{}, 0 // the device only; the network is the profile's
	}
	p.Name = vp.Name
	if v := vp.Viewport; v != nil {
		p.Width, p.Height, p.Scale, p.Touch, p.Mobile = v.Width, v.Height, v.Scale, v.Touch, v.Mobile
		p.ScreenW, p.ScreenH = v.Width, v.Height
		if !v.Mobile {
			p.ScreenW, p.ScreenH = max(v.Width, 1920), max(v.Height, 1080)
		}
	}
	if vp.UserAgent != "" {
		p.UserAgent = vp.UserAgent
	}
	if n, ok := browser.Networks[vp.Network]; ok {
		p.Network = n
	}
	if vp.LatencyMS > 0 || vp.DownloadKbps > 0 || vp.UploadKbps > 0 {
		p.Network = browser.Network{LatencyMS: vp.LatencyMS, DownKbps: vp.DownloadKbps, UpKbps: vp.UploadKbps}
	}
	if vp.CPUSlowdown > 0 {
		p.CPUSlowdown = vp.CPUSlowdown
	}
	return p
}

// VisitorsOf are the profiles t is visited as: its own `visitors:`, else
// global.visitors (default [desktop]).
func (c *Config) VisitorsOf(t *Target) []string {
	if len(t.Visitors) > 0 {
		return t.Visitors
	}
	if len(c.Global.Visitors) > 0 {
		return c.Global.Visitors
	}
	return []string{browser.Desktop.Name}
}

// visitorProfiles validates visitor_profiles.
func (k *checker) visitorProfiles() {
	if n := len(k.c.VisitorProfiles); n > maxVisitors*2 {
		k.errorf("visitor_profiles", "at most %d profiles (got %d): each is a value of the visitor label", maxVisitors*2, n)
	}
	seen := map[string]string{}
	for i, vp := range k.c.VisitorProfiles {
		p := indexPath("visitor_profiles", i)
		switch {
		case !profileName.MatchString(vp.Name):
			k.errorf(p+".name", "%s: use lower-case letters, digits, _ and - (at most 32), it becomes the visitor label", k.show(p+".name", vp.Name))
		case browser.Profiles[vp.Name].Name != "":
			k.errorf(p+".name", "%q is a built-in profile; name yours otherwise", vp.Name)
		case seen[vp.Name] != "":
			k.errorf(p+".name", "%q is already the name of %s", vp.Name, seen[vp.Name])
		default:
			seen[vp.Name] = p
		}
		if vp.Device != "" && vp.Device != "desktop" && vp.Device != "mobile" {
			k.errorf(p+".device", "%s: must be desktop or mobile (or give a viewport)", k.show(p+".device", vp.Device))
		}
		if v := vp.Viewport; v != nil && (v.Width < 200 || v.Height < 200 || v.Width > 4000 || v.Height > 4000 || v.Scale < 0 || v.Scale > 4) {
			k.errorf(p+".viewport", "width and height must be 200 to 4000 CSS pixels and scale 0 to 4 (got %dx%d at %g)", v.Width, v.Height, v.Scale)
		}
		if _, ok := browser.Networks[vp.Network]; vp.Network != "" && !ok {
			k.errorf(p+".network", "%s: must be none, 4g, slow-4g or 3g (or set latency_ms, download_kbps, upload_kbps)", k.show(p+".network", vp.Network))
		}
		if vp.LatencyMS < 0 || vp.DownloadKbps < 0 || vp.UploadKbps < 0 {
			k.errorf(p, "latency_ms, download_kbps and upload_kbps cannot be negative")
		}
		if vp.CPUSlowdown != 0 && (vp.CPUSlowdown < 1 || vp.CPUSlowdown > 20) {
			k.errorf(p+".cpu_slowdown", "must be 1 to 20 (got %g)", vp.CPUSlowdown)
		}
	}
}

// visitorList validates a list of profile names (global.visitors, a
// target's visitors).
func (k *checker) visitorList(path string, names []string) {
	if len(names) > maxVisitors {
		k.errorf(path, "at most %d visitors per target (got %d)", maxVisitors, len(names))
	}
	for i, n := range names {
		p := indexPath(path, i)
		if _, ok := k.c.Profile(n); !ok {
			var known []string
			for name := range browser.Profiles {
				known = append(known, name)
			}
			for _, vp := range k.c.VisitorProfiles {
				known = append(known, vp.Name)
			}
			slices.Sort(known)
			k.errorf(p, "%s is no visitor profile (known: %s)", k.show(p, n), strings.Join(known, ", "))
		}
		if slices.Index(names, n) != i {
			k.errorf(p, "%q is listed twice", n)
		}
	}
}
