package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
)

// fakeParent stands in for the parent's session: it takes what the relay
// sends through Target.sendMessageToTarget and answers as the target
// would, through the relay's deliver (as the parent's read loop does).
type fakeParent struct {
	r      *relay
	mu     sync.Mutex
	sent   []map[string]any
	answer func(id float64, method string) string // "" = no answer
}

func (p *fakeParent) Call(_ context.Context, method string, params, _ any) error {
	if method != "Target.sendMessageToTarget" {
		return fmt.Errorf("unexpected %s", method)
	}
	m := params.(sendMessageToTargetParams)
	if m.SessionID != p.r.id {
		return fmt.Errorf("session %q, want %q", m.SessionID, p.r.id)
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(m.Message), &msg); err != nil {
		return err
	}
	p.mu.Lock()
	p.sent = append(p.sent, msg)
	p.mu.Unlock()
	if a := p.answer(msg["id"].(float64), msg["method"].(string)); a != "" {
		go p.r.deliver(a)
	}
	return nil
}

func (p *fakeParent) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}

func (p *fakeParent) Subscribe(string) (<-chan jsonv2.Value, func()) { return nil, func() {} }

func TestRelayCarriesCommandsRepliesAndEvents(t *testing.T) {
	p := &fakeParent{}
	p.r = newRelay(p, "S1", "T1", "iframe")
	p.answer = func(id float64, method string) string {
		switch method {
		case "Network.enable":
			return fmt.Sprintf(`{"id":%v,"result":{}}`, id)
		case "Emulation.setCPUThrottlingRate":
			return fmt.Sprintf(`{"id":%v,"error":{"code":-32000,"message":"Not supported"}}`, id)
		}
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := cdp.Call(ctx, p.r, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("Network.enable: %v", err)
	}
	_, err := cdp.Call(ctx, p.r, emulateCPU, map[string]float64{"rate": 4})
	if err == nil || err.Error() == "" {
		t.Fatalf("a command the target refuses: err %v, want its error", err)
	}
	if len(p.sent) != 2 || p.sent[0]["id"] == p.sent[1]["id"] || p.sent[1]["params"].(map[string]any)["rate"] != 4.0 {
		t.Fatalf("sent %v: want two commands with their own ids and params", p.sent)
	}

	// An event comes back decoded; a reply nobody waits for is dropped.
	ev := p.r.deliver(`{"method":"Network.loadingFinished","params":{"requestId":"R1","timestamp":1.5,"encodedDataLength":100}}`)
	if fin, ok := ev.(*network.EventLoadingFinished); !ok || fin.RequestID != "R1" || fin.EncodedDataLength != 100 {
		t.Fatalf("event %#v", ev)
	}
	if ev := p.r.deliver(`{"id":99,"result":{}}`); ev != nil {
		t.Fatalf("a stray reply gave %#v", ev)
	}
	if ev := p.r.deliver(`not json`); ev != nil {
		t.Fatalf("garbage gave %#v", ev)
	}

	// A target that goes away ends the calls waiting on it, and later ones.
	done := make(chan error, 1)
	go func() {
		_, err := cdp.Call(ctx, p.r, target.SetAutoAttach, target.SetAutoAttachParams{AutoAttach: true})
		done <- err
	}()
	for p.count() < 3 {
		time.Sleep(time.Millisecond)
	}
	p.r.close()
	if err := <-done; !errors.Is(err, errRelayClosed) {
		t.Fatalf("a call waiting when the target went: %v", err)
	}
	if _, err := cdp.Call(ctx, p.r, network.Enable, network.EnableParams{}); !errors.Is(err, errRelayClosed) {
		t.Fatalf("a call after: %v", err)
	}
}

var emulateCPU = cdp.Command[map[string]float64, cdp.Empty]{Method: "Emulation.setCPUThrottlingRate"}
