package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// The fixture's own pages for known failure classes (see the package doc,
// "Own pages"). Every time is ms of the page clock (since navigation start)
// unless it says otherwise.

// knob reads an int query parameter: def when absent, the value (0 too)
// when present.
func knob(q url.Values, name string, def int) int {
	if _, ok := q[name]; !ok {
		return def
	}
	return atoi(q, name)
}

func registerOwnFixtures(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/fx/late-consent", lateConsentPage)
	mux.HandleFunc("/fx/slow.css", delayedFile("text/css", func(url.Values) []byte { return []byte("main p{line-height:1.4}\n") }))
	mux.HandleFunc("/fx/chat-under-wall", func(w http.ResponseWriter, r *http.Request) {
		s.landingWith(w, r, "fcp=100&chat=page&chatui=300&answer=1500&consent=wall&phone=1")
	})
	mux.HandleFunc("/fx/company", func(w http.ResponseWriter, r *http.Request) {
		s.landingWith(w, r, "fcp=200&lcp=500&form=800&phone=1")
	})
	mux.HandleFunc("/fx/env", envPage)
	mux.HandleFunc("/fx/env-report", func(w http.ResponseWriter, r *http.Request) {
		var rep EnvReport
		if r.Method != http.MethodPost || json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&rep) != nil {
			http.Error(w, "POST a JSON report", http.StatusBadRequest)
			return
		}
		rep.HeaderUserAgent = r.UserAgent()
		rep.HeaderAcceptLanguage = r.Header.Get("Accept-Language")
		s.stats.mu.Lock()
		s.stats.envReports = append(s.stats.envReports, rep)
		s.stats.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/fx/heavy.png", delayedFile("image/png", func(url.Values) []byte { return HeavyPNG() }))
	mux.HandleFunc("/fx/asset.js", delayedFile("text/javascript", func(q url.Values) []byte { return assetJS(knob(q, "bytes", 100000)) }))
	mux.HandleFunc("/fx/tp.js", delayedFile("text/javascript", func(url.Values) []byte {
		return []byte("window.fxThirdPartyRanAt = performance.now(); window.fx && fx.mark('thirdparty-run');\n")
	}))
	mux.HandleFunc("/fx/evidence", s.evidencePage)
	mux.HandleFunc("/fx/restaurant", s.restaurantPage)
	mux.HandleFunc("/fx/reviews", func(w http.ResponseWriter, r *http.Request) {
		// The server's own record that a visitor came (ChatEvents kind
		// "reviews-asked"): a guard that keeps the visitor on the site
		// must leave it empty.
		l := s.chatLog()
		l.mu.Lock()
		l.events = append(l.events, ChatEvent{Kind: "reviews-asked"})
		l.mu.Unlock()
		writePage(w, "Reviews", "", "<main><h1>What our guests say</h1></main>")
	})
	mux.HandleFunc("/fx/booking-widget.js", bookingWidgetJS)
	mux.HandleFunc("/fx/mover", moverPage)
	mux.HandleFunc("/shop/", shopPage)
}

// delayedFile answers with body(query) after delay=MS, uncached, its timing
// open to every origin (Timing-Allow-Origin: *).
func delayedFile(contentType string, body func(url.Values) []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if !sleep(r, atoi(q, "delay")) {
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Timing-Allow-Origin", "*")
		w.Write(body(q))
	}
}

// landingWith serves the landing page (page.go) with the knobs in defaults,
// each overridden by the request's own query.
func (s *Site) landingWith(w http.ResponseWriter, r *http.Request, defaults string) {
	q, _ := url.ParseQuery(defaults)
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/"
	r2.URL.RawQuery = q.Encode()
	s.page(w, r2)
}

// lateConsentPage: a cookie wall whose buttons get their handlers late.
//
// The wall's markup comes first (fx-consent-shown), then a stylesheet the
// server holds back lateconsent ms (default 2000), then the inline script
// that attaches the Accept/Reject handlers (fx-consent-handlers): scripts wait
// for pending stylesheets, so until then a click on Accept does nothing
// (the page records it: fx-consent-click-early; later clicks:
// fx-consent-click). Accept removes the wall (fx-consent-accept), Reject too
// (fx-consent-reject). Behind the wall: a contact form and a phone link.
func lateConsentPage(w http.ResponseWriter, r *http.Request) {
	delay := knob(r.URL.Query(), "lateconsent", 2000)
	head := `<script>
window.fxClicks = [];
document.addEventListener('click', (e) => {
  const b = e.target.closest && e.target.closest('#cookie-wall button');
  if (!b) return;
  const early = !fx.marked('consent-handlers');
  window.fxClicks.push({id: b.id, at: performance.now(), trusted: e.isTrusted, early});
  fx.mark(early ? 'consent-click-early' : 'consent-click');
}, true);
</script>`
	body := fmt.Sprintf(`<header class="top"><strong>Acme Plumbing</strong></header>
<main><h1>Acme Plumbing</h1><p>Plumbing and heating for the county since 1952.</p>
%s
%s
</main>
<div id="cookie-wall" role="dialog" aria-label="Cookie consent" style="position:fixed;inset:0;z-index:1000;background:rgba(240,240,240,.98);display:flex;flex-direction:column;align-items:center;justify-content:center">
<p style="font-size:22px">This site uses cookies. Please choose.</p>
<div><button id="lc-accept" class="cw-accept big">Accept all</button> <button id="lc-reject" class="cw-reject big" style="background:#555">Reject all</button></div></div>
<script>fx.mark('consent-shown');</script>
<link rel="stylesheet" href="/fx/slow.css?delay=%d">
<script>
document.querySelectorAll('#cookie-wall button').forEach(b => b.addEventListener('click', () => {
  document.getElementById('cookie-wall').remove();
  fx.mark(b.id === 'lc-accept' ? 'consent-accept' : 'consent-reject');
}));
fx.mark('consent-handlers');
</script>`, contactLinks, contactForm, delay)
	writePage(w, "Acme Plumbing", head, body)
}

// EnvReport is what the /fx/env page's script saw of its browser, with the
// headers of the request that reported it.
type EnvReport struct {
	Webdriver        *bool    `json:"webdriver"`
	UserAgent        string   `json:"userAgent"`
	UABrands         []string `json:"uaBrands"` // "Brand Version"; nil without navigator.userAgentData
	UAPlatform       string   `json:"uaPlatform"`
	UAMobile         *bool    `json:"uaMobile"`
	Languages        []string `json:"languages"`
	Plugins          int      `json:"plugins"`
	ScreenWidth      int      `json:"screenWidth"`
	ScreenHeight     int      `json:"screenHeight"`
	InnerWidth       int      `json:"innerWidth"`
	InnerHeight      int      `json:"innerHeight"`
	DevicePixelRatio float64  `json:"devicePixelRatio"`
	MaxTouchPoints   int      `json:"maxTouchPoints"`

	HeaderUserAgent      string `json:"-"`
	HeaderAcceptLanguage string `json:"-"`
}

// envPage shows what its scripts can see and POSTs it to /fx/env-report
// (Stats.EnvReports); fx-env-reported when the server has it.
func envPage(w http.ResponseWriter, r *http.Request) {
	writePage(w, "What this browser shows", "", `<main><h1>What this browser shows a page</h1><pre id="env">…</pre></main>
<script>
(async () => {
  const uad = navigator.userAgentData;
  const rep = {
    webdriver: navigator.webdriver, userAgent: navigator.userAgent,
    uaBrands: uad ? uad.brands.map(b => b.brand + ' ' + b.version) : null,
    uaPlatform: uad ? uad.platform : '', uaMobile: uad ? uad.mobile : null,
    languages: Array.from(navigator.languages || []), plugins: navigator.plugins.length,
    screenWidth: screen.width, screenHeight: screen.height, innerWidth, innerHeight,
    devicePixelRatio, maxTouchPoints: navigator.maxTouchPoints,
  };
  document.getElementById('env').textContent = JSON.stringify(rep, null, 2);
  fx.mark('env-shown');
  await fetch('/fx/env-report', {method: 'POST', body: JSON.stringify(rep)});
  fx.mark('env-reported');
})();
</script>`)
}

// The heavy hero picture: HeavyPNGWidth x HeavyPNGHeight of deterministic
// noise, so it does not compress (about 1.5 MB, far above Chrome's 0.05
// bits per pixel for an LCP candidate).
const (
	HeavyPNGWidth  = 1024
	HeavyPNGHeight = 512
)

var (
	heavyOnce sync.Once
	heavyData []byte
)

// HeavyPNG returns /fx/heavy.png; HeavyPNGBytes its size.
func HeavyPNG() []byte {
	heavyOnce.Do(func() {
		img := image.NewRGBA(image.Rect(0, 0, HeavyPNGWidth, HeavyPNGHeight))
		rng := rand.New(rand.NewPCG(7, 11))
		for i := 0; i < len(img.Pix); i += 4 {
			v := rng.Uint32()
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = byte(v), byte(v>>8), byte(v>>16), 255
		}
		var b bytes.Buffer
		_ = png.Encode(&b, img)
		heavyData = b.Bytes()
	})
	return heavyData
}

// HeavyPNGBytes is the size of /fx/heavy.png in bytes.
func HeavyPNGBytes() int { return len(HeavyPNG()) }

// assetJS is a script of exactly n bytes (at least 64) that marks
// fx-asset-run in its document.
func assetJS(n int) []byte {
	code := "window.fx && fx.mark('asset-run');\n"
	n = max(n, 64)
	pad := n - len(code) - len("/**/\n")
	return []byte(code + "/*" + strings.Repeat("x", pad) + "*/\n")
}

// evidencePage is a page that leaves evidence of every kind (defaults in
// brackets; 0 turns a part off):
//
//	tpdelay=MS [1000]   render-blocking <script src> in the head from the
//	                    third site (ThirdPartyURL /fx/tp.js), held back MS by
//	                    the server; it marks fx-thirdparty-run
//	(always)            <script src="/fx/missing.js"> in the head: 404
//	errorat=MS [1500]   console.error("fixture: console.error at MS ms")
//	throwat=MS [1800]   uncaught Error("fixture: uncaught exception at MS ms")
//	heavy=1 [1]         the LCP element is <img id="hero-img"> /fx/heavy.png (HeavyPNGBytes)
//	longtasks=N [3]     N busy loops of longtask=MS [200] each, the first at
//	longtaskat=MS [2000], one every longtask+200 ms; marks
//	                    fx-longtask-I-start/-end (I from 0)
func (s *Site) evidencePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tp := knob(q, "tpdelay", 1000)
	var head strings.Builder
	if tp > 0 {
		fmt.Fprintf(&head, "<script src=\"%s/fx/tp.js?delay=%d\"></script>\n", s.thirdPartyBase(r), tp)
	}
	head.WriteString(`<script src="/fx/missing.js"></script>` + "\n")
	var body strings.Builder
	body.WriteString(`<header class="top"><strong>Acme Plumbing</strong></header>
<main><h1>Acme Plumbing</h1><p>Plumbing and heating for the county since 1952.</p>` + contactLinks + "\n")
	if knob(q, "heavy", 1) != 0 {
		fmt.Fprintf(&body, `<img id="hero-img" src="/fx/heavy.png" width="%d" height="%d" alt="Our team at work" data-bytes="%d" style="max-width:100%%;height:auto">`+"\n",
			HeavyPNGWidth, HeavyPNGHeight, HeavyPNGBytes())
		body.WriteString(`<script>document.getElementById('hero-img').addEventListener('load', () => fx.mark('hero-loaded'));</script>` + "\n")
	}
	body.WriteString("</main>\n<script>\n")
	if at := knob(q, "errorat", 1500); at > 0 {
		fmt.Fprintf(&body, "fx.at(%d, () => { fx.mark('console-error'); console.error('fixture: console.error at %d ms'); });\n", at, at)
	}
	if at := knob(q, "throwat", 1800); at > 0 {
		fmt.Fprintf(&body, "fx.at(%d, () => { fx.mark('exception'); throw new Error('fixture: uncaught exception at %d ms'); });\n", at, at)
	}
	n, l, at := knob(q, "longtasks", 3), knob(q, "longtask", 200), knob(q, "longtaskat", 2000)
	for i := 0; i < n && l > 0; i++ {
		fmt.Fprintf(&body, "fx.at(%d, () => { fx.mark('longtask-%d-start'); const end = performance.now() + %d; while (performance.now() < end) {} fx.mark('longtask-%d-end'); });\n",
			at+i*(l+200), i, l, i)
	}
	body.WriteString("</script>")
	writePage(w, "Acme Plumbing", head.String(), body.String())
}

