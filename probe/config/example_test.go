package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

const exampleFile = "../../examples/touchprobe.yml"

// TestExampleConfig: the shipped example loads as it is.
func TestExampleConfig(t *testing.T) {
	c, err := ParseEnvFile(t, exampleFile, noEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Targets) != 6 || c.Targets[0].Name != "acme" {
		t.Fatalf("targets %+v", c.Targets)
	}
	// Key points for three kinds of business: a restaurant, a mover, a shop.
	for i, want := range map[int]string{2: "booking", 3: "quote", 4: "pricing"} {
		if kps := c.Targets[i].Touchpoints; len(kps) != 1 || kps[0].Name != want {
			t.Errorf("%s's touchpoints %+v, want %s", c.Targets[i].Name, kps, want)
		}
	}
	acme := c.Targets[0]
	if acme.Interval != Duration(10*time.Minute) || acme.Timeout != Duration(45*time.Second) ||
		acme.Chat.Value.Provider != "auto" || !acme.ContactForm.Set || acme.Labels["tier"] != "gold" {
		t.Errorf("acme %+v", acme)
	}
	if c.Global.Location != "home" {
		t.Errorf("location %q (the ${TOUCHPROBE_LOCATION:-home} default)", c.Global.Location)
	}
	// With the variables set, their values are used (and are secrets).
	c, err = ParseEnvFile(t, exampleFile, noEnv("TOUCHPROBE_LOCATION", "frankfurt", "ACME_STAGING_TOKEN", "tok-98765"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Global.Location != "frankfurt" || !strings.Contains(c.Targets[5].URL, "tok-98765") {
		t.Errorf("location %q url %q", c.Global.Location, c.Targets[5].URL)
	}
}

func ParseEnvFile(t *testing.T, file string, env LookupEnv) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return ParseEnv(file, data, env)
}

// TestExampleCoversEveryOption: every key the config types know appears in
// the example (as a key, or commented out), so that it stays the reference.
func TestExampleCoversEveryOption(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || seen[typ] {
			return
		}
		seen[typ] = true
		if f, ok := typ.FieldByName("Value"); ok && strings.HasPrefix(typ.Name(), "Toggle[") {
			walk(path, f.Type)
			return
		}
		for _, name := range fieldsOf(typ).names {
			key := regexp.MustCompile(`(?m)^[\s#-]*` + regexp.QuoteMeta(name) + `:`)
			if !key.MatchString(text) {
				t.Errorf("the example has no %s.%s", path, name)
			}
			f, _ := typ.FieldByName(fieldName(typ, name))
			walk(path+"."+name, f.Type)
		}
	}
	walk("config", reflect.TypeOf(Config{}))
	if len(seen) < 6 {
		t.Fatalf("walked only %d types", len(seen))
	}
}

func fieldName(typ reflect.Type, yamlName string) string {
	return typ.Field(fieldsOf(typ).index[yamlName]).Name
}
