package browser

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// Locator names an element the way a visitor finds it: by a CSS selector,
// or by its visible text (a link, a button, a role=button, a label; case
// and spaces ignored, an exact match before one that starts with the text).
// Nth picks among the matches, visible ones first.
type Locator struct {
	CSS  string `json:"css,omitempty"`
	Text string `json:"text,omitempty"`
	Nth  int    `json:"nth,omitempty"`
}

func (l Locator) String() string {
	if l.Text != "" {
		return fmt.Sprintf("%q", l.Text)
	}
	return l.CSS
}

// ErrNotFound: no element matches the locator in the frame.
var ErrNotFound = errors.New("not found")

// Element is an element found in a frame. It is kept by a handle in the
// frame's isolated world (never marked in the page's DOM).
type Element struct {
	frame  *Frame
	handle int
	desc   string
}

// Frame is the document the element is in.
func (e *Element) Frame() *Frame { return e.frame }

// Handle names the element in module calls of its frame ({"handle": n}).
func (e *Element) Handle() int { return e.handle }

// String describes the element for messages: tag#id "text".
func (e *Element) String() string { return e.desc }

// Find locates an element in the frame.
func (f *Frame) Find(ctx context.Context, loc Locator) (*Element, error) {
	var r struct {
		Found  bool   `json:"found"`
		Handle int    `json:"handle"`
		Count  int    `json:"count"`
		Desc   string `json:"desc"`
		Error  string `json:"error"`
	}
	if err := f.Call(ctx, "hands.find", loc, &r); err != nil {
		return nil, err
	}
	switch {
	case r.Error != "":
		return nil, fmt.Errorf("locator %s: %s", loc, r.Error)
	case !r.Found:
		return nil, fmt.Errorf("%s: %w", loc, ErrNotFound)
	}
	return &Element{frame: f, handle: r.Handle, desc: r.Desc}, nil
}

// ElementByHandle is an element a module found and kept with
// hands.keep(el).
func (f *Frame) ElementByHandle(handle int, desc string) *Element {
	return &Element{frame: f, handle: handle, desc: desc}
}

// Find locates an element in the tab: in the main frame, else in any of
// its iframes.
func (t *Tab) Find(ctx context.Context, loc Locator) (*Element, error) {
	main := t.Main()
	el, err := main.Find(ctx, loc)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return el, err
	}
	frames, ferr := t.Frames(ctx)
	if ferr != nil {
		return nil, err
	}
	for _, f := range frames[1:] {
		if el, ferr := f.Find(ctx, loc); ferr == nil {
			return el, nil
		}
	}
	return nil, err
}

