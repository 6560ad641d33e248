package site

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Pages built from real third-party code (internal/site/thirdparty, served
// under /vendor/); see the package doc, "Third-party pages".

func registerThirdPartyFixtures(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/3p/cookieconsent", func(w http.ResponseWriter, r *http.Request) { vanillaConsentPage(w, r, false) })
	mux.HandleFunc("/3p/cookieconsent-wall", func(w http.ResponseWriter, r *http.Request) { vanillaConsentPage(w, r, true) })
	mux.HandleFunc("/3p/klaro", klaroPage)
	mux.HandleFunc("/3p/osano", osanoPage)
	mux.HandleFunc("/3p/botui", botuiPage)
	mux.HandleFunc("/3p/chatwidget", chatWidgetPage)
	mux.HandleFunc("/chat/agent", s.chatAgent)
	mux.HandleFunc("/3p/theme", func(w http.ResponseWriter, r *http.Request) { themePage(w, r, false) })
	mux.HandleFunc("/3p/theme/contact", func(w http.ResponseWriter, r *http.Request) { themePage(w, r, true) })
	mux.HandleFunc("/fx/phone", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for k, v := range map[string]string{"heavy": "1", "contactpage": "1", "chat": "cross", "chatui": "1000", "answer": "2000", "chatres": strconv.Itoa(PhoneChatAssetBytes)} {
			if _, ok := q[k]; !ok {
				q.Set(k, v)
			}
		}
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q.Encode()
		themePage(w, r2, false)
	})
}

// PhoneChatAssetBytes is the size of the script /fx/phone's cross-site
// chat iframe loads in its head (chatres).
const PhoneChatAssetBytes = 200000

// companyBody is the company page that the consent managers sit on: a
// contact form and phone and e-mail links.
const companyBody = `<header class="top"><strong>Acme Plumbing</strong></header>
<main><h1>Acme Plumbing</h1><p>Plumbing and heating for the county since 1952. A leak fixed today, or your call-out is free.</p>
` + contactLinks + "\n" + contactForm + "\n</main>"

// vanillaConsentPage: vanilla-cookieconsent v3 in its default configuration
// (the categories and texts it needs, nothing else: a box at the bottom
// right, hideFromBots on), or with disablePageInteraction (wall).
func vanillaConsentPage(w http.ResponseWriter, r *http.Request, wall bool) {
	if !needThirdParty(w) {
		return
	}
	extra := ""
	if wall {
		extra = "disablePageInteraction: true,"
	}
	head := `<link rel="stylesheet" href="/vendor/vanilla-cookieconsent/dist/cookieconsent.css">`
	body := companyBody + fmt.Sprintf(`
<script src="/vendor/vanilla-cookieconsent/dist/cookieconsent.umd.js"></script>
<script>
fx.watch('#cc-main .cm', 'consent-visible');
CookieConsent.run({
  %s
  onModalShow: ({modalName}) => { if (modalName === 'consentModal') fx.mark('consent-shown'); },
  onModalHide: ({modalName}) => { if (modalName === 'consentModal') fx.mark('consent-hidden'); },
  onFirstConsent: ({cookie}) => fx.mark(cookie.categories.includes('analytics') ? 'consent-accept' : 'consent-reject'),
  categories: { necessary: {enabled: true, readOnly: true}, analytics: {} },
  language: { default: 'en', translations: { en: {
    consentModal: { title: 'We use cookies', description: 'We use cookies to make this site work and, with your consent, to measure its use.',
      acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', showPreferencesBtn: 'Manage preferences' },
    preferencesModal: { title: 'Cookie preferences', acceptAllBtn: 'Accept all', acceptNecessaryBtn: 'Reject all', savePreferencesBtn: 'Save preferences', closeIconLabel: 'Close',
      sections: [ { title: 'Strictly necessary', description: 'Needed for the site to work.', linkedCategory: 'necessary' },
                  { title: 'Analytics', description: 'How visitors use the site.', linkedCategory: 'analytics' } ] },
  } } },
}).then(() => fx.mark('consent-run'));
</script>`, extra)
	writePage(w, "Acme Plumbing", head, body)
}

