package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/config"
)

// discover visits url with the real Chromium (as the desktop visitor only,
// unless flags say otherwise) and parses what it printed with the config
// loader: the output must be usable as it is.
func discover(t *testing.T, url string, flags ...string) (string, config.Target) {
	t.Helper()
	var out, errb bytes.Buffer
	args := append(append([]string{"discover"}, append([]string{"-phone=false"}, flags...)...), url)
	if code := dispatch(args, &out, &errb); code != exitOK {
		t.Fatalf("discover %s: exit %d\nstdout:\n%s\nstderr:\n%s", url, code, out.String(), errb.String())
	}
	t.Logf("discover %s:\n%s", url, out.String())
	cfg, err := config.Parse("discover.yml", out.Bytes())
	if err != nil {
		t.Fatalf("output does not parse as a config: %v\n%s", err, out.String())
	}
	if len(cfg.Targets) != 1 {
		t.Fatalf("want 1 target, got %d", len(cfg.Targets))
	}
	tg := cfg.Targets[0]
	if tg.URL != url || tg.Name != "127.0.0.1" || tg.Consent != "accept" {
		t.Errorf("target name %q url %q consent %q; want 127.0.0.1, %s, accept", tg.Name, tg.URL, tg.Consent, url)
	}
	return out.String(), tg
}

// discoverSite starts the fixture site for a discover test (which runs
// Chromium: skipped in short mode), closed at the end of the test.
func discoverSite(t *testing.T) *site.Site {
	t.Helper()
	if testing.Short() {
		t.Skip("short mode: runs Chromium")
	}
	s, err := site.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// TestDiscoverDemo: the demo page has a form, a same-origin chat iframe, a
// tel: and a mailto: link; discover configures all four, sending nothing.
func TestDiscoverDemo(t *testing.T) {
	s := discoverSite(t)
	out, tg := discover(t, s.URL+"/"+site.DemoPath)

	if !tg.ContactForm.Set || tg.ContactForm.Disabled || tg.ContactForm.Value.Selector == "" || tg.ContactForm.Value.Submit {
		t.Errorf("contact_form = %+v; want a selector, submit false", tg.ContactForm)
	}
	ch := tg.Chat
	if !ch.Set || ch.Disabled || ch.Value.Send {
		t.Errorf("chat = %+v; want configured, send false", ch)
	}
	if ch.Value.Provider == "auto" && ch.Value.Input == "" && ch.Value.Frame == "" {
		t.Errorf("chat = %+v; want a provider or selectors", ch.Value)
	}
	if ch.Value.Frame == "" {
		t.Errorf("chat frame not written for the same-origin iframe chat: %+v", ch.Value)
	}
	if tg.Phone == nil || !*tg.Phone || tg.Email == nil || !*tg.Email {
		t.Errorf("phone %v email %v; want both true", tg.Phone, tg.Email)
	}
	for _, want := range []string{"#   ttfb: ", "#   first_contentful_paint: ", "#   contact_form_ready: ", "#   chat_ready: "} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks the milestone comment %q", want)
		}
	}
}

// TestDiscoverBare: a page with only a phone link: form, chat and e-mail are
// switched off, each with a comment saying why, and the config still loads.
func TestDiscoverBare(t *testing.T) {
	s := discoverSite(t)
	out, tg := discover(t, s.URL+"/?fcp=100&phone=1")

	if !tg.ContactForm.Disabled || !tg.Chat.Disabled {
		t.Errorf("contact_form %+v chat %+v; want both false", tg.ContactForm, tg.Chat)
	}
	if tg.Phone == nil || !*tg.Phone || tg.Email == nil || *tg.Email {
		t.Errorf("phone %v email %v; want true, false", tg.Phone, tg.Email)
	}
	for _, want := range []string{"# contact form not found: form_missing", "# chat not found: chat_missing", "# email link not found: email_missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks the comment %q", want)
		}
	}
}

