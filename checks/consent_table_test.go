package checks

import "testing"

// TestConsentBlocks: a layer blocks when the visitor cannot reach the
// content until they choose — judged from where clicks at the content
// land and whether the page scrolls, never from the layer's name or size.
func TestConsentBlocks(t *testing.T) {
	for _, tc := range []struct {
		name string
		look consentLook
		want bool
	}{
		{"a corner notice (Klaro, 6 %)", consentLook{CMP: "klaro", Cover: 6}, false},
		{"a big banner that leaves the content reachable", consentLook{CMP: "onetrust", Cover: 45}, false},
		{"a small box whose overlay catches the clicks (disablePageInteraction)",
			consentLook{CMP: "unnamed", Cover: 12, Blocked: []consentBlock{{At: "heading h1", On: "layer", Hit: "div.cm-wrapper"}}}, true},
		{"a dimming backdrop of its own", consentLook{CMP: "unnamed", Cover: 20, Blocked: []consentBlock{{At: "the centre of the view", On: "overlay", Hit: "div.backdrop"}}}, true},
		{"the page refuses to scroll", consentLook{CMP: "didomi", Cover: 25, ScrollLocked: true}, true},
	} {
		got, why := consentBlocks(tc.look)
		if got != tc.want {
			t.Errorf("%s: blocks = %v (%s), want %v", tc.name, got, why, tc.want)
		}
		if why == "" {
			t.Errorf("%s: no reason given", tc.name)
		}
	}
}
