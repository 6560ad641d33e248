package checks

import (
	"context"
	"fmt"
)

// Known chat providers, detected by the global their script defines or by
// the script's address. Each entry is JavaScript run in the page's own
// world, where the provider's API lives, and only observes — the visitor
// opens the chat with a click (checks/chat.go):
//   - detect: is the provider on the page;
//   - loaded: has its widget finished loading;
//   - hook:   call rec(text) when an agent's message arrives (armed only
//     when we send, so a greeting before writing is never counted).
type chatProvider struct {
	Name, Detect, Loaded, Hook string
}

var chatProviders = []chatProvider{
	{Name: "intercom",
		Detect: `typeof window.Intercom === 'function' || has(/widget\.intercom\.io|intercomcdn\.com/)`,
		Loaded: `typeof window.Intercom === 'function' && (window.Intercom.booted !== false)`},
	{Name: "zendesk",
		Detect: `typeof window.zE === 'function' || !!window.$zopim || has(/static\.zdassets\.com|zopim\.com/)`,
		Loaded: `typeof window.zE === 'function'`},
	{Name: "drift",
		Detect: `!!window.drift || !!window.driftt || has(/js\.driftt\.com/)`,
		Loaded: `!!(window.drift && window.drift.api)`,
		Hook:   `window.drift.on('message', (e) => rec((e && (e.data && e.data.body || e.body)) || 'message'))`},
	{Name: "tawkto",
		Detect: `!!window.Tawk_API || has(/embed\.tawk\.to/)`,
		Loaded: `!!(window.Tawk_API && window.Tawk_API.getStatus && window.Tawk_API.getStatus())`,
		Hook: `(() => { const T = window.Tawk_API, prev = T.onChatMessageAgent;
		  T.onChatMessageAgent = function (m) { rec(m && m.msg || 'message'); if (typeof prev === 'function') return prev.apply(this, arguments); }; })()`},
	{Name: "livechat",
		Detect: `!!window.LiveChatWidget || has(/cdn\.livechatinc\.com/)`,
		Loaded: `!!(window.LiveChatWidget && window.LiveChatWidget.get && window.LiveChatWidget.get('state'))`,
		Hook:   `window.LiveChatWidget.on('new_event', (e) => { if (e && e.author && e.author.type === 'agent' && !e.greeting) rec(e.text || 'message'); })`},
	{Name: "crisp",
		Detect: `!!window.$crisp || !!window.CRISP_WEBSITE_ID || has(/client\.crisp\.chat/)`,
		Loaded: `!!(window.$crisp && typeof window.$crisp.is === 'function')`},
	// Crisp keeps one handler per event: hooking message:received would
	// take the site's own away, so the answer is watched in the DOM only.
	{Name: "hubspot",
		Detect: `!!window.HubSpotConversations || has(/js\.usemessages\.com/)`,
		Loaded: `!!(window.HubSpotConversations && window.HubSpotConversations.widget && window.HubSpotConversations.widget.status().loaded)`},
	{Name: "tidio",
		Detect: `!!window.tidioChatApi || has(/code\.tidio\.co/)`,
		Loaded: `!!(window.tidioChatApi && typeof window.tidioChatApi.open === 'function')`,
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
	var st providerState
	err := pg.Landing().PageValue(ctx, js, &st)
	return st, err
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
	return pg.Landing().PageValue(ctx, `(() => { `+snippet+`; return true; })()`, nil)
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
	var a *chatAnswer
	if err := pg.Landing().PageValue(ctx, `window.__touchprobeChatAnswer || null`, &a); err != nil {
		return nil
	}
	return a
}
