package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const secretYAML = `global:
  location: ${LOC}
targets:
  - name: acme
    url: https://acme.example/?token=${TOKEN}
    labels: {team: web}
    contact_form:
      fields: {email: "${INBOX}", message: hello}
    chat:
      message: "Bearer ${TOKEN}"
`

func secretConfig(t *testing.T) *Config {
	t.Helper()
	c, err := ParseEnv("s.yml", []byte(secretYAML), noEnv("TOKEN", "tok/9f8e7d6c", "INBOX", "qa-inbox@acme.example", "LOC", "fra"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestRedacted: the shown config has every environment value as its
// ${VAR} reference, and everything else as it is.
func TestRedacted(t *testing.T) {
	c := secretConfig(t)
	if c.Targets[0].URL != "https://acme.example/?token=tok/9f8e7d6c" {
		t.Fatalf("the config itself must hold the real value: %q", c.Targets[0].URL)
	}
	for _, shown := range []string{c.Redacted(), c.String(), fmt.Sprint(c), fmt.Sprintf("%+v", c)} {
		for _, secret := range []string{"tok/9f8e7d6c", "9f8e7d6c", "qa-inbox", "fra\n"} {
			if strings.Contains(shown, secret) {
				t.Errorf("shown config contains %q:\n%s", secret, shown)
			}
		}
		for _, want := range []string{
			`url: "https://acme.example/?token=${TOKEN}"`, `email: "${INBOX}"`, `message: "Bearer ${TOKEN}"`,
			`location: "${LOC}"`, "team: web", "message: hello", "interval: 5m", "window: 20s",
		} {
			if !strings.Contains(shown, want) {
				t.Errorf("shown config lacks %q:\n%s", want, shown)
			}
		}
	}
}

// TestScrub: a secret is taken out of any text: a log line, an error, a
// URL with the value escaped.
func TestScrub(t *testing.T) {
	c := secretConfig(t)
	in := "visit https://acme.example/?token=tok/9f8e7d6c failed; form typed qa-inbox@acme.example; escaped tok%2F9f8e7d6c; location fra"
	got := c.Scrub(in)
	want := "visit https://acme.example/?token=<redacted> failed; form typed <redacted>; escaped <redacted>; location fra"
	if got != want {
		t.Errorf("Scrub:\n got  %s\n want %s", got, want)
	}
	var none *Config
	if none.Scrub("x") != "x" {
		t.Error("nil config must pass text through")
	}
}

// TestLogValue: slog, text and JSON, does not print the struct.
func TestLogValue(t *testing.T) {
	c := secretConfig(t)
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("loaded", "config", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("loaded", "config", c)
	out := buf.String()
	if strings.Contains(out, "9f8e7d6c") || strings.Contains(out, "qa-inbox") {
		t.Errorf("log shows a secret: %s", out)
	}
	if !strings.Contains(out, `"targets":1`) || !strings.Contains(out, "config.targets=1") {
		t.Errorf("log lacks the summary: %s", out)
	}
}

func TestLabelNames(t *testing.T) {
	c, err := ParseEnv("l.yml", []byte("targets:\n  - {name: a, url: 'https://a.example/', labels: {team: web, tier: gold}}\n  - {name: b, url: 'https://b.example/', labels: {team: shop, env: prod}}\n"), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.LabelNames(), ","); got != "env,team,tier" {
		t.Errorf("LabelNames = %s", got)
	}
}