// thirdPartyBase is the third site's origin as seen from r.
func (s *Site) thirdPartyBase(r *http.Request) string {
	if s.ThirdPartyURL != "" {
		return s.ThirdPartyURL
	}
	_, port, _ := strings.Cut(r.Host, ":")
	return "http://" + thirdPartyIP + ":" + port
}

// slowButton is an "Opening hours" button whose click handler busy-waits ms
// (fx-slow-start … fx-slow-end), then shows #hours.
func slowButton(ms int) string {
	return fmt.Sprintf(`<p><button id="hours-btn" class="big">Opening hours</button></p>
<p id="hours" hidden>Tuesday to Sunday, 12:00 to 23:00</p>
<script>document.getElementById('hours-btn').addEventListener('click', () => {
  fx.mark('slow-start'); const end = performance.now() + %d; while (performance.now() < end) {}
  document.getElementById('hours').hidden = false; fx.mark('slow-end');
});</script>`, ms)
}

// restaurantPage: "Book a table" (#book-btn) opens #booking-modal at once
// (fx-book-click, fx-booking-modal) and loads the booking widget
// (/fx/booking-widget.js) on the click; its form #booking-form is there
// disabled when the script ran (fx-booking-widget-loaded) and usable
// bookready ms [1500] after the click (fx-booking-ready). Also the slow
// "Opening hours" button (slowclick=MS [300]), and "Our reviews" (#reviews),
// a link to another site's /fx/reviews.
func (s *Site) restaurantPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ready := knob(q, "bookready", 1500)
	body := fmt.Sprintf(`<header class="top"><strong>Trattoria Acme</strong></header>
<main><h1>Trattoria Acme</h1><p>Fresh pasta every day, in the old town since 1987.</p>
<p><button id="book-btn" class="big">Book a table</button></p>
<p><a id="reviews" href="%s/fx/reviews">Our reviews</a></p>
%s
%s
</main>
<div id="booking-modal" class="modal" role="dialog" aria-label="Book a table"><div class="box"><h2>Book a table</h2><div id="booking-widget">Loading…</div></div></div>
<script>
document.getElementById('book-btn').addEventListener('click', () => {
  const at = performance.now(); fx.mark('book-click');
  document.getElementById('booking-modal').classList.add('open'); fx.mark('booking-modal');
  if (document.getElementById('booking-script')) return;
  const s = document.createElement('script'); s.id = 'booking-script';
  s.src = '/fx/booking-widget.js?readyat=' + Math.round(at + %d); document.body.appendChild(s);
});
</script>`, s.thirdPartyBase(r), slowButton(knob(q, "slowclick", 300)), contactLinks, ready)
	writePage(w, "Trattoria Acme", "", body)
}

