package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

// formGuardJS keeps every form of the page from being sent: submit events
// are cancelled and the script paths that skip them are disabled. It runs as
// early as the visit can (the consent stage, right after commit) and again at
// every form probe.
const formGuardJS = `(() => { if (window.__tpFormGuard) return true; window.__tpFormGuard = true;
  window.addEventListener('submit', e => { e.preventDefault(); e.stopImmediatePropagation(); }, true);
  HTMLFormElement.prototype.submit = function () {};
  HTMLFormElement.prototype.requestSubmit = function () {};
  return true; })()`

// formProbeJS finds the contact form (the configured selector, else a form
// with an e-mail field and a textarea), guards it against submission unless
// the plan opts in, scrolls it into view like a visitor would, and reports
// whether every field is visible, enabled, writable and not covered.
// %s: the selector JSON string ("" = automatic); %t: submission allowed;
// %s: the guard.
const formProbeJS = `(() => {
  const sel = %s, allow = %t;
  if (!allow) %s
  let form = null;
  if (sel) form = document.querySelector(sel);
  else for (const f of document.forms) {
    if (f.querySelector('input[type=email i], input[name*=mail i]') && f.querySelector('textarea')) { form = f; break; }
  }
  const now = performance.timeOrigin + performance.now();
  if (!form) return {found: false, at: now};
  const selector = sel || (form.id ? '#' + CSS.escape(form.id) : 'form[action="' + (form.getAttribute('action') || '') + '"]');
  const fields = [...form.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]):not([type=checkbox]):not([type=radio]), textarea')];
  if (!fields.length) return {found: true, selector, problem: 'no fields', at: now};
  if (!window.__tpScrolled) { window.__tpScrolled = true; fields[0].scrollIntoView({block: 'center'}); }
  for (const f of fields) {
    const r = f.getBoundingClientRect();
    const name = f.name || f.id || f.tagName.toLowerCase();
    if (!(r.width > 0 && r.height > 0 && f.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})))
      return {found: true, selector, problem: 'hidden', detail: name + ' is hidden', at: now};
    if (f.disabled || f.closest('fieldset[disabled]')) return {found: true, selector, problem: 'disabled', detail: name + ' is disabled', at: now};
    if (f.readOnly) return {found: true, selector, problem: 'read-only', detail: name + ' is read-only', at: now};
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (y < 0 || y > innerHeight || x < 0 || x > innerWidth) f.scrollIntoView({block: 'center'});
    const r2 = f.getBoundingClientRect();
    const hit = document.elementFromPoint(r2.left + r2.width / 2, r2.top + r2.height / 2);
    if (!hit || !(hit === f || f.contains(hit) || (f.labels && [...f.labels].some(l => l.contains(hit) && hit !== l))))
      return {found: true, selector, problem: 'covered', detail: name + ' is covered by ' + (hit ? hit.tagName.toLowerCase() + (hit.id ? '#' + hit.id : '') : 'nothing'), cover: (() => { let c = ''; for (let e = hit; e && e !== document.body; e = e.parentElement) c += ' ' + e.id + ' ' + e.className + ' ' + (e.getAttribute('aria-label') || ''); return c; })(), at: now};
  }
  const email = form.querySelector('input[type=email i], input[name*=mail i]') || fields[0];
  const pick = e => e.id ? '#' + CSS.escape(e.id) : selector + ' [name="' + e.name + '"]';
  return {found: true, selector, ready: true, field: pick(email), at: now};
})()`

// formWatch installs an in-page watcher that runs the form probe every 50 ms
// from the start of the visit and keeps the first time the form was usable,
// so that the consent stage's wait does not delay contact_form_ready.
func formWatch(plan *Plan) string {
	sel, _ := json.Marshal(plan.Form.Selector)
	probe := fmt.Sprintf(formProbeJS, sel, plan.Form.Submit && plan.Configured, formGuardJS)
	return `(() => { if (window.__tpFormWatch) return true;
  window.__tpFormWatch = setInterval(() => { try { const s = ` + probe + `;
    if (s.ready && !window.__tpFirstReady) { window.__tpFirstReady = s.at; clearInterval(window.__tpFormWatch); } } catch (e) {} }, 50);
  return true; })()`
}

