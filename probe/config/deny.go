package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// ErrDenied marks a target whose address is in global.deny_networks.
var ErrDenied = errors.New("address is in deny_networks")

// Resolver looks host names up; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckDenied refuses a URL whose host is, or resolves to, an address in
// nets (cfg.Global.DenyPrefixes). errors.Is(err, ErrDenied) says it was
// refused; any other error is a failed lookup, which the visit itself will
// report as the site's dns failure. Loopback is only refused when nets
// name it (the defaults do not: tests and the demo run on it). A nil
// resolver is net.DefaultResolver; empty nets skip the lookup.
//
// The check is done before the visit; the browser resolves the name again
// (DNS rebinding) and follows redirects on its own, so this keeps honest
// configs from reaching metadata endpoints rather than stopping an attacker
// who controls the target's DNS.
func CheckDenied(ctx context.Context, rawURL string, nets []netip.Prefix, resolver Resolver) error {
	if len(nets) == 0 {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("%w: url does not parse", ErrDenied)
	}
	host := u.Hostname()
	if a, ok := literalIP(host); ok {
		if denied(a, nets) {
			return fmt.Errorf("%s: %w", a, ErrDenied)
		}
		return nil
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if denied(a.Unmap(), nets) {
			return fmt.Errorf("%s resolves to %s: %w", host, a.Unmap(), ErrDenied)
		}
	}
	return nil
}

func denied(a netip.Addr, nets []netip.Prefix) bool {
	a = a.Unmap().WithZone("")
	for _, p := range nets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// literalIP reads a URL host that is an address, the way a browser does:
// besides 169.254.169.254 it accepts [::ffff:a9fe:a9fe], 2852039166,
// 0xa9fea9fe, 0251.0376.0251.0376 and 169.254.43518 (WHATWG URL IPv4
// parser), which all reach the same host.
func literalIP(host string) (netip.Addr, bool) {
	h := strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().WithZone(""), true
	}
	parts := strings.Split(h, ".")
	if len(parts) > 4 || h == "" {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return netip.Addr{}, false
	}
	v := last
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// ipv4Number reads one part: decimal, 0x hex or 0-prefixed octal.
func ipv4Number(s string) (uint64, bool) {
	base := 10
	switch {
	case s == "":
		return 0, false
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	n, err := strconv.ParseUint(s, base, 32)
	return n, err == nil
}
