package config

import (
	"cmp"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The decoder walks yaml.v3's node tree against the Go types itself rather
// than use yaml.Decoder.KnownFields: KnownFields does not reach into
// sections decoded by a custom UnmarshalYAML (Toggle: contact_form, chat),
// stops at the first type error without the field's path, and cannot tell
// which values came from the environment. Walking the nodes gives every
// error with its line and field path, and strictness all the way down.

// meta is what Load learns about the file beyond the values.
type meta struct {
	lines   map[string]int        // field path → line
	set     map[string]bool       // field paths present (not null) in the file
	secrets map[string]secretInfo // field paths whose value came from the environment
	values  []string              // the environment values used (for Scrub)
}

type secretInfo struct {
	raw  string   // the value as written, e.g. "Bearer ${TOKEN}"
	vars []string // the variables used
}

// sortValues puts the secret values longest first, without repeats, so
// that Scrub takes a secret that contains another whole.
func (m *meta) sortValues() {
	slices.SortFunc(m.values, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	m.values = slices.Compact(m.values)
}

func newMeta() *meta {
	return &meta{lines: map[string]int{}, set: map[string]bool{}, secrets: map[string]secretInfo{}}
}

// line is the line of path, or of its nearest parent that has one.
func (m *meta) line(path string) int {
	for p := path; p != ""; p = parentPath(p) {
		if l, ok := m.lines[p]; ok {
			return l
		}
	}
	return 0
}

// parentPath strips the last ".key", "[i]" or `["key"]` from a path.
func parentPath(p string) string {
	if strings.HasSuffix(p, "]") {
		if i := strings.LastIndex(p, "["); i >= 0 {
			return p[:i]
		}
	}
	if i := strings.LastIndex(p, "."); i >= 0 {
		return p[:i]
	}
	return ""
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// joinPath appends a mapping key to a field path.
func joinPath(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func indexPath(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// maxSteps bounds the nodes decoded through aliases: they can make a small
// file expand without end ("billion laughs"). Nodes outside aliases are
// bounded by the file's size, so a fleet's 10,000 targets are no problem.
const maxSteps = 1 << 20

type decoder struct {
	file   string
	env    LookupEnv
	m      *meta
	errs   Errors
	steps  int
	stop   bool
	active map[*yaml.Node]bool // alias targets being decoded (cycles)
}

// maxErrors: past this many, the rest would only be noise.
const maxErrors = 500

func (d *decoder) errorf(line int, path, format string, args ...any) {
	if d.stop {
		return
	}
	if len(d.errs) >= maxErrors {
		d.stop = true
		d.errs = append(d.errs, &FieldError{File: d.file, Line: line, Msg: fmt.Sprintf("more than %d errors; stopped here", maxErrors)})
		return
	}
	d.errs = append(d.errs, &FieldError{File: d.file, Line: line, Field: path, Msg: fmt.Sprintf(format, args...)})
}

// show quotes a value for a message, unless it came from the environment.
func (d *decoder) show(path, s string) string {
	if sec, ok := d.m.secrets[path]; ok {
		return "the value of ${" + strings.Join(sec.vars, "}, ${") + "}"
	}
	return strconv.Quote(s)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "nothing"
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// enter follows an alias, refusing cycles; leave undoes it.
func (d *decoder) enter(path string, n *yaml.Node) (*yaml.Node, func(), bool) {
	if len(d.active) > 0 || n.Kind == yaml.AliasNode {
		d.steps++
	}
	if d.steps > maxSteps {
		if !d.stop {
			d.errorf(n.Line, path, "the file is too large (or its aliases expand too far)")
			d.stop = true
		}
		return nil, nil, false
	}
	if n.Kind != yaml.AliasNode {
		return n, func() {}, true
	}
	t := n.Alias
	if t == nil || d.active[t] {
		d.errorf(n.Line, path, "alias *%s refers to itself", n.Value)
		return nil, nil, false
	}
	d.active[t] = true
	return t, func() { delete(d.active, t) }, true
}

// scalar returns a single value with ${VAR} expanded.
func (d *decoder) scalar(path string, n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n.Line, path, "expects a single value, not %s", kindName(n))
		return "", false
	}
	s, used, err := expand(n.Value, d.env)
	if err != nil {
		d.errorf(n.Line, path, "%v", err)
		return "", false
	}
	if len(used) > 0 {
		d.m.secrets[path] = secretInfo{raw: n.Value, vars: used}
		for _, name := range used {
			v, _ := d.env(name)
			d.m.values = append(d.m.values, v)
		}
	}
	return s, true
}

// scalarSetter is a mapping that a scalar may stand for (`click: "#b"`
// is `click: {css: "#b"}`).
type scalarSetter interface{ setScalar(string) }

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

func (d *decoder) decode(path string, n *yaml.Node, v reflect.Value) {
	n, leave, ok := d.enter(path, n)
	if !ok {
		return
	}
	defer leave()
	if _, ok := d.m.lines[path]; !ok {
		d.m.lines[path] = n.Line
	}
	if isNull(n) {
		return // absent: the default applies
	}
	d.m.set[path] = true

	switch p := v.Addr().Interface().(type) {
	case *Duration:
		if s, ok := d.scalar(path, n); ok {
			x, err := ParseDuration(s)
			if err != nil {
				d.errorf(n.Line, path, "%s %v", d.show(path, s), err)
			}
			*p = x
		}
		return
	case *ByteSize:
		if s, ok := d.scalar(path, n); ok {
			x, err := ParseByteSize(s)
			if err != nil {
				d.errorf(n.Line, path, "%s %v", d.show(path, s), err)
			}
			*p = x
		}
		return
	case *bool:
		if s, ok := d.scalar(path, n); ok {
			b, ok := parseBool(s)
			if !ok {
				d.errorf(n.Line, path, "%s is not true or false", d.show(path, s))
			}
			*p = b
		}
		return
	case **bool:
		var b bool
		d.decode(path, n, reflect.ValueOf(&b).Elem())
		*p = &b
		return
	case scalarSetter:
		if n.Kind == yaml.ScalarNode {
			if s, ok := d.scalar(path, n); ok {
				p.setScalar(s)
			}
			return
		}
	case toggle:
		if n.Kind == yaml.ScalarNode {
			s, ok := d.scalar(path, n)
			if !ok {
				return
			}
			switch b, ok := parseBool(s); {
			case !ok:
				d.errorf(n.Line, path, "%s: write false (skip it), a mapping (check it as configured), or leave it out (find it automatically)", d.show(path, s))
			case b:
				p.setOn()
			default:
				p.setOff()
			}
			return
		}
		d.decode(path, n, reflect.ValueOf(p.setOn()).Elem())
		return
	}

	switch v.Kind() {
	case reflect.String:
		if s, ok := d.scalar(path, n); ok {
			v.SetString(s)
		}
	case reflect.Int:
		if s, ok := d.scalar(path, n); ok {
			i, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				d.errorf(n.Line, path, "%s is not a whole number", d.show(path, s))
			}
			v.SetInt(int64(i))
		}
	case reflect.Int64, reflect.Float64:
		if s, ok := d.scalar(path, n); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil {
				d.errorf(n.Line, path, "%s is not a number", d.show(path, s))
			}
			if v.Kind() == reflect.Int64 {
				if f != float64(int64(f)) {
					d.errorf(n.Line, path, "%s is not a whole number", d.show(path, s))
				}
				v.SetInt(int64(f))
			} else {
				v.SetFloat(f)
			}
		}
	case reflect.Pointer:
		// An optional section: present when set.
		e := reflect.New(v.Type().Elem())
		d.decode(path, n, e.Elem())
		v.Set(e)
	case reflect.Struct:
		fields := fieldsOf(v.Type())
		d.pairs(path, n, func(key string, k, val *yaml.Node) {
			child := joinPath(path, key)
			i, ok := fields.index[key]
			if !ok && path == "" && strings.HasPrefix(key, "x-") {
				return // a top-level x-... key holds anchors (&name) to reuse
			}
			if !ok {
				d.errorf(k.Line, child, "unknown field%s", suggest(key, fields.names))
				return
			}
			d.m.lines[child] = k.Line
			d.decode(child, val, v.Field(i))
		})
	case reflect.Map:
		if v.IsNil() {
			v.Set(reflect.MakeMap(v.Type()))
		}
		d.pairs(path, n, func(key string, k, val *yaml.Node) {
			child := joinPath(path, key)
			d.m.lines[child] = k.Line
			e := reflect.New(v.Type().Elem()).Elem()
			d.decode(child, val, e)
			v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), e)
		})
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n.Line, path, "expects a list, not %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			d.decode(indexPath(path, i), item, s.Index(i))
		}
		v.Set(s)
	default:
		d.errorf(n.Line, path, "internal: cannot decode into %s", v.Type())
	}
}

