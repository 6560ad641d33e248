package config

import (
	"context"
	"errors"
	"net/netip"
	"testing"
)

// fakeResolver answers from a table (in addition to the real resolver,
// which the localhost cases use).
type fakeResolver map[string][]netip.Addr

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := f[host]; ok {
		return a, nil
	}
	return nil, errors.New("no such host " + host)
}

func TestCheckDenied(t *testing.T) {
	c, err := ParseEnv("d.yml", []byte("targets: [{name: a, url: 'https://a.example/'}]\n"), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	defaults := c.Global.DenyPrefixes
	loopback := append([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}, defaults...)
	ctx := context.Background()
	cases := []struct {
		url    string
		nets   []netip.Prefix
		denied bool
	}{
		{"http://169.254.169.254/latest/meta-data/", defaults, true},
		{"http://169.254.169.254:80/", defaults, true},
		{"http://[fd00:ec2::254]/", defaults, true},
		{"http://[::ffff:169.254.169.254]/", defaults, true}, // IPv4-mapped
		{"http://2852039166/", defaults, true},               // the same address, as a browser reads it
		{"http://0xa9fea9fe/", defaults, true},
		{"http://0251.0376.0251.0376/", defaults, true},
		{"http://169.254.43518/", defaults, true},
		{"http://169.254.169.254./", defaults, true},
		{"http://100.100.100.200/", defaults, true},
		{"http://169.254.169.253/", defaults, false},
		{"http://10.0.0.1/", defaults, false},
		{"http://127.0.0.1:8080/", defaults, false}, // loopback: tests and the demo
		{"http://[::1]/", defaults, false},
		{"http://localhost:8080/", defaults, false}, // resolved for real
		{"http://localhost:8080/", loopback, true},  // unless the config denies it
		{"http://127.0.0.1/", loopback, true},
		{"http://metadata.test/", defaults, true}, // a name that resolves into a deny net
		{"http://rebind.test/", defaults, true},   // any of its addresses
		{"http://fine.test/", defaults, false},
		{"http://169.254.169.254/", nil, false}, // no deny list: no check
	}
	fake := fakeResolver{
		"metadata.test": {netip.MustParseAddr("169.254.169.254")},
		"rebind.test":   {netip.MustParseAddr("93.184.215.14"), netip.MustParseAddr("::ffff:169.254.169.254")},
		"fine.test":     {netip.MustParseAddr("93.184.215.14")},
	}
	for _, tc := range cases {
		var r Resolver = fake
		if tc.url == "http://localhost:8080/" {
			r = nil // the real resolver
		}
		err := CheckDenied(ctx, tc.url, tc.nets, r)
		if got := errors.Is(err, ErrDenied); got != tc.denied {
			t.Errorf("CheckDenied(%s) = %v, want denied=%v", tc.url, err, tc.denied)
		}
		if !tc.denied && err != nil {
			t.Errorf("CheckDenied(%s): unexpected error %v", tc.url, err)
		}
	}
	// A failed lookup is no refusal: the visit reports it as dns.
	err = CheckDenied(ctx, "http://nx.test/", defaults, fake)
	if err == nil || errors.Is(err, ErrDenied) {
		t.Errorf("lookup failure: %v", err)
	}
}

func TestLiteralIP(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "1.2.3.4", "16909060": "1.2.3.4", "0x01020304": "1.2.3.4", "1.131844": "1.2.3.4",
		"1.2.772": "1.2.3.4", "01.02.03.04": "1.2.3.4", "[::1]": "::1", "::ffff:1.2.3.4": "1.2.3.4",
	} {
		a, ok := literalIP(in)
		if !ok || a.String() != want {
			t.Errorf("literalIP(%q) = %v, %v; want %s", in, a, ok, want)
		}
	}
	for _, name := range []string{"example.com", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "4294967296", "08.1.1.1", "", "1..2"} {
		if a, ok := literalIP(name); ok {
			t.Errorf("literalIP(%q) = %v, want not an address", name, a)
		}
	}
}
