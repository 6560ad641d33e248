package config

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

const fuzzSecret = "s3cret-fuzz-value"

var fuzzEnv = noEnv("FUZZ_SECRET", fuzzSecret, "FUZZ_EMPTY", "")

// FuzzParse: Parse never panics; its errors are Errors naming the file and
// a line inside it; a config it accepts has targets, shows no secret, and
// reads back the same from its own Redacted form.
// Seeds: testdata/fuzz/FuzzParse and the example config.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(exampleFile); err == nil {
		f.Add(data)
	}
	f.Add([]byte(secretYAML))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseEnv("f.yml", data, fuzzEnv)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T %v is not Errors", err, err)
			}
			// YAML breaks lines at \n, \r\n and a lone \r.
			lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) - bytes.Count(data, []byte("\r\n")) + 2
			for _, e := range errs {
				if e.File != "f.yml" || e.Line < 0 || e.Line > lines {
					t.Fatalf("bad error position: %q (file has %d lines)", e, lines)
				}
			}
			if c != nil {
				t.Fatal("a config came back with an error")
			}
			return
		}
		if len(c.Targets) == 0 {
			t.Fatal("accepted a config without targets")
		}
		shown := c.Redacted()
		if strings.Contains(shown, fuzzSecret) && !bytes.Contains(data, []byte(fuzzSecret)) {
			t.Fatalf("Redacted shows the secret:\n%s", shown)
		}
		again, err := ParseEnv("f.yml", []byte(shown), fuzzEnv)
		if err != nil {
			t.Fatalf("Redacted does not read back: %v\n%s", err, shown)
		}
		if again.Redacted() != shown {
			t.Fatalf("Redacted changes on a round trip:\n%s\n----\n%s", shown, again.Redacted())
		}
		for i := range c.Targets {
			_ = c.Targets[i].Plan(c.Global)
		}
		_ = c.Selected()
	})
}