// TestDiscoverYAMLProvider: a chat found by its provider script is
// configured by provider name; odd hosts and quotes still give a loadable
// config (no Chromium: a hand-made result).
func TestDiscoverYAMLProvider(t *testing.T) {
	res := checks.Result{
		URL:        "https://www.Ex-ample.co.uk:8443/it's?q=1",
		Milestones: map[string]float64{"ttfb": 0.1},
		Touchpoints: map[string]checks.Touchpoint{
			"page":         {Up: true},
			"contact_form": {Up: true, Selector: `form[action='/contact'] #x`},
			"chat":         {Up: true, FoundBy: "provider:intercom", Selectors: map[string]string{"frame": "iframe.x"}},
			"phone":        {Up: false, Reason: "phone_missing", Detail: "none\non the page"},
		},
	}
	out := checks.DiscoverYAML(res, nil)
	t.Log("\n" + out)
	cfg, err := config.Parse("discover.yml", []byte(out))
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, out)
	}
	tg := cfg.Targets[0]
	if tg.Name != "Ex-ample.co.uk" || tg.URL != res.URL {
		t.Errorf("name %q url %q", tg.Name, tg.URL)
	}
	if tg.ContactForm.Value.Selector != `form[action='/contact'] #x` {
		t.Errorf("selector %q", tg.ContactForm.Value.Selector)
	}
	if tg.Chat.Value.Provider != "intercom" || tg.Chat.Value.Frame != "" || tg.Chat.Value.Send {
		t.Errorf("chat %+v; want provider intercom only", tg.Chat.Value)
	}
	if *tg.Phone || *tg.Email {
		t.Errorf("phone %v email %v; want false (not found)", *tg.Phone, *tg.Email)
	}
	if !strings.Contains(out, "# phone link not found: phone_missing: none on the page\n") {
		t.Errorf("phone comment missing or not on one line")
	}
}

// TestDiscoverContactPage: the form lives on a contact page behind a menu
// link ("Kontakt"). The round trip a user makes: discover prints a config,
// check-config accepts it, and a visit with that config reaches the contact
// page the fixture links to and finds the form the fixture puts there
// (form#contact, shown 300 ms into that page).
func TestDiscoverContactPage(t *testing.T) {
	s := discoverSite(t)
	const contactPage = "/p/contact?fcp=100&form=300" // the fixture's link: /p/contact?CONTACTQ
	out, tg := discover(t, s.URL+"/?fcp=100&phone=1&contactlink=Kontakt&contactq="+url.QueryEscape("fcp=100&form=300"))
	if f := tg.ContactForm.Value; f.Page != contactPage || !strings.Contains(f.Selector, "#contact") {
		t.Errorf("contact_form page %q selector %q; want the fixture's form #contact on %q", f.Page, f.Selector, contactPage)
	}
	file := filepath.Join(t.TempDir(), "touchprobe.yml")
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCommand("check-config", file); code != exitOK {
		t.Fatalf("check-config of what discover printed: exit %d\n%s%s", code, stdout, stderr)
	}

	visitsBefore := s.Stats().Path("/p/contact")
	code, stdout, stderr := runCommand("visit", "-config", file, "-target", tg.Name, "-json")
	var res checks.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("visit -json: exit %d, %v\n%s%s", code, err, stdout, stderr)
	}
	form := res.Touchpoints[checks.TouchContactForm]
	if code != exitOK || res.Verdict == checks.Problematic {
		t.Errorf("visit with the discovered config: exit %d, verdict %s, reasons %+v", code, res.Verdict, res.Reasons)
	}
	if !form.Up || !form.Required || form.Page != s.URL+contactPage || !strings.Contains(form.Selector, "#contact") {
		t.Errorf("contact form %+v; want up, required (the config names it), #contact on %s", form, s.URL+contactPage)
	}
	if n := s.Stats().Path("/p/contact"); n <= visitsBefore {
		t.Errorf("the visit never requested the contact page (%d requests before it, %d after)", visitsBefore, n)
	}
	if _, ok := res.Milestones[checks.MilestoneFormReady]; !ok {
		t.Errorf("no %s milestone: %v", checks.MilestoneFormReady, res.Milestones)
	}
}

