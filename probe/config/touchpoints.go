package config

import (
	"net/url"
	"regexp"
	"slices"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// KeyPoint is one of the business's own touchpoints (a target's
// `touchpoints:`): a few steps a visitor takes, judged like the built-in
// touchpoints (docs/keypoints.md).
type KeyPoint struct {
	Name string `yaml:"name"` // the touchpoint label; milestone NAME_ready
	// Page is where the visitor starts (a path or URL; default the
	// landing page).
	Page    string   `yaml:"page,omitempty"`
	Steps   []Step   `yaml:"steps"`
	Promise Duration `yaml:"promise,omitempty"`
	// Required (default true): failing makes the visit problematic.
	Required *bool `yaml:"required,omitempty"`
	// Submit: the steps may send a form (otherwise form posts are
	// answered by touchprobe itself and never reach the site).
	Submit bool `yaml:"submit,omitempty"`
	// AllowHosts are other sites the steps may lead to (a booking
	// provider's).
	AllowHosts []string `yaml:"allow_hosts,omitempty"`
}

// Step is one thing the visitor does or waits to see; exactly one is set.
type Step struct {
	Click   *ClickTarget `yaml:"click,omitempty"`
	Type    *TypeStep    `yaml:"type,omitempty"`
	Select  *SelectStep  `yaml:"select,omitempty"`
	Visible string       `yaml:"visible,omitempty"`
	Usable  string       `yaml:"usable,omitempty"`
	Text    string       `yaml:"text,omitempty"`
	URL     string       `yaml:"url,omitempty"`
	// Timeout bounds the step (default: the rest of the window).
	Timeout Duration `yaml:"timeout,omitempty"`
}

// ClickTarget is what a click step clicks: a CSS selector (`click:
// "#book"`) or a link, button or role=button by its visible text
// (`click: {text: "Book a table"}`).
type ClickTarget struct {
	CSS  string `yaml:"css,omitempty"`
	Text string `yaml:"text,omitempty"`
}

func (c *ClickTarget) setScalar(s string) { c.CSS = s }

// TypeStep types text into a field.
type TypeStep struct {
	Into string `yaml:"into"`
	Text string `yaml:"text"`
}

// SelectStep picks an option of a <select> by its visible text.
type SelectStep struct {
	From   string `yaml:"from"`
	Option string `yaml:"option"`
}

// maxKeyPoints bounds a target's configured touchpoints (each is a value
// of the touchpoint label).
const maxKeyPoints = 10

var keyPointName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// keyPoints validates a target's touchpoints.
func (k *checker) keyPoints(p string, t *Target) {
	if len(t.Touchpoints) > maxKeyPoints {
		k.errorf(p+".touchpoints", "at most %d touchpoints per target (got %d)", maxKeyPoints, len(t.Touchpoints))
	}
	seen := map[string]bool{}
	for i, kp := range t.Touchpoints {
		kpath := indexPath(p+".touchpoints", i)
		switch {
		case !keyPointName.MatchString(kp.Name):
			k.errorf(kpath+".name", "%s: use lower-case letters, digits and _ (at most 40, a letter first): it becomes the touchpoint label and the milestone NAME_ready", k.show(kpath+".name", kp.Name))
		case slices.Contains(checks.Touchpoints, kp.Name):
			k.errorf(kpath+".name", "%q is a built-in touchpoint; configure it under its own key or pick another name", kp.Name)
		case seen[kp.Name]:
			k.errorf(kpath+".name", "%q is already a touchpoint of this target", kp.Name)
		}
		seen[kp.Name] = true
		if kp.Page != "" {
			k.keyPointURL(kpath+".page", t.URL, kp.Page, kp.AllowHosts)
		}
		if kp.Promise < 0 {
			k.errorf(kpath+".promise", "must be more than 0 (got %s)", kp.Promise)
		}
		if len(kp.Steps) == 0 {
			k.errorf(kpath+".steps", "missing: at least one step (click, type, select, visible, usable, text, url)")
		}
		for j, st := range kp.Steps {
			k.step(indexPath(kpath+".steps", j), st)
		}
	}
}

func (k *checker) step(p string, st Step) {
	n := 0
	for _, set := range []bool{st.Click != nil, st.Type != nil, st.Select != nil, st.Visible != "", st.Usable != "", st.Text != "", st.URL != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		k.errorf(p, "a step is exactly one of click, type, select, visible, usable, text, url (got %d)", n)
		return
	}
	switch {
	case st.Click != nil && st.Click.CSS == "" && st.Click.Text == "":
		k.errorf(p+".click", "a CSS selector, or {text: \"the link's or button's text\"}")
	case st.Click != nil && st.Click.CSS != "" && st.Click.Text != "":
		k.errorf(p+".click", "a selector or a text, not both")
	case st.Type != nil && (st.Type.Into == "" || st.Type.Text == ""):
		k.errorf(p+".type", "needs into (a selector) and text")
	case st.Select != nil && (st.Select.From == "" || st.Select.Option == ""):
		k.errorf(p+".select", "needs from (a selector) and option (its visible text)")
	}
	if st.Timeout < 0 {
		k.errorf(p+".timeout", "must be more than 0 (got %s)", st.Timeout)
	}
}

// keyPointURL checks a start page: on the target's site, or on a host the
// touchpoint allows.
func (k *checker) keyPointURL(p, base, page string, allow []string) {
	b, err1 := url.Parse(base)
	u, err2 := url.Parse(page)
	if err1 != nil || err2 != nil {
		k.errorf(p, "%s is not a path or URL", k.show(p, page))
		return
	}
	u = b.ResolveReference(u)
	if u.Scheme != "http" && u.Scheme != "https" {
		k.errorf(p, "%s is not an http(s) address", k.show(p, page))
		return
	}
	if !browser.SameSite(u.Hostname(), b.Hostname()) && !slices.Contains(allow, u.Hostname()) {
		k.errorf(p, "%s leaves the target's site (%s): add its host to allow_hosts", k.show(p, page), b.Hostname())
	}
}

// keyPlan is a target's touchpoints for its plan.
func keyPlan(t *Target) []checks.KeyPoint {
	var out []checks.KeyPoint
	for _, kp := range t.Touchpoints {
		c := checks.KeyPoint{Name: kp.Name, Page: resolve(t.URL, kp.Page), Promise: kp.Promise.Duration(),
			Required: kp.Required == nil || *kp.Required, Submit: kp.Submit, AllowHosts: slices.Clone(kp.AllowHosts)}
		if c.Page == "" {
			c.Page = t.URL
		}
		for _, st := range kp.Steps {
			s := checks.Step{Timeout: st.Timeout.Duration()}
			switch {
			case st.Click != nil:
				s.Kind, s.CSS, s.Text = checks.StepClick, st.Click.CSS, st.Click.Text
			case st.Type != nil:
				s.Kind, s.CSS, s.Text = checks.StepType, st.Type.Into, st.Type.Text
			case st.Select != nil:
				s.Kind, s.CSS, s.Text = checks.StepSelect, st.Select.From, st.Select.Option
			case st.Visible != "":
				s.Kind, s.CSS = checks.StepVisible, st.Visible
			case st.Usable != "":
				s.Kind, s.CSS = checks.StepUsable, st.Usable
			case st.Text != "":
				s.Kind, s.Text = checks.StepText, st.Text
			case st.URL != "":
				s.Kind, s.Text = checks.StepURL, st.URL
			}
			c.Steps = append(c.Steps, s)
		}
		out = append(out, c)
	}
	return out
}
