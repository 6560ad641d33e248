package config

import (
	"maps"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

func TestDefaults(t *testing.T) {
	c, err := ParseEnv("d.yml", []byte("targets:\n  - name: acme\n    url: https://acme.example/\n"), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	g := c.Global
	for _, d := range []struct {
		name      string
		got, want Duration
	}{
		{"interval", g.Interval, Duration(5 * time.Minute)},
		{"timeout", g.Timeout, Duration(60 * time.Second)},
		{"window", g.Window, Duration(20 * time.Second)},
		{"recheck_after", g.RecheckAfter, Duration(time.Minute)},
		{"chat_interval", g.ChatInterval, Duration(time.Hour)},
	} {
		if d.got != d.want {
			t.Errorf("global.%s = %v, want %v", d.name, d.got, d.want)
		}
	}
	if g.Concurrency < 1 || g.Concurrency > 8 || g.Concurrency != DefaultConcurrency() {
		t.Errorf("concurrency %d", g.Concurrency)
	}
	if g.UserAgentMarker != "touchprobe" || g.HistoryLength != 50 || g.Filmstrip == nil || !*g.Filmstrip {
		t.Errorf("marker %q history %d filmstrip %v", g.UserAgentMarker, g.HistoryLength, g.Filmstrip)
	}
	if g.Browser.RecycleAfterVisits != 500 || g.Browser.RemoteURL != "" {
		t.Errorf("browser %+v", g.Browser)
	}
	if !slices.Contains(g.DenyPrefixes, netip.MustParsePrefix("169.254.169.254/32")) ||
		!slices.Contains(g.DenyPrefixes, netip.MustParsePrefix("fd00:ec2::254/128")) {
		t.Errorf("deny prefixes %v", g.DenyPrefixes)
	}
	tg := c.Targets[0]
	if tg.Interval != g.Interval || tg.Timeout != g.Timeout || tg.Window != g.Window {
		t.Errorf("target does not inherit: %v %v %v", tg.Interval, tg.Timeout, tg.Window)
	}
	if tg.Consent != "accept" || tg.Chat.Value.Timeout != Duration(time.Minute) || tg.Chat.Value.Interval != Duration(time.Hour) {
		t.Errorf("target consent %q chat %+v", tg.Consent, tg.Chat.Value)
	}
	if tg.ContactForm.Set || tg.Chat.Set || tg.Phone != nil || tg.Email != nil {
		t.Errorf("touchpoints should be absent (auto): %+v", tg)
	}
	want := map[string]Duration{}
	for k, v := range checks.DefaultPromises {
		want[k] = Duration(v)
	}
	if !maps.Equal(tg.Promises, want) {
		t.Errorf("promises %v, want %v", tg.Promises, want)
	}
	if tg.Line != 2 {
		t.Errorf("target line %d, want 2", tg.Line)
	}
}

// TestOverrides: what the file sets wins over the defaults, per target too;
// `deny_networks: []` turns the deny list off.
func TestOverrides(t *testing.T) {
	data := `global:
  interval: 1m
  deny_networks: []
  chat_interval: 2h
  browser: {recycle_after_visits: 0, recycle_above_memory: 1.5GiB}
targets:
  - name: a
    url: https://a.example/
    interval: 30s
    promises: {first_contentful_paint: 1s, ttfb: 300ms}
    chat: {send: true}
  - name: b
    url: https://b.example/
`
	c, err := ParseEnv("o.yml", []byte(data), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Global.DenyPrefixes) != 0 || len(c.Global.DenyNetworks) != 0 {
		t.Errorf("deny list not off: %v", c.Global.DenyNetworks)
	}
	if c.Global.Browser.RecycleAfterVisits != 0 || c.Global.Browser.RecycleAboveMemory != ByteSize(3<<29) {
		t.Errorf("browser %+v", c.Global.Browser)
	}
	a, b := c.Targets[0], c.Targets[1]
	if a.Interval != Duration(30*time.Second) || b.Interval != Duration(time.Minute) {
		t.Errorf("intervals %v %v", a.Interval, b.Interval)
	}
	if a.Promises["first_contentful_paint"] != Duration(time.Second) || a.Promises["ttfb"] != Duration(300*time.Millisecond) ||
		a.Promises["largest_contentful_paint"] != Duration(2500*time.Millisecond) {
		t.Errorf("promises %v", a.Promises)
	}
	if a.ChatInterval(c.Global) != 2*time.Hour || b.ChatInterval(c.Global) != 0 {
		t.Errorf("chat intervals %v %v", a.ChatInterval(c.Global), b.ChatInterval(c.Global))
	}
}

func TestUnits(t *testing.T) {
	for in, want := range map[string]ByteSize{
		"1500000": 1500000, "512MiB": 512 << 20, "2GiB": 2 << 30, "2gib": 2 << 30, "1.5GB": 1500000000,
		"10 KiB": 10240, "3k": 3000, "0": 0, "7B": 7,
	} {
		got, err := ParseByteSize(in)
		if err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "GiB", "-1MiB", "1e400", "NaN", "inf", "0x10", "2 gigs", "1_000"} {
		if got, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) = %v, want an error", bad, got)
		}
	}
	for in, want := range map[ByteSize]string{2 << 30: "2GiB", 3 << 29: "1536MiB", 1000: "1000", 0: "0"} {
		if got := in.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(in), got, want)
		}
	}
	for in, want := range map[Duration]string{
		Duration(5 * time.Minute): "5m", Duration(time.Hour): "1h", Duration(1800 * time.Millisecond): "1.8s",
		Duration(90 * time.Minute): "1h30m", Duration(61 * time.Second): "1m1s",
	} {
		if got := in.String(); got != want {
			t.Errorf("Duration.String() = %q, want %q", got, want)
		}
	}
}
