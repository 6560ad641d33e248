package config

import (
	"errors"
	"hash/fnv"
	"strconv"
	"strings"
)

// ShardOf is the shard (0..n-1) that takes the target called name: FNV-1a
// (64 bit) of the name, mod n. It depends on the name alone, so every
// instance of a fleet agrees without talking to the others; it must never
// change, or a fleet upgrade would move targets between instances.
func ShardOf(name string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return int(h.Sum64() % uint64(n))
}

// ParseShard reads "i/n" with 0 <= i < n (the StatefulSet ordinal and the
// replica count).
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, 0, errors.New(`is not a shard: write "i/n", e.g. 0/3`)
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	switch {
	case err1 != nil || err2 != nil:
		return 0, 0, errors.New(`is not a shard: write "i/n" with whole numbers, e.g. 0/3`)
	case n < 1:
		return 0, 0, errors.New("is not a shard: n must be at least 1")
	case i < 0 || i >= n:
		return 0, 0, errors.New("is not a shard: i counts from 0 to n-1")
	}
	return i, n, nil
}

// Shard returns the targets that shard i of n takes, in file order.
func (c *Config) Shard(i, n int) []Target {
	var out []Target
	for _, t := range c.Targets {
		if ShardOf(t.Name, n) == i {
			out = append(out, t)
		}
	}
	return out
}

// Selected returns the targets this instance takes: those of
// global.shard, or all of them when it is not set. A -shard flag sets
// Global.Shard before calling it (see SetShard).
func (c *Config) Selected() []Target {
	if c.Global.Shard == "" {
		return c.Targets
	}
	i, n, err := ParseShard(c.Global.Shard)
	if err != nil { // Load has refused it already
		return nil
	}
	return c.Shard(i, n)
}

// SetShard overrides global.shard (the -shard flag); "" keeps the file's.
func (c *Config) SetShard(s string) error {
	if s == "" {
		return nil
	}
	if _, _, err := ParseShard(s); err != nil {
		return errors.New("-shard " + strconv.Quote(s) + " " + err.Error())
	}
	c.Global.Shard = s
	if c.meta != nil {
		delete(c.meta.secrets, "global.shard")
	}
	return nil
}

// Target returns the configured target called name (any shard), or nil.
func (c *Config) Target(name string) *Target {
	for i := range c.Targets {
		if c.Targets[i].Name == name {
			return &c.Targets[i]
		}
	}
	return nil
}
