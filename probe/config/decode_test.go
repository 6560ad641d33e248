package config

import (
	"testing"
)

// TestToggles: contact_form and chat are absent (auto), false (off), or a
// mapping / true (configured); ~ is the same as absent.
func TestToggles(t *testing.T) {
	data := `targets:
  - {name: absent, url: 'https://a.example/'}
  - {name: off, url: 'https://a.example/', contact_form: false, chat: false, phone: false, email: false}
  - {name: mapping, url: 'https://a.example/', contact_form: {selector: form}, chat: {provider: intercom}, phone: true, email: true}
  - {name: "on", url: 'https://a.example/', contact_form: true, chat: {}}
  - {name: tilde, url: 'https://a.example/', contact_form: ~, chat: }
`
	c, err := ParseEnv("t.yml", []byte(data), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	type state struct{ set, off bool }
	want := map[string][2]state{
		"absent":  {{false, false}, {false, false}},
		"off":     {{true, true}, {true, true}},
		"mapping": {{true, false}, {true, false}},
		"on":      {{true, false}, {true, false}},
		"tilde":   {{false, false}, {false, false}},
	}
	for _, tg := range c.Targets {
		got := [2]state{{tg.ContactForm.Set, tg.ContactForm.Disabled}, {tg.Chat.Set, tg.Chat.Disabled}}
		if got != want[tg.Name] {
			t.Errorf("%s: form/chat %v, want %v", tg.Name, got, want[tg.Name])
		}
	}
	if m := c.Target("mapping"); m.ContactForm.Value.Selector != "form" || m.Chat.Value.Provider != "intercom" || !*m.Phone || !*m.Email {
		t.Errorf("mapping target %+v", m)
	}
	if o := c.Target("off"); *o.Phone || *o.Email {
		t.Errorf("off target phone/email %v %v", *o.Phone, *o.Email)
	}
}

// TestAnchors: a top-level x-... key holds shared settings, merged into
// targets with <<; a target's own keys win.
func TestAnchors(t *testing.T) {
	data := `x-common: &common
  consent: reject
  labels: {team: web}
  chat: false
targets:
  - <<: *common
    name: a
    url: https://a.example/
  - <<: *common
    name: b
    url: https://b.example/
    consent: leave
`
	c, err := ParseEnv("t.yml", []byte(data), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Targets[0], c.Targets[1]
	if a.Consent != "reject" || a.Labels["team"] != "web" || !a.Chat.Disabled {
		t.Errorf("a did not get the shared settings: %+v", a)
	}
	if b.Consent != "leave" || b.Labels["team"] != "web" {
		t.Errorf("b: own key must win: %+v", b)
	}
	if a.Line != 6 || b.Line != 9 {
		t.Errorf("lines %d %d", a.Line, b.Line)
	}
}

// TestAliasBomb: a "billion laughs" file (merges of merges, 10^7 deep)
// ends with an error instead of eating the daemon.
func TestAliasBomb(t *testing.T) {
	data := `x-a: &a {consent: reject}
x-b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]}
x-c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]}
x-d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]}
x-e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]}
x-f: &f {<<: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}
x-g: &g {<<: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]}
x-h: &h {<<: [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]}
targets:
  - {<<: *h, name: x, url: 'https://a.example/'}
`
	_, err := ParseEnv("bomb.yml", []byte(data), noEnv())
	const want = "bomb.yml:2: targets[0]: the file is too large (or its aliases expand too far)"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
}
