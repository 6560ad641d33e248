package checks_test

import (
	"strings"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/internal/site"
	"github.com/touchprobe/touchprobe/probe/browser"
)

// TestPhoneVisitorOnTheHeavyPage: the same page, visited as the desktop
// visitor and as Lighthouse's phone on slow 4G. The desktop visit is
// pleasant; on the phone the 1.5 MB hero cannot arrive before its bytes
// have crossed the throttled link — the bound is computed from the
// fixture's byte count and the profile's bandwidth, not measured — so the
// visit is indifferent. The chat in a cross-site iframe is on the same
// phone network: its requests pay the phone's latency too.
func TestPhoneVisitorOnTheHeavyPage(t *testing.T) {
	url := fixture.URL + "/fx/phone"

	desk := checks.AutoPlan(url)
	desk.Window = 20 * time.Second
	dres := visitPlan(t, desk)
	if dres.Verdict != checks.Pleasant || dres.Visitor != "desktop" {
		t.Errorf("desktop: %s as %q, reasons %+v; want pleasant", dres.Verdict, dres.Visitor, dres.Reasons)
	}

	phone := checks.AutoPlan(url)
	phone.Visitor, phone.Window = "mobile", 20*time.Second
	fixture.ResetChatEvents()
	pres := visitPlan(t, phone)
	// The contact link is in the collapsed menu at 412 px: the phone
	// visitor opens the menu (the fixture saw it open) and reaches the
	// contact page through it.
	consentTruth(t, "menu-open")
	if form := pres.Touchpoints[checks.TouchContactForm]; !form.Up || !strings.HasSuffix(form.Page, "/3p/theme/contact") || !logSays(pres, "opened the menu") {
		t.Errorf("phone contact form %+v: want it found on the contact page through the opened menu; log %q", form, pres.Log)
	} else if form.Menu == "" || dres.Touchpoints[checks.TouchContactForm].Menu != "" {
		t.Errorf("menu: phone %q, desktop %q; want the phone's toggler named, the desktop's not", form.Menu, dres.Touchpoints[checks.TouchContactForm].Menu)
	}
	if pres.Visitor != "mobile" || pres.Verdict != checks.Indifferent {
		t.Errorf("phone: %s as %q, reasons %+v; want indifferent", pres.Verdict, pres.Visitor, pres.Reasons)
	}
	bw := browser.BytesPerSecond(browser.Mobile.Network.DownKbps)
	lat := browser.Mobile.Network.LatencyMS / 1000
	lcp, ok := pres.Milestones[checks.MilestoneLCP]
	bound := float64(site.HeavyPNGBytes())/bw + lat
	if !ok || lcp < bound {
		t.Errorf("phone LCP %.2fs (reached %v), but %d bytes over %.0f B/s take at least %.2fs", lcp, ok, site.HeavyPNGBytes(), bw, bound)
	}
	t.Logf("LCP desktop %.2fs, phone %.2fs (bound from bytes and bandwidth %.2fs)", dres.Milestones[checks.MilestoneLCP], lcp, bound)
	// The visitor's first byte crossed the phone's network too: the page's
	// own responseStart is the server's (a few ms on loopback).
	if ttfb := pres.Milestones[checks.MilestoneTTFB]; ttfb < lat {
		t.Errorf("phone TTFB %.3fs; the document waits the phone's latency %.3fs", ttfb, lat)
	}
	// The chat widget in the cross-site iframe reports to its server with
	// fetch, the first time as soon as it runs: each of those requests pays
	// the phone's latency. Its document's script in its head (chatres
	// bytes), fetched before any command could reach the iframe's process,
	// is on the phone's network too, and recorded.
	slowest, asset := 0.0, 0.0
	if d := pres.Diagnosis; d != nil {
		for _, q := range d.Requests {
			if q.Type == "fetch" && strings.Contains(q.URL, "/chat/event") && q.End > q.Start {
				slowest = max(slowest, q.End-q.Start)
			}
			if strings.HasPrefix(q.URL, fixture.AltURL+"/fx/asset.js") && q.End > q.Start {
				asset = q.End - q.Start
			}
		}
	}
	if slowest < lat {
		t.Errorf("the chat iframe's requests took at most %.3fs; on the phone's network each waits %.3fs", slowest, lat)
	}
	if assetBound := float64(site.PhoneChatAssetBytes)/bw + lat; asset < assetBound {
		t.Errorf("the chat iframe's script took %.3fs (0: not recorded); %d bytes over %.0f B/s take at least %.3fs", asset, site.PhoneChatAssetBytes, bw, assetBound)
	}
	if tp := pres.Touchpoints[checks.TouchChat]; !tp.Up {
		t.Errorf("phone chat %+v", tp)
	}
}
