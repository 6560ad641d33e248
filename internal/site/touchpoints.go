package site

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// TouchKnobs place the ways to reach the company on a page.
type TouchKnobs struct {
	Form      int    // contact form appears at (ms); 0: no form
	FormReady int    // its fields are enabled at (ms); 0: at once
	Phone     string // "1": tel: link in the header; "below": below the fold
	Email     string // same for mailto:
	Chat      string // "same" | "cross": a chat widget in an iframe of this or another site
	ChatUI    int    // the widget shows its launcher this long after the iframe starts (ms)
	Answer    int    // an agent answers this long after the visitor's message (ms); 0: never
	Greet     bool   // the widget greets before the visitor writes (not an answer)
	// ContactLink: a menu link with this text leads to a contact page whose
	// own knobs are ContactQuery (default "fcp=100&form=300").
	ContactLink  string
	ContactQuery string
	ConfirmDelay int // the server confirms a sent form this long after it arrived (ms)
}

func parseTouchKnobs(q url.Values) TouchKnobs {
	return TouchKnobs{
		Form: atoi(q, "form"), FormReady: atoi(q, "formready"),
		Phone: q.Get("phone"), Email: q.Get("email"),
		Chat: q.Get("chat"), ChatUI: atoi(q, "chatui"), Answer: atoi(q, "answer"), Greet: q.Get("greet") != "",
		ContactLink: q.Get("contactlink"), ContactQuery: q.Get("contactq"), ConfirmDelay: atoi(q, "confirmdelay"),
	}
}

// registerTouchpoints adds the endpoints a form or a chat talks to.
func registerTouchpoints(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/contact-submit", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			s.stats.FormPosts.Add(1)
		}
		if !sleep(r, atoi(r.URL.Query(), "delay")) {
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Thank you</title><p id="thanks">Thank you, we will be in touch.</p>`)
	})
	mux.HandleFunc("/consent-frame", consentFrame)
	registerChat(s, mux)
}

// otherSite swaps 127.0.0.1 and localhost in a Host header.
func otherSite(host string) string {
	if strings.HasPrefix(host, "localhost") {
		return strings.Replace(host, "localhost", "127.0.0.1", 1)
	}
	return strings.Replace(host, "127.0.0.1", "localhost", 1)
}

// touchpointHTML renders the contact channels the knobs ask for.
func touchpointHTML(r *http.Request, t TouchKnobs) template.HTML {
	var b strings.Builder
	link := func(kind, where, href, text string) {
		switch where {
		case "":
			return
		case "below":
			fmt.Fprintf(&b, `<div style="margin-top:1400px"><a class="%s" href="%s">%s</a></div>`, kind, href, text)
		default:
			fmt.Fprintf(&b, `<p><a class="%s" href="%s">%s</a></p>`, kind, href, text)
		}
	}
	if t.ContactLink != "" {
		q := t.ContactQuery
		if q == "" {
			q = "fcp=100&form=300"
		}
		fmt.Fprintf(&b, `<nav id="menu"><a href="/p/about">About us</a> <a href="/p/contact?%s">%s</a></nav>`,
			template.HTMLEscapeString(q), template.HTMLEscapeString(t.ContactLink))
	}
	link("phone", t.Phone, "tel:+15550100", "Call +1 555 0100")
	link("email", t.Email, "mailto:hello@acme.example", "hello@acme.example")
	if t.Form > 0 {
		disabled := ""
		if t.FormReady > t.Form {
			disabled = " disabled"
		}
		fmt.Fprintf(&b, `<script>
fx.at(%d, () => {
  fx.add('<form id="contact" action="/contact-submit?delay=%d" method="post"><h2>Write to us</h2>' +
    '<label>E-mail <input type="email" name="email" id="email"%s></label><br>' +
    '<label>Message <textarea name="message" id="message"%s></textarea></label><br>' +
    '<button type="submit"%s>Send</button></form>');
  fx.mark('form');%s
});`, t.Form, t.ConfirmDelay, disabled, disabled, disabled, map[bool]string{true: "", false: " fx.report('form-ready');"}[disabled != ""])
		if disabled != "" {
			fmt.Fprintf(&b, `
fx.at(%d, () => { document.querySelectorAll('#contact [disabled]').forEach(e => e.disabled = false); fx.mark('form-ready'); fx.report('form-ready'); });`, t.FormReady)
		}
		b.WriteString("</script>\n")
	}
	b.WriteString(formExtrasHTML(r)) // forms.go: form states, auto-submit, consent layers
	b.WriteString(chatHTML(r, t))
	return template.HTML(b.String())
}
