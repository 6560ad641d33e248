package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration returns d as a time.Duration.
func (d Duration) Duration() time.Duration { return time.Duration(d) }

// String writes d the short way: "5m", "1.8s", "1h30m".
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// ParseDuration reads a Go duration ("5m", "1.8s", "1h30m").
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, errors.New("is not a duration (write e.g. 1.8s, 5m, 1h)")
	}
	return Duration(d), nil
}

// UnmarshalYAML lets other code decode a Duration with yaml.v3 (Load does
// its own strict decoding).
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q %v", n.Line, n.Value, err)
	}
	*d = v
	return nil
}

// MarshalYAML writes the short form.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// Bytes returns the size in bytes.
func (b ByteSize) Bytes() int64 { return int64(b) }

var byteUnits = []struct {
	suffix string
	factor float64
}{ // longest suffixes first
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"ki", 1 << 10}, {"mi", 1 << 20}, {"gi", 1 << 30}, {"ti", 1 << 40},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12},
	{"b", 1},
}

// ParseByteSize reads "1500000", "512MiB", "2GiB", "1.5GB" (IEC units are
// powers of 1024, SI units powers of 1000).
func ParseByteSize(s string) (ByteSize, error) {
	bad := errors.New("is not a size (write e.g. 512MiB, 2GiB, 1500000)")
	t := strings.ToLower(strings.TrimSpace(s))
	factor := 1.0
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || strings.ContainsAny(t, "xpn_") || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, bad
	}
	v := f * factor
	if v < 0 || v >= math.MaxInt64 {
		return 0, errors.New("is out of range")
	}
	return ByteSize(v), nil
}

// String writes the size in the largest IEC unit that divides it.
func (b ByteSize) String() string {
	for _, u := range []struct {
		s string
		f int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.f == 0 {
			return strconv.FormatInt(int64(b)/u.f, 10) + u.s
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

// UnmarshalYAML lets other code decode a ByteSize with yaml.v3.
func (b *ByteSize) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseByteSize(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q %v", n.Line, n.Value, err)
	}
	*b = v
	return nil
}

// MarshalYAML writes the IEC form.
func (b ByteSize) MarshalYAML() (any, error) { return b.String(), nil }

// IsZero makes an absent toggle disappear from marshalled YAML.
func (t Toggle[T]) IsZero() bool { return !t.Set && !t.Disabled }

// MarshalYAML writes `false` for an off toggle, else the section.
func (t Toggle[T]) MarshalYAML() (any, error) {
	if t.Disabled {
		return false, nil
	}
	return t.Value, nil
}

// toggle lets the decoder fill any Toggle[T] through reflection.
type toggle interface {
	setOff()
	setOn() any // returns a pointer to the value to decode into
}

func (t *Toggle[T]) setOff()    { t.Set, t.Disabled = true, true }
func (t *Toggle[T]) setOn() any { t.Set = true; return &t.Value }

// Enabled reports whether the section is looked for (absent or configured).
func (t Toggle[T]) Enabled() bool { return !t.Disabled }
