package checks

import (
	"encoding/json"
	"fmt"
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
// and the first time a contact link was visible, so that the consent
// stage's wait delays neither contact_form_ready nor the link's time.
func formWatch(plan *Plan) string {
	sel, _ := json.Marshal(plan.Form.Selector)
	probe := fmt.Sprintf(formProbeJS, sel, plan.MaySubmitForm(), formGuardJS)
	return `(() => { if (window.__tpFormWatch) return true;
  const findLink = ` + contactLinkFn + `;
  window.__tpFormWatch = setInterval(() => { try {
    if (!window.__tpLinkAt) { const l = findLink(''); if (l.visible) window.__tpLinkAt = l.at; }
    const s = ` + probe + `;
    if (s.ready && !window.__tpFirstReady) { window.__tpFirstReady = s.at; clearInterval(window.__tpFormWatch); } } catch (e) {} }, 50);
  return true; })()`
}

// contactLinkFn finds the link a visitor follows to reach the company: one
// to the given contact page path, else (want "") one whose text, label or
// path says "contact" in the languages companies use. Visible links win
// over links in a closed menu.
const contactLinkFn = `(want) => {
  const words = /contact|kontakt|contacto|contato|contatti|contattaci|contactez|contacteer|επικοινων|контакт|yhteystied|yhteys|kapcsolat|iletişim|iletisim|联系|聯絡|お問い合わせ|문의/i;
  const now = performance.timeOrigin + performance.now();
  let hidden = null;
  for (const a of document.querySelectorAll('a[href]')) {
    let u; try { u = new URL(a.href, location.href); } catch (e) { continue; }
    if (!/^https?:$/.test(u.protocol) || (u.pathname === location.pathname && u.host === location.host)) continue;
    const text = ((a.textContent || '') + ' ' + (a.getAttribute('aria-label') || '') + ' ' + (a.title || '')).replace(/\s+/g, ' ').trim();
    let path = u.pathname; try { path = decodeURIComponent(path); } catch (e) {}
    const match = want ? u.pathname.replace(/\/$/, '') === want.replace(/\/$/, '') : words.test(text) || words.test(path);
    if (!match) continue;
    const r = a.getBoundingClientRect();
    const link = {href: u.href, text: text.slice(0, 60), at: now};
    if (r.width > 0 && r.height > 0 && a.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return {found: true, visible: true, ...link};
    hidden = hidden || {found: true, visible: false, ...link};
  }
  return hidden || {found: false, at: now};
}`

// contactLinkJS runs contactLinkFn (%s: the wanted path as JSON) and dates
// a visible link back to when the in-page watcher first saw one.
const contactLinkJS = `(() => { const l = (` + contactLinkFn + `)(%s);
  if (l.visible && window.__tpLinkAt && window.__tpLinkAt < l.at) l.at = window.__tpLinkAt;
  return l; })()`

// formFillJS types the configured values into the form's fields (by name,
// id, type or kind: email, message, name, phone) and sends it the way its
// button would. %s: the form selector; %s: the fields as a JSON object.
const formFillJS = `(() => {
  const form = document.querySelector(%s), values = %s;
  if (!form) return 'no form';
  const kind = e => e.tagName === 'TEXTAREA' ? 'message' : (e.type === 'email' || /mail/i.test(e.name)) ? 'email' : e.type === 'tel' || /phone|tel/i.test(e.name) ? 'phone' : /name/i.test(e.name) ? 'name' : '';
  let filled = 0;
  for (const e of form.querySelectorAll('input:not([type=hidden]):not([type=submit]):not([type=button]), textarea')) {
    const v = values[e.name] ?? values[e.id] ?? values[kind(e)];
    if (v === undefined) continue;
    if (e.type === 'checkbox' || e.type === 'radio') { e.checked = !!v; } else { e.value = v; }
    e.dispatchEvent(new Event('input', {bubbles: true})); e.dispatchEvent(new Event('change', {bubbles: true}));
    filled++;
  }
  const btn = form.querySelector('[type=submit], button:not([type])');
  if (btn) btn.click(); else form.requestSubmit();
  return 'sent ' + filled;
})()`

// confirmationJS: the confirmation a sent form waits for is there — a CSS
// selector that matches a visible element, else text on the page; with no
// confirmation configured, the form is gone (the page moved on or hid it).
// %s: the confirmation as JSON; %s: the form selector as JSON.
const confirmationJS = `(() => {
  const want = %s, form = document.querySelector(%s);
  if (!want) return !form || !form.checkVisibility();
  try { const e = document.querySelector(want); if (e && e.checkVisibility()) return true; } catch (e) {}
  return !!document.body && document.body.innerText.includes(want);
})()`

func jsonObject(m map[string]string) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
