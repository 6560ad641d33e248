package checks

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// submitForm sends the contact form with the configured values (submit:
// true, a test inbox or staging site) and times its confirmation: the end of
// the contact, which visitors remember as well as its start. It sends from a
// tab of its own, the only one allowed to (Tab.AllowPosts, and the form
// module's guard off there), so the landing page's timeline stays the first
// impression's. Each field is typed into (or clicked, or chosen from) with
// trusted input and the form is sent with a click on its submit button (or
// Enter); the confirmation is waited for as long as the first impression's
// window.
func submitForm(ctx context.Context, pg *Page, page, selector string, tp *Touchpoint) {
	spec := pg.Plan.Form
	fail := func(format string, args ...any) {
		tp.Up, tp.Reason, tp.Detail = false, ReasonFormUnusable, "could not be sent: "+fmt.Sprintf(format, args...)
		pg.Logf("contact form: %s", tp.Detail)
	}
	tab, err := pg.Session.OpenTab(ctx)
	if err != nil {
		fail("no tab to send from: %v", err)
		return
	}
	defer tab.Close()
	tab.AllowPosts()
	errText, start, err := tab.Navigate(ctx, page, pg.Plan.Window)
	if err != nil || errText != "" {
		fail("opening %s again: %v %s", page, err, errText)
		return
	}
	pl := &place{
		tab: tab, where: "the page sent from",
		arg:      watchArg{Selector: selector, Allow: true, ForMS: pg.Plan.Window.Milliseconds()},
		deadline: start.Add(pg.Plan.Window),
		since:    func(float64) float64 { return 0 },
		quiet:    func(formState) bool { return false },
	}
	pl.start(ctx)
	var st formState
	_ = browser.Until(ctx, pl.deadline, formPoll, func(ctx context.Context) (bool, error) {
		s, err := pl.state(ctx)
		if err == nil {
			st = s
		}
		return err == nil && s.Found && (s.UsableAt > 0 || s.Problem == "outside"), nil
	})
	if !st.Found || (st.UsableAt == 0 && st.Problem != "outside") {
		fail("the form did not come back usable on a second visit (%s)", st.problem())
		return
	}
	values := map[string]string{"email": "probe@example.com", "message": "Automated availability check from touchprobe, please ignore"}
	for k, v := range spec.Fields {
		values[k] = v
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	main := tab.Main()
	var slowest float64
	note := func(in browser.Interaction) {
		if in.Measured {
			slowest = max(slowest, in.Seconds)
		}
	}
	var enterIn *browser.Element // a text input Enter would send the form from
	filled := 0
	for _, k := range keys {
		var f struct {
			Found   bool   `json:"found"`
			Handle  int    `json:"handle"`
			Desc    string `json:"desc"`
			Type    string `json:"type"`
			Checked bool   `json:"checked"`
		}
		if err := main.Call(ctx, "form.field", map[string]string{"selector": st.Selector, "key": k, "value": values[k]}, &f); err != nil {
			fail("finding the field %q: %v", k, err)
			return
		}
		if !f.Found {
			if _, configured := spec.Fields[k]; configured {
				fail("the form has no field %q", k)
				return
			}
			continue // a default the form does not ask for
		}
		el := main.ElementByHandle(f.Handle, f.Desc)
		var in browser.Interaction
		switch f.Type {
		case "checkbox":
			if truthy(values[k]) != f.Checked {
				in, err = el.Click(ctx)
			}
		case "radio":
			if !f.Checked {
				in, err = el.Click(ctx)
			}
		case "select":
			in, err = el.Select(ctx, values[k])
		default:
			in, err = el.Type(ctx, values[k])
			if err == nil && f.Type != "textarea" {
				enterIn = el
			}
		}
		note(in)
		if err != nil {
			fail("%s: %v", f.Desc, err)
			return
		}
		filled++
	}
	var b struct {
		Found  bool   `json:"found"`
		Handle int    `json:"handle"`
		Desc   string `json:"desc"`
	}
	if err := main.Call(ctx, "form.submitter", map[string]string{"selector": st.Selector}, &b); err != nil {
		fail("finding the submit button: %v", err)
		return
	}
	var sent browser.Interaction
	switch {
	case b.Found:
		sent, err = main.ElementByHandle(b.Handle, b.Desc).Click(ctx)
	case enterIn != nil:
		if _, err = enterIn.Click(ctx); err == nil {
			sent, err = enterIn.Press(ctx, "Enter")
		}
	default:
		err = errors.New("the form has no submit button and no field Enter would send it from")
	}
	note(sent)
	if slowest > 0 && (tp.InteractionSeconds == nil || slowest > *tp.InteractionSeconds) {
		tp.InteractionSeconds = ptr(slowest)
	}
	if err != nil {
		fail("sending: %v", err)
		return
	}
	tp.Sent = true
	pg.Logf("contact form: %d field(s) filled, sent with %s; waiting for %q", filled, strings.TrimSpace(b.Desc+" "+sent.Kind), spec.Confirmation)
	var done struct {
		OK bool    `json:"ok"`
		At float64 `json:"at"`
	}
	wait := browser.Until(ctx, time.Now().Add(pg.Plan.Window), 50*time.Millisecond, func(ctx context.Context) (bool, error) {
		err := tab.Main().Call(ctx, "form.confirmed", map[string]string{"want": spec.Confirmation, "selector": st.Selector}, &done)
		return err == nil && done.OK, nil
	})
	if wait == nil && done.OK {
		tp.ResponseSeconds = ptr(max(0, (done.At-sent.At)/1000))
		return
	}
	tp.Up, tp.Reason = false, ReasonFormUnconfirmed
	tp.Detail = fmt.Sprintf("sent, but %q did not appear within %s", spec.Confirmation, pg.Plan.Window)
}

// truthy: a configured value that means "checked".
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "1", "checked", "x":
		return true
	}
	return false
}
