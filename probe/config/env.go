package config

import (
	"fmt"
	"os"
	"strings"
)

// LookupEnv is how Parse reads the environment; tests replace it.
type LookupEnv func(name string) (string, bool)

// expand replaces ${VAR} and ${VAR:-default} in one scalar value. A VAR
// that is unset (or empty, for the :- form) takes the default; an unset VAR
// without a default is an error. $${ writes a literal ${. A lone $ is
// kept as it is (passwords have them). It returns the names of the
// variables whose values were used: those values are secrets.
//
// Expansion works on scalar values after YAML parsing, not on the raw
// text: a value with a colon, a quote or a newline cannot change the
// file's structure, line numbers stay true, `${X}` in a comment is inert,
// and every field knows whether its value came from the environment.
func expand(s string, lookup LookupEnv) (out string, used []string, err error) {
	if !strings.Contains(s, "${") {
		return s, nil, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", nil, fmt.Errorf("unterminated ${ (write $${ for a literal ${)")
		}
		body := s[i+2 : i+2+end]
		i += 2 + end + 1
		name, def, hasDef := strings.Cut(body, ":-")
		if !validEnvName(name) {
			return "", nil, fmt.Errorf("${%s}: %q is not an environment variable name", body, name)
		}
		v, ok := lookup(name)
		switch {
		case ok && (v != "" || !hasDef):
			b.WriteString(v)
			if v != "" {
				used = append(used, name)
			}
		case hasDef:
			b.WriteString(def)
		default:
			return "", nil, fmt.Errorf("environment variable %s is not set (write ${%s:-default} for a default)", name, name)
		}
	}
	return b.String(), used, nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func osLookup(name string) (string, bool) { return os.LookupEnv(name) }
