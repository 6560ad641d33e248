package config

import (
	"log/slog"
	"net/url"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Every value that came from the environment (${VAR}) is a secret: the
// config is shown and logged with such values written back as their
// ${VAR} reference, never their content.

// Redacted is the effective config (defaults filled) as YAML, with every
// value that came from the environment written as it stands in the file
// ("${SMTP_PASSWORD}", "Bearer ${TOKEN}"). Safe to log and to show.
func (c *Config) Redacted() string {
	var root yaml.Node
	if err := root.Encode(c); err != nil {
		return "# config cannot be shown: " + err.Error() + "\n"
	}
	var secrets map[string]secretInfo
	if c.meta != nil {
		secrets = c.meta.secrets
	}
	redactNode("", &root, secrets)
	var out strings.Builder
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return "# config cannot be shown: " + err.Error() + "\n"
	}
	enc.Close()
	return out.String()
}

func redactNode(path string, n *yaml.Node, secrets map[string]secretInfo) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			redactNode(path, c, secrets)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			redactNode(joinPath(path, n.Content[i].Value), n.Content[i+1], secrets)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			redactNode(indexPath(path, i), c, secrets)
		}
	case yaml.ScalarNode:
		if s, ok := secrets[path]; ok {
			n.Value, n.Tag, n.Style = s.raw, "!!str", yaml.DoubleQuotedStyle
		} else if strings.Contains(n.Value, "${") {
			// A literal ${ (written $${) must read back as one.
			n.Value = strings.ReplaceAll(n.Value, "${", "$${")
		}
	}
}

// String is Redacted, so that printing a *Config never shows a secret.
func (c *Config) String() string { return c.Redacted() }

// LogValue keeps slog (text and JSON) from printing the struct's fields.
func (c *Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("file", c.File),
		slog.Int("targets", len(c.Targets)),
		slog.String("location", c.Scrub(c.Global.Location)),
		slog.String("shard", c.Global.Shard),
	)
}

// SecretFields lists the field paths whose values came from the
// environment, sorted.
func (c *Config) SecretFields() []string {
	if c.meta == nil {
		return nil
	}
	out := make([]string, 0, len(c.meta.secrets))
	for p := range c.meta.secrets {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Scrub replaces every environment-sourced value in s (a log line, an
// error, a visit's debug output, a URL) with "<redacted>". Values shorter
// than 4 characters are left alone: they are no secrets and would mangle
// every text.
func (c *Config) Scrub(s string) string {
	if c == nil || c.meta == nil || len(c.meta.values) == 0 {
		return s
	}
	for _, v := range c.meta.values {
		if len(v) < 4 {
			continue
		}
		// As written, and as it appears inside a URL.
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v)} {
			s = strings.ReplaceAll(s, form, "<redacted>")
		}
	}
	return s
}

// LabelNames is the sorted union of every target's label names: a metric
// family needs the same label names on every series, so a target without
// one of them exports it empty.
func (c *Config) LabelNames() []string {
	seen := map[string]bool{}
	for _, t := range c.Targets {
		for k := range t.Labels {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