// runCommand runs a touchprobe subcommand and returns its exit code and output.
func runCommand(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = dispatch(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestDiscoverSuggestsKeyPoints: on the restaurant's page, discover
// suggests its calls to action ("Book a table", "Opening hours" is not
// one) as commented-out key points; uncommented and given a last step,
// the suggestion is a valid config.
func TestDiscoverSuggestsKeyPoints(t *testing.T) {
	s := discoverSite(t)
	out, _ := discover(t, s.URL+"/fx/restaurant")
	if !strings.Contains(out, "#   - name: book_a_table") || !strings.Contains(out, "#       - click: {text: 'Book a table'}") {
		t.Fatalf("no key point suggested for 'Book a table':\n%s", out)
	}
	if strings.Contains(out, "opening_hours") {
		t.Errorf("'Opening hours' suggested as a key point:\n%s", out)
	}
	// Uncommented, with the booking form as what the click must open.
	uncommented := strings.NewReplacer("    # touchpoints:", "    touchpoints:", "    #   - name:", "      - name:",
		"    #     steps:", "        steps:", "    #       - click:", "          - click:",
		"    #       - visible: 'SELECTOR OF WHAT IT OPENS'   # or usable:, text:, url:", "          - usable: '#booking-form'").Replace(out)
	cfg, err := config.Parse("discover.yml", []byte(uncommented))
	if err != nil {
		t.Fatalf("the suggestion, uncommented, is not a valid config: %v\n%s", err, uncommented)
	}
	if kps := cfg.Targets[0].Touchpoints; len(kps) == 0 || kps[0].Name != "book_a_table" {
		t.Errorf("touchpoints %+v", kps)
	}
}

// TestDiscoverNotesWhatDiffersOnAPhone: on the page whose hero is heavy and
// whose contact link hides in a menu below 992 px, discover visits a second
// time as the phone and says so: the verdicts, the LCP seconds apart, the
// menu the phone visitor opened; the target is visited as both.
func TestDiscoverNotesWhatDiffersOnAPhone(t *testing.T) {
	s := discoverSite(t)
	out, tg := discover(t, s.URL+"/fx/phone", "-phone=true")
	for _, want := range []string{
		"# As a phone visitor (mobile), the verdict is indifferent (desktop: pleasant).",
		"#   largest_contentful_paint: ",
		"#   contact_form: on the phone the contact link is in a collapsed menu, reached by tapping ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("discover does not say %q:\n%s", want, out)
		}
	}
	if strings.Join(tg.Visitors, ",") != "desktop,mobile" {
		t.Errorf("visitors %v, want [desktop mobile]", tg.Visitors)
	}
}

// TestDiscoverPhoneDifferences: what a phone changed, from hand-made
// results (no Chromium): only the differences are listed.
func TestDiscoverPhoneDifferences(t *testing.T) {
	desk := checks.Result{URL: "https://example.com/", Visitor: "desktop", Verdict: checks.Pleasant,
		Milestones: map[string]float64{"first_contentful_paint": 0.8, "largest_contentful_paint": 1.2, "contact_form_ready": 2.0},
		Touchpoints: map[string]checks.Touchpoint{"page": {Up: true}, "contact_form": {Up: true, Selector: "#f"},
			"chat": {Up: true, FoundBy: "provider:crisp"}, "phone": {Up: true}}}
	phone := checks.Result{URL: desk.URL, Visitor: "mobile", Verdict: checks.Problematic,
		Milestones: map[string]float64{"first_contentful_paint": 1.1, "largest_contentful_paint": 7.5},
		Reasons:    []checks.Reason{{Code: "chat_missing", Touchpoint: "chat", Failure: true, Message: "no chat\nlauncher"}},
		Touchpoints: map[string]checks.Touchpoint{"page": {Up: true}, "contact_form": {Up: true, Selector: "#f", Menu: "button.toggler"},
			"chat": {Up: false, Reason: "chat_missing", Detail: "no launcher"}, "phone": {Up: true}}}
	out := checks.DiscoverYAML(desk, &phone)
	t.Log("\n" + out)
	for _, want := range []string{
		"the verdict is problematic (desktop: pleasant)",
		"largest_contentful_paint: 7.500 s on the phone, 1.200 s on the desktop",
		"contact_form_ready: not reached on the phone (2.000 s on the desktop)",
		"only on the phone: no chat launcher",
		"chat: found on the desktop, not on the phone (chat_missing: no launcher)",
		"contact_form: on the phone the contact link is in a collapsed menu, reached by tapping button.toggler",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "first_contentful_paint: 1.100 s on the phone") {
		t.Errorf("a 0.3 s difference is listed as one")
	}
	if _, err := config.Parse("discover.yml", []byte(out)); err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	same := checks.DiscoverYAML(desk, &desk)
	if !strings.Contains(same, "Nothing else differs from the desktop visit.") {
		t.Errorf("identical visits:\n%s", same)
	}
}