// bookingWidgetJS is the booking widget: a form, usable at readyat (page clock).
func bookingWidgetJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `(() => {
  const w = document.getElementById('booking-widget');
  w.innerHTML = '<form id="booking-form"><label>Date <input id="booking-date" type="date" disabled></label><br>' +
    '<label>Guests <select id="booking-guests" disabled><option>2</option><option>4</option><option>6</option></select></label><br>' +
    '<button id="booking-submit" type="submit" disabled>Reserve</button></form>';
  w.querySelector('form').addEventListener('submit', (e) => { e.preventDefault(); w.textContent = 'Reserved. See you soon!'; fx.mark('booking-sent'); });
  fx.mark('booking-widget-loaded');
  fx.at(%d, () => { w.querySelectorAll('[disabled]').forEach(e => e.disabled = false); fx.mark('booking-ready'); });
})();
`, atoi(r.URL.Query(), "readyat"))
}

// moverPage: "Get a quote" (#quote-btn) whose click handler throws (a
// TypeError: it reads window.quoteConfig.steps) after fx-quote-click and
// before it would open #quote-modal: the modal never opens. Also the slow
// "Opening hours" button (slowclick=MS [300]).
func moverPage(w http.ResponseWriter, r *http.Request) {
	body := fmt.Sprintf(`<header class="top"><strong>Acme Movers</strong></header>
<main><h1>Acme Movers</h1><p>Moving homes and offices across the state.</p>
<p><button id="quote-btn" class="big">Get a quote</button></p>
%s
%s
</main>
<div id="quote-modal" class="modal" role="dialog" aria-label="Get a quote"><div class="box"><h2>Your quote</h2>
<form id="quote-form"><label>From <input id="quote-from"></label><br><label>To <input id="quote-to"></label><br><button type="submit">Get my quote</button></form></div></div>
<script>
document.getElementById('quote-btn').addEventListener('click', () => {
  fx.mark('quote-click');
  const steps = window.quoteConfig.steps.length; // quoteConfig is never defined: TypeError
  document.getElementById('quote-modal').classList.add('open'); fx.mark('quote-modal');
  return steps;
});
</script>`, slowButton(knob(r.URL.Query(), "slowclick", 300)), contactLinks)
	writePage(w, "Acme Movers", "", body)
}

