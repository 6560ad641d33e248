package browser

import (
	_ "embed"
	"encoding/json"
	"strconv"
	"strings"
)

// Module is JavaScript that checks run in a visit's documents: the whole
// text of one embedded .js file is an object literal of functions, each
// taking one JSON argument and returning plain data (or a promise of it).
// Modules live in an isolated world of every document: the page's scripts
// neither see nor disturb them, while the DOM, hit tests and the
// performance timeline are the page's own. A module is installed once per
// document (at its start, or at the first call); calls then only carry
// their argument.
type Module struct {
	Name   string // the module's name in calls: "consent" in "consent.find"
	Source string // an object literal expression
}

// worldName is the isolated world every module lives in; one world per
// document, so modules share it (hands knows the layers consent names).
const worldName = "touchprobe"

//go:embed js/hands.js
var handsJS string

// handsModule is the visitor's eyes: locating, actionability, interaction
// timing. Every tab has it.
var handsModule = Module{Name: "hands", Source: handsJS}

// bundle is the script that installs mods in a document, each once.
func bundle(mods []Module) string {
	var b strings.Builder
	b.WriteString("(() => {\nconst tp = globalThis.__tp || (globalThis.__tp = {});\n")
	for _, m := range mods {
		name := strconv.Quote(m.Name)
		b.WriteString("if (!tp[" + name + "]) tp[" + name + "] = (\n")
		b.WriteString(m.Source)
		b.WriteString("\n);\n")
	}
	// Modules that watch from the document's start begin now.
	b.WriteString("for (const m of Object.values(tp)) if (m && typeof m.init === 'function') { try { m.init(); } catch (_) {} }\nreturn true;\n})()")
	return b.String()
}

// Start is a module function a visit calls in the landing page's main
// document as it starts, before the page's own scripts run (a watcher that
// must see the page from its first moment). Arg is any JSON value.
type Start struct {
	Fn  string // "module.function"
	Arg any
}

// startScript calls starts in a document's main frame at its start.
func startScript(starts []Start) (string, error) {
	var b strings.Builder
	b.WriteString("(() => {\nif (window.top !== window) return;\nconst tp = globalThis.__tp || {};\n")
	for _, st := range starts {
		module, fn, _ := strings.Cut(st.Fn, ".")
		arg, err := json.Marshal(st.Arg) // JSON is a JavaScript literal (Go escapes U+2028/9)
		if err != nil {
			return "", err
		}
		b.WriteString("try { tp[" + strconv.Quote(module) + "][" + strconv.Quote(fn) + "](" + string(arg) + "); } catch (_) {}\n")
	}
	b.WriteString("})()")
	return b.String(), nil
}

// callModule is the function every call runs in the isolated world. A
// module that is not there yet (a document that started before the tab
// knew it) is reported, installed and called again.
const callModule = `function (module, fn, arg) {
  const tp = globalThis.__tp;
  if (!tp || !tp[module]) return {__tpMissing: true};
  if (typeof tp[module][fn] !== 'function') throw new Error('no function ' + module + '.' + fn);
  return tp[module][fn](arg);
}`