// klaroPage: Klaro with its default notice (a box in the corner; it blocks
// nothing) for one analytics service.
func klaroPage(w http.ResponseWriter, r *http.Request) {
	if !needThirdParty(w) {
		return
	}
	head := `<script>
var klaroConfig = {
  version: 1,
  services: [ { name: 'analytics', title: 'Analytics', purposes: ['analytics'] } ],
};
</script>
<script defer src="/vendor/klaro/dist/klaro.js"></script>`
	body := companyBody + `
<script>fx.watch('.klaro .cookie-notice', 'consent-shown');
// The visitor's choice, as Klaro's manager announces it (Klaro's deferred
// script has run by DOMContentLoaded).
document.addEventListener('DOMContentLoaded', () => klaro.getManager(klaroConfig).watch({update: (m, name, data) => {
  if (name === 'saveConsents') { fx.mark('consent-saved-' + data.type); fx.mark('consent-analytics-' + (data.consents.analytics ? 'on' : 'off')); }
}}));
</script>`
	writePage(w, "Acme Plumbing", head, body)
}

// osanoPage: Osano's cookieconsent 3 initialised with its defaults (an
// information bar at the bottom with "Got it!").
func osanoPage(w http.ResponseWriter, r *http.Request) {
	if !needThirdParty(w) {
		return
	}
	head := `<link rel="stylesheet" href="/vendor/cookieconsent/build/cookieconsent.min.css">`
	body := companyBody + `
<script src="/vendor/cookieconsent/build/cookieconsent.min.js"></script>
<script>
fx.watch('.cc-window', 'consent-shown');
window.cookieconsent.initialise({
  onPopupOpen: () => fx.mark('consent-open'),
  onStatusChange: (status) => fx.mark(status === 'deny' ? 'consent-reject' : 'consent-accept'),
});
</script>`
	writePage(w, "Acme Plumbing", head, body)
}

// botuiPage: BotUI 0.3 (Vue 2) as the company's chat. The page's own launcher
// #chat-launcher ("Chat with us", at chatui=MS [500], fx-chat-ui) opens the
// panel #chat-box (fx-chat-open), where the bot greets (a greeting, not an
// answer: fx-chat-greeting) and asks with BotUI's text action: a <form
// class="botui-actions-text"> with <input class="botui-actions-text-input">
// and a submit button. Submitting sends the text to /chat/agent
// (fx-chat-sent); its answer is shown answer=MS [1000] later (fx-chat-answer),
// then the bot asks again.
func botuiPage(w http.ResponseWriter, r *http.Request) {
	if !needThirdParty(w) {
		return
	}
	q := r.URL.Query()
	head := `<link rel="stylesheet" href="/vendor/botui/build/botui.min.css">
<link rel="stylesheet" href="/vendor/botui/build/botui-theme-default.css">
<style>#chat-box{position:fixed;right:16px;bottom:80px;width:360px;height:440px;background:#fff;border:1px solid #ccc;border-radius:8px;overflow:auto;display:none;z-index:100}
#chat-box.open{display:block}#chat-launcher{position:fixed;right:16px;bottom:16px;z-index:101}</style>`
	body := companyBody + fmt.Sprintf(`
<div id="chat-box" role="dialog" aria-label="Chat"><div id="botui-app"><bot-ui></bot-ui></div></div>
<script src="/vendor/vue/dist/vue.min.js"></script>
<script src="/vendor/botui/build/botui.min.js"></script>
<script>
(() => {
  const botui = new BotUI('botui-app');
  const ask = () => botui.action.text({action: {placeholder: 'Type your message', button: {label: 'Send'}}}).then((res) => {
    fx.report('sent');
    return fetch('/chat/agent?answer=%d', {method: 'POST', body: res.value}).then(r => r.json())
      .then(j => botui.message.add({content: j.text})).then(() => { fx.report('answer'); return ask(); });
  });
  let started = false;
  fx.at(%d, () => {
    const b = document.createElement('button'); b.id = 'chat-launcher'; b.className = 'chat-launcher big'; b.textContent = 'Chat with us';
    document.body.appendChild(b); fx.report('ui');
    b.addEventListener('click', () => {
      document.getElementById('chat-box').classList.add('open'); fx.report('open');
      if (started) return; started = true;
      botui.message.add({content: 'Hi! I am Acme\'s assistant. How can we help?'}).then(() => { fx.mark('chat-greeting'); return ask(); });
    });
  });
})();
</script>`, knob(q, "answer", 1000), knob(q, "chatui", 500))
	writePage(w, "Acme Plumbing", head, body)
}

