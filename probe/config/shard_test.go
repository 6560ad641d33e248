package config

import (
	"fmt"
	"strings"
	"testing"
)

func manyTargets(n int) *Config {
	c := &Config{}
	for i := range n {
		c.Targets = append(c.Targets, Target{Name: fmt.Sprintf("site-%04d.example", i), URL: "https://example.com/"})
	}
	return c
}

// TestShardsCoverEveryTargetOnce: for n = 1..7, the n shards of 1000
// targets take every target exactly once, none of them empty.
func TestShardsCoverEveryTargetOnce(t *testing.T) {
	c := manyTargets(1000)
	for n := 1; n <= 7; n++ {
		taken := map[string]int{}
		for i := range n {
			got := c.Shard(i, n)
			if len(got) == 0 {
				t.Errorf("n=%d: shard %d is empty", n, i)
			}
			// A fair hash gives each shard about 1000/n; far off means a broken hash.
			if lo := 1000 / n / 2; len(got) < lo {
				t.Errorf("n=%d: shard %d takes %d targets, fewer than %d", n, i, len(got), lo)
			}
			for _, tg := range got {
				taken[tg.Name]++
				if ShardOf(tg.Name, n) != i {
					t.Errorf("n=%d: %s in shard %d, ShardOf says %d", n, tg.Name, i, ShardOf(tg.Name, n))
				}
			}
		}
		for _, tg := range c.Targets {
			if taken[tg.Name] != 1 {
				t.Errorf("n=%d: %s taken %d times", n, tg.Name, taken[tg.Name])
			}
		}
		if len(taken) != 1000 {
			t.Errorf("n=%d: %d distinct targets taken", n, len(taken))
		}
	}
}

// TestShardOfIsStable pins the hash: a change would move targets between
// a fleet's instances on upgrade (and break their dashboards' continuity).
func TestShardOfIsStable(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
		want int
	}{
		{"acme", 3, int(fnv1a("acme") % 3)},
		{"acme-shop", 7, int(fnv1a("acme-shop") % 7)},
		{"acme", 1, 0},
		// The same, written down: these must never change.
		{"acme", 3, 2},
		{"acme-shop", 7, 6},
		{"acme-staging", 5, 1},
		{"", 5, int(fnv1a("") % 5)},
	} {
		if got := ShardOf(tc.name, tc.n); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.name, tc.n, got, tc.want)
		}
	}
	// Known FNV-1a 64 test vectors (offset basis, and "a").
	if fnv1a("") != 0xcbf29ce484222325 || fnv1a("a") != 0xaf63dc4c8601ec8c {
		t.Fatal("the reference FNV-1a is wrong")
	}
}

// fnv1a is FNV-1a 64 written out, to pin ShardOf independently of hash/fnv.
func fnv1a(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}

func TestParseShard(t *testing.T) {
	for in, want := range map[string][2]int{"0/1": {0, 1}, "2/3": {2, 3}, " 1/2 ": {1, 2}} {
		i, n, err := ParseShard(in)
		if err != nil || [2]int{i, n} != want {
			t.Errorf("ParseShard(%q) = %d, %d, %v", in, i, n, err)
		}
	}
	for _, bad := range []string{"", "1", "3/3", "-1/3", "0/0", "a/b", "1/2/3"} {
		if _, _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q): no error", bad)
		}
	}
}

// TestSelected: global.shard picks the targets, SetShard (the -shard flag)
// overrides it.
func TestSelected(t *testing.T) {
	var b strings.Builder
	b.WriteString("global: {shard: 1/2}\ntargets:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  - {name: t%d, url: 'https://t%d.example/'}\n", i, i)
	}
	c, err := ParseEnv("s.yml", []byte(b.String()), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	one := c.Selected()
	if len(one) == 0 || len(one) == 20 {
		t.Fatalf("shard 1/2 takes %d of 20", len(one))
	}
	for _, tg := range one {
		if ShardOf(tg.Name, 2) != 1 {
			t.Errorf("%s is not in shard 1/2", tg.Name)
		}
	}
	if err := c.SetShard("0/2"); err != nil {
		t.Fatal(err)
	}
	if zero := c.Selected(); len(zero)+len(one) != 20 {
		t.Errorf("shards 0/2 and 1/2 take %d + %d of 20", len(zero), len(one))
	}
	if err := c.SetShard("2/2"); err == nil {
		t.Error("SetShard(2/2): no error")
	}
}
