package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds a config file: a fleet's thousands of targets fit
// easily; anything larger is a mistake.
const MaxFileSize = 32 << 20

// Load reads, expands, decodes, defaults and validates a config file. On
// failure the error is an Errors listing every problem as
// "FILE:LINE: FIELD: MESSAGE".
func Load(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said already
		}
		return nil, Errors{{File: path, Msg: err.Error()}}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, Errors{{File: path, Msg: err.Error()}}
	}
	if len(data) > MaxFileSize {
		return nil, Errors{{File: path, Msg: fmt.Sprintf("larger than %d bytes", MaxFileSize)}}
	}
	return Parse(path, data)
}

// Parse is Load on bytes already read; file names them in messages.
// ${VAR} values come from the process environment.
func Parse(file string, data []byte) (*Config, error) {
	return ParseEnv(file, data, osLookup)
}

// ParseEnv is Parse with the environment given.
func ParseEnv(file string, data []byte, env LookupEnv) (*Config, error) {
	root, err := parseYAML(file, data)
	if err != nil {
		return nil, err
	}
	c := &Config{File: file, meta: newMeta()}
	d := &decoder{file: file, env: env, m: c.meta, active: map[*yaml.Node]bool{}}
	if root == nil || isNull(root) {
		return nil, Errors{{File: file, Line: 1, Msg: "the file is empty: it needs at least a targets list"}}
	}
	d.decode("", root, reflect.ValueOf(c).Elem())
	if d.stop {
		return nil, d.errs
	}
	for i := range c.Targets {
		c.Targets[i].Line = c.meta.line(indexPath("targets", i))
	}
	c.meta.sortValues()
	c.setDefaults()
	errs := append(d.errs, c.validate()...)
	if len(errs) > 0 {
		return nil, dropFollowOns(d.errs, errs).sorted()
	}
	return c, nil
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the single document's root node.
func parseYAML(file string, data []byte) (root *yaml.Node, err error) {
	defer func() {
		// yaml.v3 is not ours to fix; a panic in it must not take the
		// daemon down on a reload.
		if r := recover(); r != nil {
			root, err = nil, Errors{{File: file, Msg: fmt.Sprintf("not valid YAML (%v)", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(file, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			return nil, yamlError(file, err)
		}
		return nil, Errors{{File: file, Line: line, Msg: "a second YAML document (---): a config is one document"}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		l, _ := strconv.Atoi(m[1])
		return Errors{{File: file, Line: l, Msg: "not valid YAML: " + m[2]}}
	}
	return Errors{{File: file, Msg: "not valid YAML: " + strings.TrimPrefix(msg, "yaml: ")}}
}

// dropFollowOns keeps a validation error only when its field did not
// already fail to decode (a value that did not parse is not also "missing").
func dropFollowOns(decodeErrs, all Errors) Errors {
	failed := map[string]bool{}
	for _, e := range decodeErrs {
		failed[e.Field] = true
	}
	out := all[:0:0]
	if failed[""] { // the file's top level is wrong: nothing else is worth saying
		return decodeErrs
	}
	for _, e := range all[len(decodeErrs):] {
		skip := false
		for p := e.Field; p != ""; p = parentPath(p) {
			if failed[p] {
				skip = true
				break
			}
		}
		if !skip {
			out = append(out, e)
		}
	}
	return append(append(Errors{}, decodeErrs...), out...)
}
