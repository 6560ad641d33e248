package config

import (
	"errors"
	"strings"
	"testing"
)

// noEnv is an environment with only the variables given.
func noEnv(vars ...string) LookupEnv {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestInvalidConfigs: each bad config with the exact errors it must give
// (file:line: field: message), all of them, in file order.
func TestInvalidConfigs(t *testing.T) {
	const ok = "targets:\n  - name: acme\n    url: https://acme.example/\n"
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{"empty file", "", []string{
			"t.yml:1: the file is empty: it needs at least a targets list"}},
		{"no targets", "global:\n  interval: 1m\n", []string{
			"t.yml: targets: no targets: add at least one (name and url)"}},
		{"not yaml", "targets: [\n", []string{
			"t.yml:1: not valid YAML: did not find expected node content"}},
		{"top level is a list", "- a\n- b\n", []string{
			"t.yml:1: expects a mapping (key: value), not a list"}},
		{"two documents", ok + "---\nglobal: {}\n", []string{
			"t.yml:4: a second YAML document (---): a config is one document"}},
		{"unknown top-level key", "glboal: {}\n" + ok, []string{
			`t.yml:1: glboal: unknown field (did you mean "global"?)`}},
		{"unknown key in global", "global:\n  concurency: 3\n" + ok, []string{
			`t.yml:2: global.concurency: unknown field (did you mean "concurrency"?)`}},
		{"unknown key deep inside chat (a Toggle section)", ok + "    chat:\n      tiemout: 5s\n", []string{
			`t.yml:5: targets[0].chat.tiemout: unknown field (did you mean "timeout"?)`}},
		{"unknown key inside contact_form", ok + "    contact_form: {selectr: form}\n", []string{
			`t.yml:4: targets[0].contact_form.selectr: unknown field (did you mean "selector"?)`}},
		{"key set twice", ok + "    url: https://other.example/\n", []string{
			"t.yml:4: targets[0].url: set twice (first on line 3)"}},
		{"bad duration", "global:\n  interval: 5x\n" + ok, []string{
			`t.yml:2: global.interval: "5x" is not a duration (write e.g. 1.8s, 5m, 1h)`}},
		{"the issue's example: chat timeout", ok + ok[9:] + ok[9:] + "    chat:\n      timeout: 6o s\n", []string{
			// three targets, all named acme: the duplicates are errors too
			`t.yml:4: targets[1].name: "acme" is already the name of targets[0] (line 2)`,
			`t.yml:6: targets[2].name: "acme" is already the name of targets[0] (line 2)`,
			`t.yml:9: targets[2].chat.timeout: "6o s" is not a duration (write e.g. 1.8s, 5m, 1h)`}},
		{"a language that is not a language tag", "global:\n  languages: [el-GR, \"greek please\"]\n" + ok, []string{
			`t.yml:2: global.languages[1]: "greek please" is not a language tag (write e.g. en-US, el or pt-BR)`}},
		{"a visitor profile that does not exist", ok + "    visitors: [desktop, robot]\n", []string{
			`t.yml:4: targets[0].visitors[1]: "robot" is no visitor profile (known: desktop, mobile)`}},
		{"a custom profile with a bad network and a built-in's name", "visitor_profiles:\n  - name: mobile\n    network: 5g\n" + ok, []string{
			`t.yml:2: visitor_profiles[0].name: "mobile" is a built-in profile; name yours otherwise`,
			`t.yml:3: visitor_profiles[0].network: "5g": must be none, 4g, slow-4g or 3g (or set latency_ms, download_kbps, upload_kbps)`}},
		{"key points with mistakes in their steps", ok + `    touchpoints:
      - name: Booking
        steps:
          - click: {text: "Book", css: "#b"}
          - type: {into: "#date"}
          - {visible: "#x", text: "y"}
      - name: chat
        page: https://elsewhere.example/book
        steps: []
`, []string{
			`t.yml:5: targets[0].touchpoints[0].name: "Booking": use lower-case letters, digits and _ (at most 40, a letter first): it becomes the touchpoint label and the milestone NAME_ready`,
			`t.yml:7: targets[0].touchpoints[0].steps[0].click: a selector or a text, not both`,
			`t.yml:8: targets[0].touchpoints[0].steps[1].type: needs into (a selector) and text`,
			`t.yml:9: targets[0].touchpoints[0].steps[2]: a step is exactly one of click, type, select, visible, usable, text, url (got 2)`,
			`t.yml:10: targets[0].touchpoints[1].name: "chat" is a built-in touchpoint; configure it under its own key or pick another name`,
			`t.yml:11: targets[0].touchpoints[1].page: "https://elsewhere.example/book" leaves the target's site (acme.example): add its host to allow_hosts`,
			`t.yml:12: targets[0].touchpoints[1].steps: missing: at least one step (click, type, select, visible, usable, text, url)`}},
		{"zero and negative durations", "global:\n  timeout: 0s\n  recheck_after: -1m\n" + ok, []string{
			"t.yml:2: global.timeout: must be more than 0 (got 0s)",
			"t.yml:3: global.recheck_after: must be more than 0 (got -1m)"}},
		{"window longer than timeout", "global:\n  window: 90s\n" + ok, []string{
			"t.yml:2: global.window: 1m30s is longer than global.timeout 1m: the visit would end before the first impression"}},
		{"target window longer than its timeout", ok + "    timeout: 10s\n", []string{
			"t.yml:4: targets[0].timeout: 10s is shorter than the window 20s: the visit would end before the first impression"},
		},
		{"target window set longer than the global timeout", ok + "    window: 61s\n", []string{
			"t.yml:4: targets[0].window: 1m1s is longer than the timeout 1m: the visit would end before the first impression"}},
		{"concurrency", "global:\n  concurrency: 0\n" + ok, []string{
			"t.yml:2: global.concurrency: must be at least 1 (got 0)"}},
		{"concurrency not a number", "global:\n  concurrency: two\n" + ok, []string{
			`t.yml:2: global.concurrency: "two" is not a whole number`}},
		{"shard out of range", "global:\n  shard: 3/3\n" + ok, []string{
			`t.yml:2: global.shard: "3/3" is not a shard: i counts from 0 to n-1`}},
		{"shard syntax", "global:\n  shard: three\n" + ok, []string{
			`t.yml:2: global.shard: "three" is not a shard: write "i/n", e.g. 0/3`}},
		{"deny network", "global:\n  deny_networks: [10.0.0.0/33]\n" + ok, []string{
			`t.yml:2: global.deny_networks[0]: "10.0.0.0/33" is not a network (write e.g. 169.254.169.254/32 or fd00:ec2::254/128)`}},
		{"remote_url scheme", "global:\n  browser: {remote_url: 'ftp://x'}\n" + ok, []string{
			`t.yml:2: global.browser.remote_url: "ftp://x" is not a DevTools address (write ws://host:9222/devtools/browser/... or http://host:9222)`}},
		{"exec_path and remote_url", "global:\n  browser:\n    exec_path: /bin/chromium\n    remote_url: ws://127.0.0.1:9222/\n" + ok, []string{
			"t.yml:4: global.browser.remote_url: set either exec_path (a local Chromium) or remote_url (a browser elsewhere), not both"}},
		{"memory size", "global:\n  browser: {recycle_above_memory: 2 gigs}\n" + ok, []string{
			`t.yml:2: global.browser.recycle_above_memory: "2 gigs" is not a size (write e.g. 512MiB, 2GiB, 1500000)`}},
		{"flag with dashes", "global:\n  browser:\n    flags: {--lang: en}\n" + ok, []string{
			`t.yml:3: global.browser.flags["--lang"]: "--lang" is not a Chromium flag name (write it without leading dashes, e.g. lang: en-US)`}},
		{"user agent marker", "global:\n  user_agent_marker: \"a\\nb\"\n" + ok, []string{
			`t.yml:2: global.user_agent_marker: "a\nb": only printable ASCII goes into a User-Agent and a header`}},
		{"filmstrip not a bool", "global:\n  filmstrip: sometimes\n" + ok, []string{
			`t.yml:2: global.filmstrip: "sometimes" is not true or false`}},
		{"target without name and url", "targets:\n  - labels: {team: web}\n", []string{
			"t.yml:2: targets[0].name: missing: every target needs a name (the target label)",
			"t.yml:2: targets[0].url: missing: every target needs a url"}},
		{"target name not label-safe", "targets:\n  - name: acme shop\n    url: https://acme.example/\n", []string{
			`t.yml:2: targets[0].name: "acme shop": use letters, digits, _ . - (at most 128)`}},
		{"relative and non-http url", "targets:\n  - name: a\n    url: /x\n  - name: b\n    url: ftp://b.example/\n", []string{
			`t.yml:3: targets[0].url: "/x" is not an absolute http(s) URL`,
			`t.yml:5: targets[1].url: "ftp://b.example/" is not an absolute http(s) URL`}},
		{"labels", ok + "    labels: {target: x, \"bad label\": y, __x: z}\n", []string{
			`t.yml:4: targets[0].labels.__x: "__x" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`,
			`t.yml:4: targets[0].labels["bad label"]: "bad label" is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`,
			`t.yml:4: targets[0].labels.target: "target" is a label touchprobe or Prometheus sets itself; pick another name`}},
		{"consent", ok + "    consent: maybe\n", []string{
			`t.yml:4: targets[0].consent: "maybe": must be accept, reject or leave`}},
		{"promise not a milestone", ok + "    promises:\n      fcp: 1s\n      largest_contentful_paint: 0s\n", []string{
			`t.yml:5: targets[0].promises.fcp: "fcp" is not a milestone (one of ttfb, first_paint, first_contentful_paint, largest_contentful_paint, dom_content_loaded, load, contact_form_ready, chat_ready, chat_answered) nor interaction`,
			"t.yml:6: targets[0].promises.largest_contentful_paint: must be more than 0 (got 0s)"}},
		{"toggle neither false nor a mapping", ok + "    contact_form: maybe\n", []string{
			`t.yml:4: targets[0].contact_form: "maybe": write false (skip it), a mapping (check it as configured), or leave it out (find it automatically)`}},
		{"chat provider", ok + "    chat: {provider: olark}\n", []string{
			`t.yml:4: targets[0].chat.provider: "olark": one of auto, generic, intercom, zendesk, drift, tawkto, livechat, crisp, hubspot, tidio`}},
		{"chat blank message", ok + "    chat: {message: \"  \"}\n", []string{
			"t.yml:4: targets[0].chat.message: must not be blank: the message says it is an automated check"}},
		{"form page", ok + "    contact_form: {page: contact}\n", []string{
			`t.yml:4: targets[0].contact_form.page: "contact": write a path (/contact) or an http(s) URL`}},
		{"confirmation without submit", ok + "    contact_form: {confirmation: Thanks}\n", []string{
			"t.yml:4: targets[0].contact_form.confirmation: is only used with submit: true"}},
		{"phone not a bool", ok + "    phone: 0800-123\n", []string{
			`t.yml:4: targets[0].phone: "0800-123" is not true or false`}},
		{"a list where a mapping goes", ok + "    labels: [a, b]\n", []string{
			"t.yml:4: targets[0].labels: expects a mapping (key: value), not a list"}},
		{"a mapping where a value goes", ok + "    consent: {a: b}\n", []string{
			"t.yml:4: targets[0].consent: expects a single value, not a mapping"}},
		{"metadata address as target", "targets:\n  - name: meta\n    url: http://169.254.169.254/latest/\n", []string{
			"t.yml:3: targets[0].url: 169.254.169.254 is in global.deny_networks"}},
		{"metadata address in decimal", "targets:\n  - name: meta\n    url: http://2852039166/\n", []string{
			"t.yml:3: targets[0].url: 169.254.169.254 is in global.deny_networks"}},
		{"unset environment variable", ok + "    consent: ${NOPE}\n", []string{
			"t.yml:4: targets[0].consent: environment variable NOPE is not set (write ${NOPE:-default} for a default)"}},
		{"bad variable syntax", ok + "    consent: ${NO PE}\n", []string{
			`t.yml:4: targets[0].consent: ${NO PE}: "NO PE" is not an environment variable name`}},
		{"unterminated variable", ok + "    consent: ${NOPE\n", []string{
			"t.yml:4: targets[0].consent: unterminated ${ (write $${ for a literal ${)"}},
		{"alias to itself", "targets:\n  - &t {name: a, url: 'http://a.example/', <<: *t}\n", []string{
			"t.yml:2: targets[0]: alias *t refers to itself"}},
		{"a value from the environment is not quoted in errors", ok + "    consent: ${SECRET}\n", []string{
			"t.yml:4: targets[0].consent: the value of ${SECRET}: must be accept, reject or leave"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseEnv("t.yml", []byte(tc.yaml), noEnv("SECRET", "hunter2-secret"))
			if err == nil {
				t.Fatalf("no error; config:\n%s", cfg.Redacted())
			}
			if cfg != nil {
				t.Errorf("a config came back with the error")
			}
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is %T, not Errors: %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n  got:  %s\n  want: %s", strings.Join(got, "\n        "), strings.Join(tc.want, "\n        "))
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("a secret in the message: %v", err)
			}
		})
	}
}

// TestAllErrorsAtOnce: a file with many problems reports each of them.
func TestAllErrorsAtOnce(t *testing.T) {
	data := "global:\n  interval: 5x\n  concurency: 3\ntargets:\n  - name: a\n    url: nope\n    consent: maybe\n  - name: a\n    url: https://a.example/\n    chat: {provider: olark}\n"
	_, err := ParseEnv("many.yml", []byte(data), noEnv())
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("want Errors, got %v", err)
	}
	want := []string{"many.yml:2: global.interval", "many.yml:3: global.concurency", "many.yml:6: targets[0].url",
		"many.yml:7: targets[0].consent", "many.yml:8: targets[1].name", "many.yml:10: targets[1].chat.provider"}
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(errs), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(errs[i].Error(), w+": ") {
			t.Errorf("error %d = %q, want it to start with %q", i, errs[i], w)
		}
	}
}
