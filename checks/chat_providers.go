package checks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// Known chat providers, detected by the global their script defines or by
// the script's address (research/browser.md §5). Each entry is JavaScript
// run in the page's own world, where the provider's API lives:
//   - detect: is the provider on the page;
//   - loaded: has its widget finished loading;
//   - open:   open the chat panel through the API (no click needed);
//   - hook:   call rec(text) when an agent's message arrives (armed only
//     when we send, so a greeting before writing is never counted).
type chatProvider struct {
	Name, Detect, Loaded, Open, Hook string
}

var chatProviders = []chatProvider{
	{Name: "intercom",
		Detect: `typeof window.Intercom === 'function' || has(/widget\.intercom\.io|intercomcdn\.com/)`,
		Loaded: `typeof window.Intercom === 'function' && (window.Intercom.booted !== false)`,
		Open:   `window.Intercom('show')`},
	{Name: "zendesk",
		Detect: `typeof window.zE === 'function' || !!window.$zopim || has(/static\.zdassets\.com|zopim\.com/)`,
		Loaded: `typeof window.zE === 'function'`,
		Open:   `window.zE('messenger', 'open')`},
	{Name: "drift",
		Detect: `!!window.drift || !!window.driftt || has(/js\.driftt\.com/)`,
		Loaded: `!!(window.drift && window.drift.api)`,
		Open:   `window.drift.api.openChat ? window.drift.api.openChat() : window.drift.api.sidebar.open()`,
		Hook:   `window.drift.on('message', (e) => rec((e && (e.data && e.data.body || e.body)) || 'message'))`},
	{Name: "tawkto",
		Detect: `!!window.Tawk_API || has(/embed\.tawk\.to/)`,
		Loaded: `!!(window.Tawk_API && window.Tawk_API.getStatus && window.Tawk_API.getStatus())`,
		Open:   `window.Tawk_API.maximize()`,
		Hook: `(() => { const T = window.Tawk_API, prev = T.onChatMessageAgent;
		  T.onChatMessageAgent = function (m) { rec(m && m.msg || 'message'); if (typeof prev === 'function') return prev.apply(this, arguments); }; })()`},
	{Name: "livechat",
		Detect: `!!window.LiveChatWidget || has(/cdn\.livechatinc\.com/)`,
		Loaded: `!!(window.LiveChatWidget && window.LiveChatWidget.get && window.LiveChatWidget.get('state'))`,
		Open:   `window.LiveChatWidget.call('maximize')`,
		Hook:   `window.LiveChatWidget.on('new_event', (e) => { if (e && e.author && e.author.type === 'agent' && !e.greeting) rec(e.text || 'message'); })`},
	{Name: "crisp",
		Detect: `!!window.$crisp || !!window.CRISP_WEBSITE_ID || has(/client\.crisp\.chat/)`,
		Loaded: `!!(window.$crisp && typeof window.$crisp.is === 'function')`,
		Open:   `window.$crisp.push(['do', 'chat:open'])`},
	// Crisp keeps one handler per event: hooking message:received would
	// take the site's own away, so the answer is watched in the DOM only.
	{Name: "hubspot",
		Detect: `!!window.HubSpotConversations || has(/js\.usemessages\.com/)`,
		Loaded: `!!(window.HubSpotConversations && window.HubSpotConversations.widget && window.HubSpotConversations.widget.status().loaded)`,
		Open:   `window.HubSpotConversations.widget.open()`},
	{Name: "tidio",
		Detect: `!!window.tidioChatApi || has(/code\.tidio\.co/)`,
		Loaded: `!!(window.tidioChatApi && typeof window.tidioChatApi.open === 'function')`,
		Open:   `window.tidioChatApi.open()`,
		Hook:   `window.tidioChatApi.on('messageFromOperator', (m) => rec(m && m.message || 'message'))`},
}

// providerState is what the page says of a provider.
type providerState struct {
	Name   string `json:"name"`
	Loaded bool   `json:"loaded"`
}

// detectProvider names the provider on the page (only want, unless it is
// "auto" or empty), and whether its widget loaded.
func detectProvider(ctx context.Context, pg *Page, want string) (providerState, error) {
	js := "(() => { const has = (re) => Array.from(document.scripts).some(s => re.test(s.src)); const T = (f) => { try { return !!f(); } catch (_) { return false; } };\n"
	for _, p := range chatProviders {
		if want != "" && want != "auto" && want != p.Name {
			continue
		}
		js += fmt.Sprintf("if (T(() => %s)) return {name: %q, loaded: T(() => %s)};\n", p.Detect, p.Name, p.Loaded)
	}
	js += "return {name: ''}; })()"
	tctx, cancel := pg.Tab(ctx, 2*time.Second)
	defer cancel()
	return chromedp.Run(tctx, chromedp.Evaluate[providerState](js))
}

func providerNamed(name string) *chatProvider {
	for i := range chatProviders {
		if chatProviders[i].Name == name {
			return &chatProviders[i]
		}
	}
	return nil
}

// providerCall runs one of a provider's snippets in the page's world.
func providerCall(ctx context.Context, pg *Page, snippet string) error {
	if snippet == "" {
		return nil
	}
	tctx, cancel := pg.Tab(ctx, 2*time.Second)
	defer cancel()
	_, err := chromedp.Run(tctx, chromedp.Evaluate[json.RawMessage](`(() => { `+snippet+`; return true; })()`))
	return err
}

// armProvider installs the provider's answer hook; answers land in a global
// that providerAnswer reads.
func armProvider(ctx context.Context, pg *Page, p *chatProvider) error {
	if p == nil || p.Hook == "" {
		return nil
	}
	return providerCall(ctx, pg, `window.__touchprobeChatAnswer = null;
	  const rec = (text) => { if (!window.__touchprobeChatAnswer && text) window.__touchprobeChatAnswer = {t: performance.timeOrigin + performance.now(), text: String(text).slice(0, 200)}; };
	  `+p.Hook)
}

// providerAnswer is the first agent message the provider's API reported.
func providerAnswer(ctx context.Context, pg *Page) *chatAnswer {
	tctx, cancel := pg.Tab(ctx, 2*time.Second)
	defer cancel()
	a, err := chromedp.Run(tctx, chromedp.Evaluate[*chatAnswer](`window.__touchprobeChatAnswer || null`))
	if err != nil {
		return nil
	}
	return a
}