// shopPage is a single-page app under /shop/: the header's "Pricing"
// (#nav-pricing) and then "See our plans" (#plans-link) change the view and
// the URL with history.pushState, no page load: /shop/pricing
// (fx-route-pricing, view #pricing) then /shop/pricing/plans
// (fx-route-plans, table #plans). routedelay=MS [0] renders each view MS
// after its click. Every /shop/ path serves the app (a reload works). Also
// the slow "Opening hours" button (slowclick=MS [300]).
func shopPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	body := fmt.Sprintf(`<header class="top"><strong>Acme Shop</strong>
<a id="nav-home" href="/shop/" data-route>Home</a> <a id="nav-pricing" href="/shop/pricing" data-route>Pricing</a></header>
<main><div id="view"></div>
%s
%s
</main>
<script>
const views = {
  '/shop/': ['home', '<h1 id="home">Acme Shop</h1><p>Tools and parts for plumbers.</p>'],
  '/shop/pricing': ['pricing', '<h1 id="pricing">Pricing</h1><p>Simple prices, no surprises.</p><p><a id="plans-link" href="/shop/pricing/plans" data-route>See our plans</a></p>'],
  '/shop/pricing/plans': ['plans', '<h1>Plans</h1><table id="plans"><tr><th>Basic</th><td>$9</td></tr><tr><th>Pro</th><td>$29</td></tr></table>'],
};
const render = () => { const v = views[location.pathname] || views['/shop/'];
  document.getElementById('view').innerHTML = v[1]; fx.mark('route-' + v[0]); };
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-route]'); if (!a) return;
  e.preventDefault(); history.pushState({}, '', a.getAttribute('href'));
  setTimeout(render, %d);
});
addEventListener('popstate', render);
render();
</script>`, slowButton(knob(q, "slowclick", 300)), contactLinks, knob(q, "routedelay", 0))
	writePage(w, "Acme Shop", "", body)
}

// chatAgent is the fake agent of the third-party chat fixtures: POST the
// visitor's message; it is counted (Stats.ChatMessages, Stats.ChatTexts)
// and answered answer=MS [1000] later with {"text": ...}.
func (s *Site) chatAgent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST the visitor's message", http.StatusMethodNotAllowed)
		return
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	s.stats.ChatMessages.Add(1)
	s.stats.mu.Lock()
	s.stats.chatTexts = append(s.stats.chatTexts, string(b))
	s.stats.mu.Unlock()
	if !sleep(r, knob(r.URL.Query(), "answer", 1000)) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"text": AgentAnswer})
}

// AgentAnswer is what the fake agent says.
const AgentAnswer = "Thanks for writing! An agent is with you."