// chatWidgetPage: react-chat-widget 3 (React 17) mounted at chatui=MS [500]
// (fx-chat-ui): its launcher button .rcw-launcher opens the conversation
// (.rcw-conversation-container); the composer is a contenteditable
// div.rcw-input in div.rcw-sender with a send button .rcw-send (Enter sends).
// A message goes to /chat/agent (fx-chat-sent), whose answer is shown
// answer=MS [1000] later as .rcw-response (fx-chat-answer).
func chatWidgetPage(w http.ResponseWriter, r *http.Request) {
	if !needThirdParty(w) {
		return
	}
	q := r.URL.Query()
	head := `<link rel="stylesheet" href="/vendor/react-chat-widget/lib/styles.css">`
	body := companyBody + fmt.Sprintf(`
<div id="rcw-root"></div>
<script src="/vendor/react/umd/react.production.min.js"></script>
<script src="/vendor/react-dom/umd/react-dom.production.min.js"></script>
<script src="/vendor/react-chat-widget/lib/index.js"></script>
<script>
(() => {
  const RCW = window['react-chat-widget'];
  const onMessage = (text) => {
    fx.report('sent');
    fetch('/chat/agent?answer=%d', {method: 'POST', body: text}).then(r => r.json())
      .then(j => { RCW.addResponseMessage(j.text); fx.report('answer'); });
  };
  const App = () => React.createElement(RCW.Widget, {handleNewUserMessage: onMessage,
    title: 'Acme support', subtitle: 'We answer within minutes', senderPlaceHolder: 'Type a message...'});
  fx.at(%d, () => {
    ReactDOM.render(React.createElement(App), document.getElementById('rcw-root'), () => fx.report('ui'));
    fx.watch('.rcw-conversation-container', 'chat-open-shown');
  });
})();
</script>`, knob(q, "answer", 1000), knob(q, "chatui", 500))
	writePage(w, "Acme Plumbing", head, body)
}

// themeDir is the Start Bootstrap Creative theme's dist directory under /vendor/.
const themeDir = "/vendor/startbootstrap-creative/dist/"

