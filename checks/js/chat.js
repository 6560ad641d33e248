// The chat module looks for the live chat in its document — its launcher,
// its input and send button, the transcript — and reports element handles
// (hands.keep); it never acts: the Go check (checks/chat.go) clicks and
// types as the visitor, with trusted input. Every function takes the
// configured selectors (empty: found by heuristics) and returns plain data;
// times are epoch ms (performance.timeOrigin + now()).
({
  hands() { return globalThis.__tp.hands; },
  // A consent manager's buttons are no chat launcher ("dismiss cookie
  // message" speaks of a message).
  consentish: /cookie|consent|gdpr|privacy|datenschutz|tracking/i,
  inConsent(e) { return this.hands().layerOf(e) === 'consent' || this.consentish.test(this.label(e)); },
  words: /chat|help|support|messag|messenger|talk to|ask us|contact|assist|launcher|konta|hilfe|nachricht|ayuda|soporte|mensaje|aide|assistance|aiuto|assistenza|messaggio|ajuda|suporte|mensagem|hulp|bericht|pomoc|wiadomo|czat|чат|помощ|поддерж|сообщ|напиш|βοήθ|συνομιλ|μήνυμα|tuki|viesti|keskust|hjälp|meddel|hjælp|besked|yardım|destek|mesaj|チャット|聊天|客服|채팅|intercom|zendesk|drift|tawk|livechat|crisp|hubspot|tidio|olark|freshchat|zopim/i,
  sendWords: /send|submit|senden|abschicken|enviar|envoyer|invia|verzend|verstuur|wyślij|отправ|надіслати|lähetä|skicka|gönder|αποστολ|送信|发送|전송/i,
  typingWords: /typing|is writing|schreibt|tippt|escribiendo|écrit|sta scrivendo|digitando|escrevendo|печатает|пишет|друкує|kirjoittaa|skriver|yazıyor|πληκτρολογ|入力中|正在输入|입력 중/i,
  statusWords: /^(just now|now|sent|sending\.*|delivered|seen|read|gesendet|zugestellt|gelesen|enviado|entregado|envoyé|lu|inviato|letto|\d{1,2}[:.]\d{2}(\s?[ap]\.?m\.?)?)$/i,
  now() { return performance.timeOrigin + performance.now(); },
  // all returns the elements matching sel, in open shadow roots too.
  all(sel) {
    const out = [];
    const visit = (root) => {
      out.push(...root.querySelectorAll(sel));
      for (const h of root.querySelectorAll('*')) if (h.shadowRoot) visit(h.shadowRoot);
    };
    visit(document);
    return out;
  },
  visible(e) {
    const r = e.getBoundingClientRect();
    return r.width > 1 && r.height > 1 && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) &&
      r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  },
  up(e) { return e.parentElement || (e.parentNode && e.parentNode.host) || null; },
  fixed(e) {
    for (let x = e; x; x = this.up(x)) {
      const p = getComputedStyle(x).position;
      if (p === 'fixed' || p === 'sticky') return true;
    }
    return false;
  },
  label(e) {
    const cls = e.className && e.className.baseVal !== undefined ? e.className.baseVal : e.className;
    return [(e.innerText || e.textContent || '').slice(0, 80), e.getAttribute('aria-label'), e.getAttribute('title'),
      e.id, cls, e.getAttribute('data-testid'), e.getAttribute('name'), e.getAttribute('placeholder'),
      e.tagName === 'IFRAME' ? e.getAttribute('src') : ''].filter(Boolean).join(' ');
  },
  // chatty: the element or one of its near ancestors speaks of chat.
  chatty(e, depth) {
    if (this.words.test(this.label(e))) return true;
    for (let x = this.up(e), i = 0; x && i < depth; x = this.up(x), i++) {
      if (this.words.test([x.id, typeof x.className === 'string' ? x.className : '', x.getAttribute && x.getAttribute('aria-label')].join(' '))) return true;
    }
    return false;
  },
  cornered(e) {
    const r = e.getBoundingClientRect(), cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    return cy > innerHeight * 0.5 && (cx < innerWidth * 0.35 || cx > innerWidth * 0.65) && r.width <= 480 && r.height <= 720;
  },
  // path is a CSS selector for e, unique in its document.
  path(e) {
    const esc = (s) => CSS.escape(s);
    const unique = (s) => { try { return this.all(s).length === 1; } catch (_) { return false; } };
    if (e.id && unique('#' + esc(e.id))) return '#' + esc(e.id);
    const tag = e.tagName.toLowerCase();
    const cls = typeof e.className === 'string' ? e.className.trim().split(/\s+/).filter(c => c && !/\d{3,}|--|__[a-z0-9]{5,}$/i.test(c)).slice(0, 2) : [];
    const s = tag + cls.map(c => '.' + esc(c)).join('');
    if (cls.length && unique(s)) return s;
    for (const a of ['aria-label', 'data-testid', 'name', 'title', 'placeholder']) {
      const v = e.getAttribute(a);
      if (v && unique(tag + '[' + a + '="' + v.replace(/"/g, '\\"') + '"]')) return tag + '[' + a + '="' + v.replace(/"/g, '\\"') + '"]';
    }
    const p = e.parentElement;
    if (!p) return s;
    const n = Array.from(p.children).filter(c => c.tagName === e.tagName).indexOf(e) + 1;
    return this.path(p) + ' > ' + tag + ':nth-of-type(' + n + ')';
  },
  pick(sel) { try { return this.all(sel).find(e => this.visible(e)) || null; } catch (_) { return null; } },
  usable(e) { return !e.disabled && !e.readOnly && e.getAttribute('aria-disabled') !== 'true'; },
  findInput(cfg) {
    if (cfg.input) return this.pick(cfg.input);
    const cands = this.all('textarea, input:not([type]), input[type=text], [contenteditable=""], [contenteditable=true], [role=textbox]');
    return cands.find(e => this.visible(e) && this.usable(e) &&
      (cfg.chatFrame ? true : (cfg.framed || this.fixed(e)) && this.chatty(e, 8))) || null;
  },
  findLauncher(cfg) {
    if (cfg.launcher) return this.pick(cfg.launcher);
    const cands = this.all('button, a, [role=button], [aria-haspopup], [class*=launcher i], [id*=launcher i], [class*=bubble i]');
    const safe = (e) => !(e.tagName === 'A' && e.getAttribute('href') && !/^(#|javascript:)/i.test(e.getAttribute('href')));
    const vis = cands.filter(e => this.visible(e) && safe(e) && !this.inConsent(e));
    const hit = vis.find(e => this.chatty(e, cfg.framed ? 3 : 0) && (cfg.framed || (this.fixed(e) && this.cornered(e))));
    if (hit) return hit;
    // In a chat frame a single button is the launcher.
    const buttons = vis.filter(e => e.tagName === 'BUTTON' || e.getAttribute('role') === 'button');
    return cfg.chatFrame && buttons.length === 1 ? buttons[0] : null;
  },
  // ref is an element as Go gets it: a handle for the visitor's hands, a
  // description, a selector for the config.
  ref(e) { return e ? { handle: this.hands().keep(e), desc: this.hands().describe(e), path: this.path(e) } : null; },
  // look reports the chat's input (with its send button) when one shows,
  // else its launcher. cfg.framed: this document is an iframe (set here).
  look(cfg) {
    cfg = Object.assign({}, cfg, { framed: window.top !== window });
    if (cfg.framed && !cfg.chatFrame) cfg.chatFrame = this.words.test(location.href + ' ' + document.title);
    const res = { t: this.now(), url: location.href, framed: cfg.framed };
    const inp = this.findInput(cfg);
    if (inp) {
      res.input = this.ref(inp);
      res.send = this.ref(this.findSend(cfg, inp));
    }
    res.launcher = this.ref(this.findLauncher(cfg));
    return res;
  },
  // frames lists the iframes that may hold the chat, likeliest first.
  frames(cfg) {
    let list = this.all('iframe');
    if (cfg.frame) list = list.filter(f => { try { return f.matches(cfg.frame); } catch (_) { return false; } });
    else if (cfg.skip) list = list.filter(f => { try { return !f.matches(cfg.skip); } catch (_) { return true; } });
    this.frameList = list;
    return list.map((f, i) => {
      const r = f.getBoundingClientRect();
      const shown = r.width > 1 && r.height > 1 && f.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
      const chatty = this.words.test([f.id, f.getAttribute('title'), f.getAttribute('name'), f.className, f.getAttribute('src'), f.getAttribute('aria-label'), this.up(f) && this.up(f).id].join(' '));
      // Until its own document commits, an iframe shows the initial
      // about:blank (and a cross-site one then moves to another process).
      let doc = null;
      try { doc = f.contentDocument; } catch (_) {}
      const pending = !!(doc && doc.URL === 'about:blank' && f.src && !f.src.startsWith('about:'));
      return {i, src: f.src, shown, pending, chatty: chatty || !!cfg.frame, corner: shown && this.fixed(f) && this.cornered(f), path: this.path(f)};
    }).filter(f => (f.shown || f.chatty) && !f.pending);
  },
  frameEl(i) { return this.frameList[i]; },
  findSend(cfg, inp) {
    if (cfg.send) return this.pick(cfg.send);
    let box = inp;
    for (let i = 0; i < 6 && box; i++) {
      box = this.up(box);
      if (!box || !box.querySelectorAll) break;
      const bs = Array.from(box.querySelectorAll('button, [role=button], input[type=submit]')).filter(b => this.visible(b) && b !== inp);
      const hit = bs.find(b => b.type === 'submit' && b.tagName === 'INPUT' || this.sendWords.test(this.label(b)));
      if (hit) return hit;
      if (bs.length === 1) return bs[0];
    }
    return null;
  },
  // arm remembers every element there is now: only a new one can be the
  // answer (a greeting shown before writing is not).
  arm(arg) {
    const cfg = arg.cfg || {}, msg = arg.msg || '';
    if (this.obs) this.obs.disconnect();
    const st = this.st = {before: new WeakSet(this.all('*')), answer: null, typing: false, msg: msg.slice(0, 40), agent: cfg.agent};
    const check = (n) => {
      if (st.answer || !(n instanceof Element)) return;
      this.consider(n);
      if (!st.answer) for (const c of n.querySelectorAll('*')) { this.consider(c); if (st.answer) break; }
    };
    this.obs = new MutationObserver((muts) => {
      for (const m of muts) {
        for (const n of m.addedNodes) check(n);
        if (m.type === 'characterData' && m.target.parentElement) check(m.target.parentElement);
      }
    });
    const watch = (root) => { this.obs.observe(root, {childList: true, subtree: true, characterData: true}); for (const h of root.querySelectorAll('*')) if (h.shadowRoot) watch(h.shadowRoot); };
    watch(document);
  },
  consider(e) {
    const st = this.st;
    if (st.answer || st.before.has(e) || /^(SCRIPT|STYLE|TEMPLATE|NOSCRIPT|INPUT|TEXTAREA)$/.test(e.tagName)) return;
    if (st.agent) { try { if (!e.matches(st.agent)) return; } catch (_) { return; } }
    if (e.closest('textarea, [contenteditable=""], [contenteditable=true]')) return;
    const text = (e.innerText || '').trim();
    if (!text) return;
    const lbl = [e.id, typeof e.className === 'string' ? e.className : '', e.getAttribute('aria-label')].join(' ');
    if (this.typingWords.test(text) || /typing|indicator/i.test(lbl) || /^[.\u2026\s]+$/.test(text)) { st.typing = true; return; }
    if (st.msg && text.includes(st.msg)) { // the visitor's own message, in the transcript
      if (!st.echo) st.echo = { t: this.now(), desc: this.hands().describe(e) };
      return;
    }
    if (this.statusWords.test(text)) return;
    st.answer = {t: this.now(), text: text.slice(0, 200), selector: this.path(e)};
  },
  // answer reports the first answer since send, looking again at every
  // element (in case a shadow root escaped the observer).
  answer() {
    const st = this.st;
    if (!st) return {armed: false};
    if (!st.answer) for (const e of this.all('*')) { this.consider(e); if (st.answer) break; }
    return {armed: true, answer: st.answer, typing: st.typing, echo: st.echo || null};
  },
})
