package site

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// The live chat of the fixture. Knobs (query of the landing page):
//
//	chat=same|cross|page  the widget in an iframe of this site, of another
//	                      site (an out-of-process iframe), or in the page itself
//	chatui=MS             its launcher shows at MS since the landing page's
//	                      navigation start (page clock, whatever the frame)
//	answer=MS             an agent answers MS after the visitor's message; 0: never
//	greet=1               the widget greets before the visitor writes (no answer)
//	typing=1              "Agent is typing…" shows 200 ms after the message (no answer)
//	chatlabel=TEXT        the launcher says TEXT, with a class that says nothing
//	                      (to test the launcher heuristic in other languages)
//	nolauncher=1          no launcher button: only the provider's API opens it
//	swallow=1             the send button takes nothing: the message stays in
//	                      the input and never reaches the transcript or the server
//	provider=tawkto|intercom  a provider-shaped global (window.Tawk_API or
//	                      window.Intercom) drives the widget, as those scripts do
//	chatres=BYTES         the widget's document loads /fx/asset.js of exactly
//	                      BYTES bytes (in its head) before the widget starts
//
// The widget reports what it did to /chat/event, so tests compare measured
// times with the fixture's own (Site.ChatEvents).

// ChatEvent is something the fixture's chat widget (or, "form-ready", its contact form) did, in ms since the
// landing page's navigation start (page clock).
type ChatEvent struct {
	Kind string  // ui | open | sent | typing | answer
	At   float64 // ms since navigation start of the landing page
}

// chatLogs holds each Site's chat events; Site itself (site.go) has no field
// for them.
var chatLogs sync.Map // *Site → *chatLog

type chatLog struct {
	mu     sync.Mutex
	events []ChatEvent
}

func (s *Site) chatLog() *chatLog {
	l, _ := chatLogs.LoadOrStore(s, &chatLog{})
	return l.(*chatLog)
}

// ChatEvents returns what the chat widgets did since the last ResetChatEvents.
func (s *Site) ChatEvents() []ChatEvent {
	l := s.chatLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ChatEvent(nil), l.events...)
}

// ResetChatEvents forgets the recorded chat events.
func (s *Site) ResetChatEvents() {
	l := s.chatLog()
	l.mu.Lock()
	l.events = nil
	l.mu.Unlock()
}

// LastChatEvent returns the time of the last event of kind, or false.
func (s *Site) LastChatEvent(kind string) (float64, bool) {
	ev := s.ChatEvents()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == kind {
			return ev[i].At, true
		}
	}
	return 0, false
}