// pairs calls each for every key of a mapping; merge keys (<<: *anchor)
// are applied first, so that the mapping's own keys win.
func (d *decoder) pairs(path string, n *yaml.Node, each func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n.Line, path, "expects a mapping (key: value), not %s", kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			d.merge(path, n.Content[i+1], each)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, path, "a key must be a single value, not %s", kindName(k))
			continue
		}
		if l, dup := seen[k.Value]; dup {
			d.errorf(k.Line, joinPath(path, k.Value), "set twice (first on line %d)", l)
			continue
		}
		seen[k.Value] = k.Line
		each(k.Value, k, val)
	}
}

func (d *decoder) merge(path string, n *yaml.Node, each func(key string, k, v *yaml.Node)) {
	n, leave, ok := d.enter(path, n)
	if !ok {
		return
	}
	defer leave()
	switch n.Kind {
	case yaml.MappingNode:
		d.pairs(path, n, each)
	case yaml.SequenceNode:
		for _, item := range n.Content {
			d.merge(path, item, each)
		}
	default:
		d.errorf(n.Line, path, "<< merges a mapping, not %s", kindName(n))
	}
}

type structFields struct {
	index map[string]int
	names []string
}

var fieldCache sync.Map // reflect.Type → *structFields

func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: map[string]int{}}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" || name == "" {
			continue
		}
		f.index[name] = i
		f.names = append(f.names, name)
	}
	fieldCache.Store(t, f)
	return f
}

// suggest names the known field closest to a misspelt one.
func suggest(key string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(key), n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
