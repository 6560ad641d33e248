// Package site is a small company website with known timings: the fixture
// the tests and benchmarks visit, and the demo that `touchprobe run` probes
// when it has no config.
//
// Every page takes its timeline from the query string, in milliseconds of the
// page's own clock (since navigation start), e.g.
//
//	/?ttfb=150&body=300&fcp=800&lcp=1500
//
// and marks each change with performance.mark("fx-NAME"), so a test can
// compare a measured milestone with when the change really happened.
//
// # Hosts
//
// Site.URL (127.0.0.1), Site.AltURL (localhost: another site, so its iframes
// are cross-site and out of process), Site.TLSURL (self-signed) and
// Site.ThirdPartyURL (127.0.0.2: a third site, for "third-party" scripts;
// same port as URL when it was free) all serve the same handler.
//
// Pages with the fx helper (fxpage.go: the third-party pages and the own
// pages below) also report every consent-*, book*, quote*, route*, slow*
// and menu* mark to the server as the event mark-NAME (Site.ChatEvents; page
// clock), so a test reads the truth after the visit has ended.
//
// # Third-party pages
//
// Built from real third-party code that scripts/setup.sh installs with
// `npm ci` (scripts/setup-fixtures.sh; internal/site/thirdparty/package.json
// and package-lock.json pin exact versions) and the site serves from disk under
// /vendor/ (VendorDir; $TOUCHPROBE_FIXTURE_VENDOR overrides). Without the
// packages these pages answer 500 "run scripts/setup.sh", and
// RequireThirdParty fails a test. Each sits on the same company page (contact
// form #contact, tel: and mailto: links) unless it says otherwise. Sizes
// are at chromedp's 1280x720 window (a 1280x577 viewport in new headless).
//
//	/3p/cookieconsent       vanilla-cookieconsent 3.1.0, default configuration: a box
//	                        at the bottom right (#cc-main .cm, 384x280, 14.5 % of the
//	                        viewport) with Accept all ([data-role=all]), Reject all
//	                        ([data-role=necessary]), Manage preferences; blocks nothing.
//	                        hideFromBots (default): NOT shown when navigator.webdriver is
//	                        true (chromedp's --enable-automation); shown with
//	                        --disable-blink-features=AutomationControlled and without
//	                        --enable-automation. Marks: consent-shown (onModalShow),
//	                        consent-visible / -gone (rendered, after its fade),
//	                        consent-run (run() resolved: shown or not, decided),
//	                        consent-accept | consent-reject (onFirstConsent),
//	                        consent-hidden (onModalHide).
//	/3p/cookieconsent-wall  the same with disablePageInteraction: true: <html> gets
//	                        .disable--interaction and an overlay (div.cm-wrapper) covers
//	                        the page: the hit test at the form finds #cc-main, a click
//	                        there does nothing until the visitor chooses. Not one of the
//	                        consent managers touchprobe names. Same marks.
//	/3p/klaro               Klaro 0.7.22, default notice (no modal): .klaro .cookie-notice,
//	                        400x113 at the bottom right, 6.1 % of the viewport, blocks
//	                        nothing. Buttons "That's ok" (.cm-btn-success: saves the
//	                        defaults, the service stays off), "I decline" (.cn-decline),
//	                        "Let me choose". Marks: consent-shown / -gone,
//	                        consent-saved-TYPE (Klaro's saveConsents: save | decline | accept),
//	                        consent-analytics-on | -off.
//	/3p/osano               Osano cookieconsent 3.1.1, initialise() with defaults: an
//	                        info bar across the bottom (.cc-window, 1280x72, 12.4 %),
//	                        "Got it!" (.cc-dismiss). Marks: consent-open (onPopupOpen),
//	                        consent-shown / -gone (rendered, after its fade),
//	                        consent-accept (onStatusChange dismiss/allow) | consent-reject.
//	/3p/botui               BotUI 0.3.9 on Vue 2.7.16. chatui=MS [500]: the page's own
//	                        launcher #chat-launcher ("Chat with us"; fx-chat-ui) opens
//	                        #chat-box (fx-chat-open); the bot greets (fx-chat-greeting,
//	                        not an answer) and asks with its text action, a <form
//	                        class="botui-actions-text"> holding input.botui-actions-text-input
//	                        and a submit button ("Send"): Enter or the button submits the
//	                        form. The message goes to /chat/agent (fx-chat-sent); the
//	                        agent's answer (AgentAnswer) is shown answer=MS [1000] later
//	                        (fx-chat-answer; .botui-message-content without .human); then
//	                        it asks again.
//	/3p/chatwidget          react-chat-widget 3.1.4 on React 17.0.2, mounted at chatui=MS
//	                        [500] (fx-chat-ui): launcher button.rcw-launcher opens
//	                        .rcw-conversation-container (fx-chat-open-shown); the
//	                        composer is a contenteditable div.rcw-input (no form), Enter
//	                        or button.rcw-send sends (fx-chat-sent); the answer comes
//	                        answer=MS [1000] later as .rcw-response .rcw-message-text
//	                        (fx-chat-answer).
//	/3p/theme               Start Bootstrap Creative 7.0.7 (Bootstrap 5.2.3) as published,
//	                        CDN files served from /vendor/ (Google Fonts and SB Forms
//	                        left out), the form #contactForm posting to /contact-submit
//	                        with #submitButton enabled, tel:+15551234567 and
//	                        mailto:hello@acme.example in the contact section. Below 992 px
//	                        the navbar collapses: the Contact link is inside
//	                        #navbarResponsive, hidden until the hamburger
//	                        (.navbar-toggler) opens it (fx-menu-open; fx-menu-open-gone when
//	                        closed). Knobs: contactpage=1 (Contact leads to
//	                        /3p/theme/contact, the contact section on a page of its own,
//	                        and the landing page has no form), heavy=1 (the masthead shows
//	                        img#hero-img, /fx/heavy.png, the LCP element; fx-hero-loaded),
//	                        chat=same|cross|page with chatui, answer, chatres=BYTES (the
//	                        fixture's own chat, below).
//	/3p/theme/contact       the contact page of contactpage=1.
//	/fx/phone               the phone-profile page: /3p/theme with heavy=1, contactpage=1,
//	                        chat=cross, chatui=1000, answer=2000, chatres=200000 (each
//	                        overridable): the heavy hero (HeavyPNGBytes), the Contact link
//	                        behind the hamburger at 412 px, and the chat in a cross-site
//	                        iframe (AltURL) whose document loads /fx/asset.js of chatres
//	                        bytes.
//	/chat/agent             the fake agent: POST the message; counted in
//	                        Stats.ChatMessages and Stats.ChatTexts at once, answered
//	                        answer=MS [1000] later with {"text": AgentAnswer}.
//
// # Own pages
//
// Pages of our own for known failure classes; [default], 0 turns a part off.
//
//	/fx/late-consent   lateconsent=MS [2000]: a full-viewport wall #cookie-wall
//	                   (Accept #lc-accept .cw-accept, Reject #lc-reject .cw-reject)
//	                   is parsed and painted first (fx-consent-shown), then a stylesheet
//	                   the server holds MS (/fx/slow.css?delay=MS), then the script that
//	                   attaches the handlers (fx-consent-handlers, at about MS: scripts
//	                   wait for pending stylesheets). A click before the handlers does
//	                   nothing (recorded: fx-consent-click-early, window.fxClicks);
//	                   after them Accept/Reject removes the wall (fx-consent-accept |
//	                   fx-consent-reject). Behind it: a contact form and tel:/mailto:.
//	/fx/chat-under-wall  the landing page with fcp=100&chat=page&chatui=300&answer=1500
//	                   &consent=wall&phone=1 (each overridable): the chat launcher
//	                   (#launcher, fx-chat-ui) is under the wall (fx-consent) until
//	                   Accept (fx-consent-accept); then it opens (fx-chat-open).
//	/fx/company        the landing page with fcp=200&lcp=500&form=800&phone=1: a contact
//	                   form (fx-form at 800) and a phone link, NO chat and NO e-mail link.
//	/fx/env            shows (pre#env) and POSTs to /fx/env-report what its scripts see:
//	                   navigator.webdriver, userAgent, userAgentData brands/platform/mobile,
//	                   languages, plugins.length, screen, innerWidth/innerHeight,
//	                   devicePixelRatio, maxTouchPoints (Stats.EnvReports, with the
//	                   report's User-Agent and Accept-Language headers); fx-env-reported.
//	/fx/heavy.png      HeavyPNGWidth x HeavyPNGHeight (1024x512) of noise, HeavyPNGBytes
//	                   (1,574,505) bytes: 24 bits per image pixel. delay=MS holds it.
//	/fx/asset.js       bytes=N [100000]: a script of exactly N bytes; delay=MS.
//	/fx/tp.js          delay=MS: the third-party script (fx-thirdparty-run when it runs;
//	                   Timing-Allow-Origin: *).
//	/fx/evidence       in the head, a render-blocking <script src> from ThirdPartyURL
//	                   (/fx/tp.js, held tpdelay=MS [1000]) and a <script src="/fx/missing.js">
//	                   that 404s; console.error("fixture: console.error at MS ms") at
//	                   errorat=MS [1500] (fx-console-error); an uncaught Error("fixture:
//	                   uncaught exception at MS ms") at throwat=MS [1800] (fx-exception);
//	                   heavy=1 [1]: img#hero-img /fx/heavy.png, the LCP element
//	                   (fx-hero-loaded); longtasks=N [3] busy loops of longtask=MS [200]
//	                   each, the first at longtaskat=MS [2000], one every longtask+200 ms
//	                   (fx-longtask-I-start / -end): N*longtask ms of long tasks,
//	                   N*(longtask-50) ms of blocking time.
//	/fx/restaurant     "Book a table" #book-btn opens #booking-modal at once
//	                   (fx-book-click, fx-booking-modal) and loads /fx/booking-widget.js
//	                   on the click (fx-booking-widget-loaded: #booking-form there,
//	                   disabled); the form is usable bookready=MS [1500] after the click
//	                   (fx-booking-ready: #booking-date, #booking-guests, #booking-submit
//	                   enabled). "Our reviews" #reviews links to the third site's
//	                   /fx/reviews, which records ChatEvent "reviews-asked" when asked.
//	/fx/mover          "Get a quote" #quote-btn: its click handler marks fx-quote-click,
//	                   then throws an uncaught TypeError (reading 'steps' of undefined);
//	                   #quote-modal never opens.
//	/shop/             a single-page app: #nav-pricing then #plans-link change the view
//	                   and the URL with history.pushState (no load): /shop/pricing
//	                   (fx-route-pricing), /shop/pricing/plans (fx-route-plans, table
//	                   #plans). routedelay=MS [0] renders a view MS after its click.
//	                   Every /shop/ path serves the app.
//	(restaurant, mover, shop)  "Opening hours" #hours-btn: its click handler busy-waits
//	                   slowclick=MS [300] (fx-slow-start … fx-slow-end), then shows
//	                   #hours; Event Timing measures the click about that long.
//
// The landing page's knobs are in page.go (timeline), touchpoints.go (form,
// links, chat placement), forms.go (form states, consent layers), chat.go
// (the chat widget) and hostile.go (hostile pages).
package site