type formState struct {
	Found    bool    `json:"found"`
	Selector string  `json:"selector"`
	Ready    bool    `json:"ready"`
	Problem  string  `json:"problem"`
	Detail   string  `json:"detail"`
	Cover    string  `json:"cover"`
	Field    string  `json:"field"`
	At       float64 `json:"at"`
}

func init() { addStep(stageTouchpoints, checkForm) }

// checkForm waits for the contact form to become usable on the landing page
// (polling every 50 ms until the window ends) and proves its fields accept
// real keystrokes. It never submits unless the configured plan opts in.
func checkForm(ctx context.Context, pg *Page) Outcome {
	out := Outcome{Touchpoints: map[string]Touchpoint{}, Milestones: map[string]float64{}}
	spec := pg.Plan.Form
	if spec.Mode == Off {
		return out
	}
	tp := Touchpoint{Checked: true, Required: spec.Mode == Required, FoundBy: "auto"}
	if spec.Selector != "" {
		tp.FoundBy = "config"
	}
	sel, _ := json.Marshal(spec.Selector)
	allow := spec.Submit && pg.Plan.Configured
	js := fmt.Sprintf(formProbeJS, sel, allow, formGuardJS)
	var last formState
	settled := false
	for {
		tctx, cancel := pg.Tab(ctx, 2*time.Second)
		st, err := chromedp.Run(tctx, chromedp.Evaluate[formState](js))
		cancel()
		if err == nil {
			last = st
			if st.Ready && typeProbe(ctx, pg, st.Field) {
				tp.Up, tp.Selector = true, st.Selector
				at := st.At
				tctx, cancel := pg.Tab(ctx, 2*time.Second)
				if first, err := chromedp.Run(tctx, chromedp.Evaluate[float64](`window.__tpFirstReady || 0`)); err == nil && first > 0 && first < at {
					at = first
				}
				cancel()
				t := pg.Since(at)
				tp.ReadySeconds = ptr(t)
				out.Milestones[MilestoneFormReady] = t
				break
			}
		}
		// Not found once the page went quiet: it is not coming (this tab
		// does not follow contact links yet).
		if settled && !last.Found {
			break
		}
		if time.Now().After(pg.WindowEnd) || ctx.Err() != nil {
			break
		}
		select {
		case <-pg.Session.Settled():
			settled = true
		default:
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !tp.Up {
		switch {
		case !last.Found:
			tp.Reason, tp.Detail = ReasonFormMissing, "no contact form (an e-mail field and a message field) on the landing page"
		case last.Problem == "covered" && pg.Plan.Consent == ConsentLeave && consentCover(last.Cover):
			tp.Reason, tp.Detail, tp.Selector = ReasonConsentBlocked, last.Detail, last.Selector
		default:
			tp.Reason, tp.Selector = ReasonFormUnusable, last.Selector
			tp.Detail = last.Problem
			if last.Detail != "" {
				tp.Detail = last.Problem + ": " + last.Detail
			}
		}
	}
	out.Touchpoints[TouchContactForm] = tp
	return out
}

// typeProbe types real keystrokes into field, reads the value back and
// clears it again.
func typeProbe(ctx context.Context, pg *Page, field string) bool {
	const probe = "probe@example.com"
	tctx, cancel := pg.Tab(ctx, 3*time.Second)
	defer cancel()
	sel, _ := json.Marshal(field)
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%s); e.value = ''; return true; })()`, sel))); err != nil {
		return false
	}
	if _, err := chromedp.Run(tctx, chromedp.SendKeys(chromedp.CSS(field), probe)); err != nil {
		pg.Logf("contact form: typing into %s: %v", field, err)
		return false
	}
	v, err := chromedp.Run(tctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%s); const v = e.value; e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); return v; })()`, sel)))
	return err == nil && v == probe
}

// consentCover: the element on top of the form looks like a consent layer.
func consentCover(s string) bool {
	for _, k := range []string{"consent", "cookie", "onetrust", "Cybot", "didomi", "qc-cmp", "cmp", "gdpr"} {
		if strings.Contains(strings.ToLower(s), strings.ToLower(k)) {
			return true
		}
	}
	return false
}