// themePage serves Start Bootstrap's Creative theme (its dist/index.html as
// published) with what a company that deploys it changes: the CDN files
// served from /vendor/ (Google Fonts and the SB Forms script left out), the
// contact form posting to /contact-submit with its submit button enabled
// (SB Forms would enable it), the phone number a tel: link and an e-mail
// link next to it. Its navbar collapses below 992 px: the Contact link is
// then inside the menu that the hamburger (.navbar-toggler) opens
// (fx-menu-open when #navbarResponsive is shown, fx-menu-open-gone when
// closed). Knobs:
//
//	contactpage=1  the Contact link leads to /3p/theme/contact (the contact
//	               section on a page of its own) instead of #contact
//	heavy=1        the masthead shows <img id="hero-img"> /fx/heavy.png
//	               (HeavyPNGBytes; fx-hero-loaded) instead of its background
//	chat=same|cross|page, chatui, answer, chatres=BYTES  the fixture's chat
//	               (chat.go); chatres: its frame loads /fx/asset.js of BYTES
func themePage(w http.ResponseWriter, r *http.Request, contactOnly bool) {
	if !needThirdParty(w) {
		return
	}
	raw, err := os.ReadFile(filepath.Join(VendorDir(), "startbootstrap-creative", "dist", "index.html"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	page := string(raw)
	var missing []string
	replace := func(old, new string) {
		if !strings.Contains(page, old) {
			missing = append(missing, old)
			return
		}
		page = strings.Replace(page, old, new, 1)
	}
	cut := func(from, to string) { // drops [from, to)
		i, j := strings.Index(page, from), strings.Index(page, to)
		if i < 0 || j < i {
			missing = append(missing, from+" … "+to)
			return
		}
		page = page[:i] + page[j:]
	}
	replace(`href="assets/favicon.ico"`, `href="`+themeDir+`assets/favicon.ico"`)
	replace(`https://cdn.jsdelivr.net/npm/bootstrap-icons@1.5.0/font/bootstrap-icons.css`, "/vendor/bootstrap-icons/font/bootstrap-icons.css")
	replace(`<link href="https://fonts.googleapis.com/css?family=Merriweather+Sans:400,700" rel="stylesheet" />`, "")
	replace(`<link href="https://fonts.googleapis.com/css?family=Merriweather:400,300,300italic,400italic,700,700italic" rel="stylesheet" type="text/css" />`, "")
	replace(`https://cdnjs.cloudflare.com/ajax/libs/SimpleLightbox/2.1.0/simpleLightbox.min.css`, "/vendor/simplelightbox/dist/simple-lightbox.min.css")
	replace(`href="css/styles.css"`, `href="`+themeDir+`css/styles.css"`)
	replace(`https://cdn.jsdelivr.net/npm/bootstrap@5.2.3/dist/js/bootstrap.bundle.min.js`, "/vendor/bootstrap/dist/js/bootstrap.bundle.min.js")
	replace(`https://cdnjs.cloudflare.com/ajax/libs/SimpleLightbox/2.1.0/simpleLightbox.min.js`, "/vendor/simplelightbox/dist/simple-lightbox.min.js")
	replace(`src="js/scripts.js"`, `src="`+themeDir+`js/scripts.js"`)
	replace(`<script src="https://cdn.startbootstrap.com/sb-forms-latest.js"></script>`, "")
	page = strings.ReplaceAll(page, `"assets/img/`, `"`+themeDir+`assets/img/`)
	replace(`<form id="contactForm" data-sb-form-api-token="API_TOKEN">`, `<form id="contactForm" action="/contact-submit" method="post">`)
	replace(`class="btn btn-primary btn-xl disabled" id="submitButton"`, `class="btn btn-primary btn-xl" id="submitButton"`)
	replace(`<div>+1 (555) 123-4567</div>`, `<div><a class="phone" href="tel:+15551234567">+1 (555) 123-4567</a></div>
                        <div><a class="email" href="mailto:hello@acme.example">hello@acme.example</a></div>`)
	replace(`</head>`, fxJS+"\n</head>")
	replace(`</body>`, `<script>fx.watch('#navbarResponsive.show', 'menu-open');</script>
`+chatHTML(r, parseTouchKnobs(q))+"\n</body>")
	if q.Get("heavy") != "" {
		replace(`<header class="masthead">`, `<header class="masthead" style="background:#3a3a3a">`)
		replace(`<div class="col-lg-8 align-self-end">`, fmt.Sprintf(`<div class="col-12 align-self-end"><img id="hero-img" src="/fx/heavy.png" width="%d" height="%d" alt="Our team at work" data-bytes="%d" style="width:100%%;height:auto;margin-top:72px" onload="fx.mark('hero-loaded')"></div>
                    <div class="col-lg-8 align-self-end">`, HeavyPNGWidth, HeavyPNGHeight, HeavyPNGBytes()))
	}
	switch {
	case contactOnly:
		cut(`<!-- Masthead-->`, `<!-- Contact-->`)
		replace(`<section class="page-section" id="contact">`, `<section class="page-section" id="contact" style="margin-top:72px">`)
	case q.Get("contactpage") != "":
		replace(`<a class="nav-link" href="#contact">Contact</a>`, `<a class="nav-link" href="/3p/theme/contact">Contact</a>`)
		cut(`<!-- Contact-->`, `<!-- Footer-->`)
	}
	if len(missing) > 0 {
		http.Error(w, "the theme's markup is not what the fixture expects (another version?): "+strings.Join(missing, "; "), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, page)
}