// Actionability is whether a visitor could act on an element now, in the
// manner of Playwright's checks: attached, visible, stable (the same box on
// two consecutive animation frames), enabled, in view, and receiving
// events (the hit test at the click point lands on it, in its frame and in
// every frame around it).
type Actionability struct {
	OK bool `json:"ok"`
	// Problem: detached | hidden | moving | disabled | outside | covered.
	Problem string `json:"problem,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// CoveredBy describes what a click would land on instead; Layer names
	// the layer it belongs to when a module registered one ("consent").
	CoveredBy string `json:"coveredBy,omitempty"`
	Layer     string `json:"layer,omitempty"`
	// X, Y: the click point in the tab's viewport (CSS pixels).
	X float64 `json:"x"`
	Y float64 `json:"y"`
	// At: when it was checked, the element's frame clock (epoch ms).
	At float64 `json:"at"`
}

func (a Actionability) String() string {
	if a.OK {
		return "actionable"
	}
	if a.Detail != "" {
		return a.Problem + ": " + a.Detail
	}
	return a.Problem
}

// NotActionable is the error of an action on an element a visitor could
// not act on.
type NotActionable struct{ Actionability }

func (e *NotActionable) Error() string { return e.Actionability.String() }

// Check scrolls the element into view (script scrolling, not input: it
// leaves the page's LCP alone) and tells whether a visitor could act on it.
func (e *Element) Check(ctx context.Context) (Actionability, error) {
	var a Actionability
	if err := e.frame.Call(ctx, "hands.check", map[string]any{"handle": e.handle}, &a); err != nil {
		return a, err
	}
	if !a.OK {
		return a, nil
	}
	// Up through the frames around it: the owner <iframe> must be in view
	// and receive the click there too; the point moves by its origin.
	for f := e.frame; ; {
		parent := f.parentFrame()
		if f.IsMain() {
			break
		}
		if parent == nil {
			return a, fmt.Errorf("the frame around %s is not known", e.desc)
		}
		if err := f.ownerCall(ctx, "scrollOwner", nil, nil); err != nil {
			return a, err
		}
		var box struct {
			OK        bool    `json:"ok"`
			X         float64 `json:"x"`
			Y         float64 `json:"y"`
			Problem   string  `json:"problem"`
			Detail    string  `json:"detail"`
			CoveredBy string  `json:"coveredBy"`
			Layer     string  `json:"layer"`
		}
		if err := f.ownerCall(ctx, "ownerBox", map[string]float64{"lx": a.X, "ly": a.Y}, &box); err != nil {
			return a, err
		}
		a.X, a.Y = a.X+box.X, a.Y+box.Y
		if !box.OK {
			a.OK, a.Problem, a.Detail, a.CoveredBy, a.Layer = false, box.Problem, box.Detail, box.CoveredBy, box.Layer
			return a, nil
		}
		f = parent
	}
	return a, nil
}

// Interaction is one input the visitor made and how long the page took to
// answer it: from the input to the next paint after its handlers (Event
// Timing's duration, the measure behind Interaction to Next Paint).
type Interaction struct {
	Kind string `json:"kind"` // click | tap | key | type | select
	// Seconds: input to next paint; Measured is false when the page did
	// not paint within the wait (the interaction then took longer).
	Seconds  float64 `json:"seconds"`
	Measured bool    `json:"measured"`
	// By: event-timing (the page took 16 ms or more) or next-frame (less:
	// Event Timing records nothing under 16 ms).
	By string `json:"by,omitempty"`
	// At: when the input was made, the element's frame clock (epoch ms).
	At float64 `json:"at"`
	// answer measures it later, for an input made under DeferAnswers.
	answer func(ctx context.Context, untilEpoch float64) Interaction
}

type deferKey struct{}

// DeferAnswers has inputs made with the returned context come back as
// soon as they are made, their answer not yet measured: a visitor taking
// steps goes on at once, and the probe's wait for the next paint must not
// delay (and so misdate) what the steps see next. Interaction.Answer
// measures it afterwards.
func DeferAnswers(ctx context.Context) context.Context {
	return context.WithValue(ctx, deferKey{}, true)
}

// Answer measures an input made under DeferAnswers (others are returned
// as they are), counting only the page's events before untilEpoch (the
// next input's At; 0: no bound), so a later input is not taken for its
// answer.
func (in Interaction) Answer(ctx context.Context, untilEpoch float64) Interaction {
	if in.answer == nil {
		return in
	}
	return in.answer(ctx, untilEpoch)
}

// interactionWait bounds how long an input's answer (its next paint) is
// waited for.
const interactionWait = 3 * time.Second

// Click checks the element and clicks it as the visitor does: a tap on a
// touch device, else a mouse click, both trusted input at its visible
// point. A visitor who could not act gets *NotActionable.
func (e *Element) Click(ctx context.Context) (Interaction, error) {
	a, err := e.Check(ctx)
	if err != nil {
		return Interaction{}, err
	}
	if !a.OK {
		return Interaction{}, &NotActionable{a}
	}
	kind := "click"
	if e.frame.tab.touch {
		kind = "tap"
	}
	return e.interact(ctx, kind, func(ctx context.Context) error { return e.frame.tab.pointAt(ctx, a.X, a.Y) })
}

// Type focuses a field with a click (or tap) and types text into it as
// one insertion of text (as an input method does), then checks the field
// holds it. The interaction reported is the focusing click's.
func (e *Element) Type(ctx context.Context, text string) (Interaction, error) {
	in, err := e.Click(ctx)
	if err != nil {
		return in, err
	}
	var focused bool
	if err := e.frame.Call(ctx, "hands.focused", map[string]any{"handle": e.handle}, &focused); err != nil {
		return in, err
	}
	if !focused {
		return in, fmt.Errorf("%s did not take the focus", e.desc)
	}
	if err := e.frame.tab.insertText(ctx, text); err != nil {
		return in, err
	}
	v, err := e.Value(ctx)
	if err != nil {
		return in, err
	}
	if !strings.Contains(strings.Join(strings.Fields(v), " "), strings.Join(strings.Fields(text), " ")) {
		return in, fmt.Errorf("%s did not take the text (it holds %q)", e.desc, truncate(v, 60))
	}
	in.Kind = "type"
	return in, nil
}

// Press presses a key (Enter, Escape, ArrowDown, ArrowUp, Tab) in the
// element, which must have the focus.
func (e *Element) Press(ctx context.Context, key string) (Interaction, error) {
	return e.interact(ctx, "key", func(ctx context.Context) error { return e.frame.tab.press(ctx, key) })
}

// Select picks the option with the given visible text in a <select>, as a
// visitor with a keyboard does: focus it, then arrow keys.
func (e *Element) Select(ctx context.Context, option string) (Interaction, error) {
	var opts struct {
		Options  []string `json:"options"`
		Selected int      `json:"selected"`
	}
	if err := e.frame.Call(ctx, "hands.options", map[string]any{"handle": e.handle}, &opts); err != nil {
		return Interaction{}, err
	}
	want := -1
	for i, o := range opts.Options {
		if strings.EqualFold(strings.TrimSpace(o), strings.TrimSpace(option)) {
			want = i
			break
		}
	}
	if want < 0 {
		return Interaction{}, fmt.Errorf("%s has no option %q (it has %s)", e.desc, option, strings.Join(opts.Options, ", "))
	}
	in, err := e.Click(ctx)
	if err != nil {
		return in, err
	}
	// A click may open the option list; Escape closes it and keeps the focus.
	if err := e.frame.tab.press(ctx, "Escape"); err != nil {
		return in, err
	}
	for i := 0; i < len(opts.Options) && ctx.Err() == nil; i++ {
		if err := e.frame.Call(ctx, "hands.options", map[string]any{"handle": e.handle}, &opts); err != nil {
			return in, err
		}
		if opts.Selected == want {
			in.Kind = "select"
			return in, nil
		}
		key := "ArrowDown"
		if opts.Selected > want {
			key = "ArrowUp"
		}
		if err := e.frame.tab.press(ctx, key); err != nil {
			return in, err
		}
	}
	return in, fmt.Errorf("%s: option %q could not be chosen", e.desc, option)
}

// Value is what a field holds (a contenteditable's text, a select's
// chosen option).
func (e *Element) Value(ctx context.Context) (string, error) {
	var v *string
	if err := e.frame.Call(ctx, "hands.value", map[string]any{"handle": e.handle}, &v); err != nil {
		return "", err
	}
	if v == nil {
		return "", fmt.Errorf("%s is gone or holds no value", e.desc)
	}
	return *v, nil
}

// Clear empties a field the probe typed into, so that a test value never
// stays in a form a visitor could send. It does as a visitor does, with
// trusted input: a click into the field, select all, delete; the field
// must then be empty. The click's answer is not waited for.
func (e *Element) Clear(ctx context.Context) error {
	if _, err := e.Click(DeferAnswers(ctx)); err != nil {
		return err
	}
	for _, key := range []string{"Ctrl+A", "Backspace"} {
		if err := e.frame.tab.press(ctx, key); err != nil {
			return err
		}
	}
	v, err := e.Value(ctx)
	if err != nil {
		return err
	}
	if strings.TrimSpace(v) != "" {
		return fmt.Errorf("%s still holds %q after select all and delete", e.desc, truncate(v, 60))
	}
	return nil
}

// interact makes one input and measures its answer in the element's frame.
func (e *Element) interact(ctx context.Context, kind string, do func(context.Context) error) (Interaction, error) {
	var clk struct {
		Now    float64 `json:"now"`
		Origin float64 `json:"origin"`
	}
	if err := e.frame.Call(ctx, "hands.clock", nil, &clk); err != nil {
		return Interaction{}, err
	}
	in := Interaction{Kind: kind, At: clk.Origin + clk.Now}
	if err := do(ctx); err != nil {
		return in, err
	}
	measure := func(ctx context.Context, untilEpoch float64) Interaction {
		out := in
		out.answer = nil
		arg := map[string]float64{"since": clk.Now}
		if untilEpoch > 0 {
			arg["until"] = untilEpoch - clk.Origin
		}
		wctx, cancel := context.WithTimeout(ctx, interactionWait)
		defer cancel()
		_ = Poll(wctx, 50*time.Millisecond, func(ctx context.Context) (bool, error) {
			if e.frame.replaced(ctx, clk.Origin) {
				return true, nil // the input took the document away (see replaced)
			}
			var r struct {
				Found bool    `json:"found"`
				MS    float64 `json:"ms"`
				By    string  `json:"by"`
			}
			if err := e.frame.Call(ctx, "hands.interaction", arg, &r); err != nil {
				// The input may have taken the frame away (a link, a
				// form): it happened, its answer is not measurable there.
				return errors.Is(err, ErrGone), nil
			}
			if r.Found {
				out.Seconds, out.Measured, out.By = r.MS/1000, true, r.By
			}
			return r.Found, nil
		})
		return out
	}
	if ctx.Value(deferKey{}) != nil {
		in.answer = measure
		return in, nil
	}
	return measure(ctx, 0), nil
}

// pointAt makes the visitor's pointer input at a point of the tab's
// viewport: a tap with touch, else a mouse move, press and release.
func (t *Tab) pointAt(ctx context.Context, x, y float64) error {
	cctx, cancel := t.Bound(ctx, callTimeout)
	defer cancel()
	if t.touch {
		return chromedp.Do(cctx, chromedp.TapXY(x, y))
	}
	for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMouseMoved, input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
		p := input.DispatchMouseEventParams{Type: typ, X: x, Y: y}
		if typ != input.DispatchMouseEventTypeMouseMoved {
			p.Button, p.ClickCount = input.MouseButtonLeft, 1
		}
		if _, err := chromedp.Call(cctx, input.DispatchMouseEvent, p); err != nil {
			return err
		}
	}
	return nil
}

// insertText types text into the focused field as one insertion.
func (t *Tab) insertText(ctx context.Context, text string) error {
	cctx, cancel := t.Bound(ctx, callTimeout)
	defer cancel()
	_, err := chromedp.Call(cctx, input.InsertText, input.InsertTextParams{Text: text})
	return err
}

// keys the probe presses: DOM key, code, Windows key code, the text it
// types, and for a chord its modifiers (Ctrl=2) and the editing command
// the platform's key bindings give it.
var keys = map[string]struct {
	key, code string
	vk        int64
	text      string
	modifiers int64
	commands  []string
}{
	"Enter":     {"Enter", "Enter", 13, "\r", 0, nil},
	"Escape":    {"Escape", "Escape", 27, "", 0, nil},
	"Tab":       {"Tab", "Tab", 9, "", 0, nil},
	"ArrowDown": {"ArrowDown", "ArrowDown", 40, "", 0, nil},
	"ArrowUp":   {"ArrowUp", "ArrowUp", 38, "", 0, nil},
	"Backspace": {"Backspace", "Backspace", 8, "", 0, nil},
	"Ctrl+A":    {"a", "KeyA", 65, "", 2, []string{"selectAll"}},
}

// press presses and releases a key (or a chord) in the focused element.
func (t *Tab) press(ctx context.Context, name string) error {
	k, ok := keys[name]
	if !ok {
		return fmt.Errorf("no key %q", name)
	}
	cctx, cancel := t.Bound(ctx, callTimeout)
	defer cancel()
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: k.key, Code: k.code, WindowsVirtualKeyCode: k.vk, NativeVirtualKeyCode: k.vk,
		Text: k.text, Modifiers: k.modifiers, Commands: k.commands}
	if k.text == "" {
		down.Type = input.DispatchKeyEventTypeRawKeyDown
	}
	if _, err := chromedp.Call(cctx, input.DispatchKeyEvent, down); err != nil {
		return err
	}
	up := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyUp, Key: k.key, Code: k.code, WindowsVirtualKeyCode: k.vk, NativeVirtualKeyCode: k.vk, Modifiers: k.modifiers}
	_, err := chromedp.Call(cctx, input.DispatchKeyEvent, up)
	return err
}
