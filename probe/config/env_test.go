package config

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	env := noEnv("TOKEN", "s3cr3t", "EMPTY", "", "HOST", "acme.example")
	cases := []struct {
		in, want string
		used     []string
		err      string
	}{
		{in: "plain", want: "plain"},
		{in: "${TOKEN}", want: "s3cr3t", used: []string{"TOKEN"}},
		{in: "Bearer ${TOKEN}!", want: "Bearer s3cr3t!", used: []string{"TOKEN"}},
		{in: "https://${HOST}/?t=${TOKEN}", want: "https://acme.example/?t=s3cr3t", used: []string{"HOST", "TOKEN"}},
		{in: "${UNSET:-fallback}", want: "fallback"},
		{in: "${UNSET:-}", want: ""},
		{in: "${EMPTY:-fallback}", want: "fallback"}, // :- also covers set-but-empty, as in the shell
		{in: "${EMPTY}", want: ""},                   // set, empty: no error
		{in: "${TOKEN:-fallback}", want: "s3cr3t", used: []string{"TOKEN"}},
		{in: "${UNSET:-a:-b}", want: "a:-b"},
		{in: "$${TOKEN}", want: "${TOKEN}"},
		{in: "pa$$word $x $", want: "pa$$word $x $"}, // a lone $ stays
		{in: "${UNSET}", err: "environment variable UNSET is not set (write ${UNSET:-default} for a default)"},
		{in: "${1X}", err: `${1X}: "1X" is not an environment variable name`},
		{in: "${}", err: `${}: "" is not an environment variable name`},
		{in: "${TOKEN", err: "unterminated ${ (write $${ for a literal ${)"},
	}
	for _, tc := range cases {
		got, used, err := expand(tc.in, env)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("expand(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || strings.Join(used, ",") != strings.Join(tc.used, ",") {
			t.Errorf("expand(%q) = %q, %v, %v; want %q, %v", tc.in, got, used, err, tc.want, tc.used)
		}
	}
}

// TestEnvInConfig: values come from the environment; a ${X} in a comment
// or a key is left alone; a value cannot change the file's structure.
func TestEnvInConfig(t *testing.T) {
	data := `# ${NOT_SET_IN_A_COMMENT} is inert here
global:
  location: ${LOC:-home}
  interval: ${EVERY}
targets:
  - name: acme
    url: https://acme.example/?key=${KEY}
    contact_form:
      fields: {message: "${MSG}"}
`
	env := noEnv("EVERY", "2m", "KEY", "k-123456", "MSG", "a: b\n- c # not yaml")
	c, err := ParseEnv("e.yml", []byte(data), env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Global.Location != "home" || c.Global.Interval.Duration().String() != "2m0s" {
		t.Errorf("location %q interval %v", c.Global.Location, c.Global.Interval)
	}
	if c.Targets[0].URL != "https://acme.example/?key=k-123456" {
		t.Errorf("url %q", c.Targets[0].URL)
	}
	if got := c.Targets[0].ContactForm.Value.Fields["message"]; got != "a: b\n- c # not yaml" {
		t.Errorf("message %q: the value must be taken as it is", got)
	}
	want := []string{"global.interval", "targets[0].contact_form.fields.message", "targets[0].interval", "targets[0].url"}
	if got := c.SecretFields(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("secret fields %v, want %v (location took its default: no secret)", got, want)
	}
}
