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
}

func parseTouchKnobs(q url.Values) TouchKnobs {
	return TouchKnobs{
		Form: atoi(q, "form"), FormReady: atoi(q, "formready"),
		Phone: q.Get("phone"), Email: q.Get("email"),
		Chat: q.Get("chat"), ChatUI: atoi(q, "chatui"), Answer: atoi(q, "answer"), Greet: q.Get("greet") != "",
	}
}

// registerTouchpoints adds the endpoints a form or a chat talks to.
func registerTouchpoints(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/contact-submit", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			s.stats.FormPosts.Add(1)
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Thank you</title><p id="thanks">Thank you, we will be in touch.</p>`)
	})
	mux.HandleFunc("/chat", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		q := r.URL.Query()
		chatTmpl.Execute(w, map[string]any{"UI": atoi(q, "ui"), "Answer": atoi(q, "answer"), "Greet": q.Get("greet") != ""})
	})
	mux.HandleFunc("/chat/message", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			s.stats.ChatMessages.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	})
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
	link("phone", t.Phone, "tel:+15550100", "Call +1 555 0100")
	link("email", t.Email, "mailto:hello@acme.example", "hello@acme.example")
	if t.Form > 0 {
		disabled := ""
		if t.FormReady > t.Form {
			disabled = " disabled"
		}
		fmt.Fprintf(&b, `<script>
fx.at(%d, () => {
  fx.add('<form id="contact" action="/contact-submit" method="post"><h2>Write to us</h2>' +
    '<label>E-mail <input type="email" name="email" id="email"%s></label><br>' +
    '<label>Message <textarea name="message" id="message"%s></textarea></label><br>' +
    '<button type="submit"%s>Send</button></form>');
  fx.mark('form');
});`, t.Form, disabled, disabled, disabled)
		if disabled != "" {
			fmt.Fprintf(&b, `
fx.at(%d, () => { document.querySelectorAll('#contact [disabled]').forEach(e => e.disabled = false); fx.mark('form-ready'); });`, t.FormReady)
		}
		b.WriteString("</script>\n")
	}
	if t.Chat == "same" || t.Chat == "cross" {
		host := r.Host
		if t.Chat == "cross" {
			host = otherSite(host)
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		q := url.Values{}
		q.Set("ui", fmt.Sprint(t.ChatUI))
		q.Set("answer", fmt.Sprint(t.Answer))
		if t.Greet {
			q.Set("greet", "1")
		}
		fmt.Fprintf(&b, `<iframe id="chat" title="Chat" src="%s://%s/chat?%s" style="position:fixed;right:16px;bottom:16px;width:360px;height:480px;border:0"></iframe>`,
			scheme, host, q.Encode())
	}
	return template.HTML(b.String())
}

// The generic chat widget: a launcher, a panel with an input and a send
// button, and a message list where the agent's answers appear.
var chatTmpl = template.Must(template.New("chat").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chat</title>
<style>body{margin:0;font-family:sans-serif;background:transparent}
.chat-launcher{position:absolute;right:8px;bottom:8px;padding:12px 18px;border-radius:24px;background:#0a7;color:#fff;border:0}
.chat-panel{display:none;position:absolute;inset:0 0 64px 0;background:#fff;border:1px solid #ccc}
.chat-panel.open{display:block}.chat-log{height:300px;overflow:auto}.chat-msg{margin:6px;padding:6px;border-radius:6px}
.chat-msg.agent{background:#e6f4ef}.chat-msg.visitor{background:#eef}</style></head>
<body>
<div class="chat-panel" id="panel"><div class="chat-log" id="log"></div>
<textarea class="chat-input" id="msg" aria-label="Your message"></textarea><button class="chat-send" id="send">Send</button></div>
<script>
const UI = {{.UI}}, ANSWER = {{.Answer}}, GREET = {{.Greet}};
const log = document.getElementById('log');
const say = (who, text) => { const d = document.createElement('div'); d.className = 'chat-msg ' + who; d.textContent = text; log.appendChild(d); };
setTimeout(() => {
  const b = document.createElement('button'); b.className = 'chat-launcher'; b.id = 'launcher'; b.textContent = 'Chat with us';
  b.onclick = () => document.getElementById('panel').classList.add('open');
  document.body.appendChild(b);
  performance.mark('fx-chat-ui');
  if (GREET) say('agent greeting', 'Hi there! Ask us anything.');
}, UI);
document.getElementById('send').onclick = () => {
  const text = document.getElementById('msg').value;
  if (!text) return;
  say('visitor', text);
  document.getElementById('msg').value = '';
  performance.mark('fx-chat-sent');
  fetch('/chat/message', {method: 'POST', body: text});
  if (ANSWER > 0) setTimeout(() => { say('agent', 'Thanks for writing! An agent is with you.'); performance.mark('fx-chat-answer'); }, ANSWER);
};
</script></body></html>
`))