func registerChat(s *Site, mux *http.ServeMux) {
	mux.HandleFunc("/chat", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		cfg := chatConfigFrom(r.URL.Query())
		chatFrameTmpl.Execute(w, map[string]any{"Widget": template.JS(chatWidgetJS), "Config": cfg, "Res": atoi(r.URL.Query(), "res")})
	})
	mux.HandleFunc("/chat/message", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			s.stats.ChatMessages.Add(1)
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/chat/event", func(w http.ResponseWriter, r *http.Request) {
		at, err := strconv.ParseFloat(r.URL.Query().Get("at"), 64)
		if r.Method == http.MethodPost && err == nil {
			l := s.chatLog()
			l.mu.Lock()
			l.events = append(l.events, ChatEvent{Kind: r.URL.Query().Get("kind"), At: at})
			l.mu.Unlock()
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// chatConfig is what the widget script needs.
type chatConfig struct {
	UI       int     `json:"ui"`
	Answer   int     `json:"answer"`
	Greet    bool    `json:"greet"`
	Typing   bool    `json:"typing"`
	Provider string  `json:"provider"`
	Origin   float64 `json:"origin"` // epoch ms of the landing page's navigation start; 0: this document's
	Framed   bool    `json:"framed"`
	// NoLauncher: only a provider's API opens the panel.
	NoLauncher bool   `json:"nolauncher"`
	Swallow    bool   `json:"swallow"` // the send button does nothing
	Label      string `json:"label"`
}

func chatConfigFrom(q url.Values) chatConfig {
	origin, _ := strconv.ParseFloat(q.Get("origin"), 64)
	return chatConfig{UI: atoi(q, "ui"), Answer: atoi(q, "answer"), Greet: q.Get("greet") != "",
		Typing: q.Get("typing") != "", Provider: q.Get("provider"), Origin: origin, Framed: true,
		NoLauncher: q.Get("nolauncher") != "", Label: q.Get("chatlabel"), Swallow: q.Get("swallow") != ""}
}

// chatHTML renders the chat the knobs ask for on the landing page.
func chatHTML(r *http.Request, t TouchKnobs) string {
	q := r.URL.Query()
	provider := q.Get("provider")
	var b strings.Builder
	if provider != "" {
		fmt.Fprintf(&b, "<script>%s</script>\n", strings.Replace(chatProviderJS, "__PROVIDER__", strconv.Quote(provider), 1))
	}
	switch t.Chat {
	case "same", "cross":
		host := r.Host
		if t.Chat == "cross" {
			host = otherSite(host)
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		v := url.Values{}
		v.Set("ui", fmt.Sprint(t.ChatUI))
		v.Set("answer", fmt.Sprint(t.Answer))
		if t.Greet {
			v.Set("greet", "1")
		}
		if q.Get("typing") != "" {
			v.Set("typing", "1")
		}
		if provider != "" {
			v.Set("provider", provider)
		}
		if q.Get("nolauncher") != "" {
			v.Set("nolauncher", "1")
		}
		if q.Get("swallow") != "" {
			v.Set("swallow", "1")
		}
		if l := q.Get("chatlabel"); l != "" {
			v.Set("chatlabel", l)
		}
		if n := atoi(q, "chatres"); n > 0 {
			v.Set("res", fmt.Sprint(n))
		}
		src := fmt.Sprintf("%s://%s/chat?%s", scheme, host, v.Encode())
		// The iframe learns the landing page's navigation start, so that its
		// timeline is on the landing page's clock.
		fmt.Fprintf(&b, `<script>(() => {
  const f = document.createElement('iframe');
  f.id = 'chat'; f.title = 'Chat';
  f.src = %s + '&origin=' + performance.timeOrigin;
  f.style.cssText = 'position:fixed;right:16px;bottom:16px;width:360px;height:480px;border:0';
  document.body.appendChild(f);
  window.__fxChatFrame = f;
})();</script>`, strconv.Quote(src))
	case "page":
		cfg, _ := json.Marshal(chatConfig{UI: t.ChatUI, Answer: t.Answer, Greet: t.Greet,
			Typing: q.Get("typing") != "", Provider: provider, NoLauncher: q.Get("nolauncher") != "", Label: q.Get("chatlabel"), Swallow: q.Get("swallow") != ""})
		fmt.Fprintf(&b, `<div id="chat-widget" style="position:fixed;right:16px;bottom:16px;width:360px;height:480px;pointer-events:none"></div>
<style>#chat-widget>*{pointer-events:auto}</style>
<script>%s
fxChatWidget(document.getElementById('chat-widget'), %s);</script>`, chatWidgetJS, cfg)
	}
	return b.String()
}

// The widget in a document of its own (the iframe).
var chatFrameTmpl = template.Must(template.New("chat").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chat</title>
<style>body{margin:0;font-family:sans-serif;background:transparent}</style>
{{if .Res}}<script src="/fx/asset.js?bytes={{.Res}}"></script>{{end}}</head>
<body><div id="chat-widget" style="position:absolute;inset:0"></div>
<script>{{.Widget}}
fxChatWidget(document.getElementById('chat-widget'), {{.Config}});
</script></body></html>
`))

// chatWidgetJS builds the generic chat widget into a container: a launcher,
// a panel with an input and a send button, and a message log where the
// agent's answers appear.
const chatWidgetJS = `
function fxChatWidget(root, cfg) {
  const origin = cfg.origin || performance.timeOrigin;
  const now = () => performance.timeOrigin + performance.now() - origin;
  const report = (kind) => { const at = now(); performance.mark('fx-chat-' + kind);
    fetch('/chat/event?kind=' + kind + '&at=' + at.toFixed(1), {method: 'POST'}).catch(() => {}); };
  const css = document.createElement('style');
  css.textContent = '.chat-launcher,.fx-btn{position:absolute;right:8px;bottom:8px;padding:12px 18px;border-radius:24px;background:#0a7;color:#fff;border:0}' +
    '.chat-panel{display:none;position:absolute;left:0;right:0;top:0;bottom:64px;background:#fff;border:1px solid #ccc}' +
    '.chat-panel.open{display:block}.chat-log{height:300px;overflow:auto}.chat-msg{margin:6px;padding:6px;border-radius:6px}' +
    '.chat-msg.agent{background:#e6f4ef}.chat-msg.visitor{background:#eef}.chat-typing{color:#888;margin:6px}';
  root.appendChild(css);
  const panel = document.createElement('div'); panel.className = 'chat-panel'; panel.id = 'panel';
  panel.innerHTML = '<div class="chat-log" id="log"></div>' +
    '<textarea class="chat-input" id="msg" aria-label="Your message"></textarea><button class="chat-send" id="send">Send</button>';
  root.appendChild(panel);
  const log = panel.querySelector('#log'), input = panel.querySelector('#msg');
  const say = (who, text) => { const d = document.createElement('div'); d.className = 'chat-msg ' + who; d.textContent = text; log.appendChild(d); return d; };
  const open = () => { if (!panel.classList.contains('open')) { panel.classList.add('open'); report('open'); } };
  const toParent = (m) => { if (cfg.framed && window.parent !== window) window.parent.postMessage(m, '*'); else window.dispatchEvent(new MessageEvent('message', {data: m})); };
  window.addEventListener('message', (e) => { if (e.data && e.data.fxChat === 'open') open(); });
  setTimeout(() => {
    const b = document.createElement('button'); b.className = 'chat-launcher'; b.id = 'launcher'; b.textContent = 'Chat with us';
    if (cfg.label) { b.className = 'fx-btn'; b.id = ''; b.textContent = cfg.label; }
    b.onclick = open;
    if (!cfg.nolauncher) root.appendChild(b);
    report('ui');
    if (cfg.greet) say('agent greeting', 'Hi there! Ask us anything.');
    toParent({fxChat: 'loaded'});
  }, Math.max(0, cfg.ui - now()));
  panel.querySelector('#send').onclick = () => {
    const text = input.value;
    if (!text || cfg.swallow) return;
    say('visitor', text);
    input.value = '';
    report('sent');
    fetch('/chat/message', {method: 'POST', body: text});
    let typing = null;
    if (cfg.typing) setTimeout(() => { if (!typing) { typing = document.createElement('div'); typing.className = 'chat-typing'; typing.textContent = 'Agent is typing…'; log.appendChild(typing); report('typing'); } }, 200);
    if (cfg.answer > 0) setTimeout(() => {
      if (typing) typing.remove(); typing = 'done';
      say('agent', 'Thanks for writing! An agent is with you.');
      report('answer');
      toParent({fxChat: 'agent', text: 'Thanks for writing! An agent is with you.'});
    }, cfg.answer);
  };
}
`

// chatProviderJS stands in for a provider's script: the global its real
// script defines, shaped as that provider documents it, driving the fixture's
// widget through postMessage.
const chatProviderJS = `(() => {
  const provider = __PROVIDER__;
  const widget = () => { const f = window.__fxChatFrame; return f ? f.contentWindow : window; };
  const openWidget = () => widget().postMessage({fxChat: 'open'}, '*');
  let loaded = false; const agentHooks = [];
  window.addEventListener('message', (e) => {
    if (!e.data || !e.data.fxChat) return;
    if (e.data.fxChat === 'loaded') { loaded = true; if (provider === 'tawkto' && window.Tawk_API.onLoad) window.Tawk_API.onLoad(); }
    if (e.data.fxChat === 'agent') {
      if (provider === 'tawkto' && window.Tawk_API.onChatMessageAgent) window.Tawk_API.onChatMessageAgent({msg: e.data.text});
      agentHooks.forEach(fn => fn());
    }
  });
  if (provider === 'tawkto') {
    window.Tawk_API = window.Tawk_API || {};
    Object.assign(window.Tawk_API, {
      maximize: openWidget,
      getStatus: () => loaded ? 'online' : undefined,
      isChatMaximized: () => false,
    });
    window.Tawk_LoadStart = new Date();
  }
  if (provider === 'intercom') {
    window.Intercom = function (cmd, arg) {
      if (cmd === 'show') openWidget();
      if (cmd === 'onUnreadCountChange' && typeof arg === 'function') agentHooks.push(() => arg(1));
    };
    window.intercomSettings = {app_id: 'fixture'};
  }
})();`
