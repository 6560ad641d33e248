package config

import (
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/checks"
)

func TestPlan(t *testing.T) {
	data := `global:
  window: 15s
  filmstrip: false
  user_agent_marker: acme-synthetic
  browser:
    remote_url: ws://127.0.0.1:9222/devtools/browser/x
    recycle_above_memory: 1GiB
    flags: {lang: en-US, disable-extensions: true, mute-audio: false}
targets:
  - name: full
    url: https://acme.example/start
    consent: reject
    timeout: 30s
    promises: {first_contentful_paint: 1s}
    contact_form:
      page: /contact
      selector: form#c
      fields: {email: probe@example.com}
      submit: true
      confirmation: Thanks
    chat:
      provider: intercom
      frame: iframe#chat
      launcher: .l
      input: .i
      send_button: .s
      agent_message: .a
      send: true
      timeout: 45s
    phone: true
    email: false
  - name: auto
    url: https://auto.example/
  - name: off
    url: https://off.example/
    contact_form: false
    chat: false
`
	c, err := ParseEnv("p.yml", []byte(data), noEnv())
	if err != nil {
		t.Fatal(err)
	}
	full := c.Target("full").Plan(c.Global)
	if !full.Configured || full.Target != "full" || full.URL != "https://acme.example/start" {
		t.Errorf("plan head %+v", full)
	}
	if full.Window != 15*time.Second || full.Timeout != 30*time.Second || full.Consent != "reject" || full.Filmstrip {
		t.Errorf("window %v timeout %v consent %q filmstrip %v", full.Window, full.Timeout, full.Consent, full.Filmstrip)
	}
	if full.Promises[checks.MilestoneFCP] != time.Second || full.Promises[checks.MilestoneLCP] != 2500*time.Millisecond {
		t.Errorf("promises %v", full.Promises)
	}
	wantForm := checks.FormSpec{Mode: checks.Required, Page: "https://acme.example/contact", Selector: "form#c",
		Fields: map[string]string{"email": "probe@example.com"}, Submit: true, Confirmation: "Thanks"}
	if f := full.Form; f.Mode != wantForm.Mode || f.Page != wantForm.Page || f.Selector != wantForm.Selector ||
		f.Fields["email"] != "probe@example.com" || !f.Submit || f.Confirmation != "Thanks" {
		t.Errorf("form %+v, want %+v", f, wantForm)
	}
	wantChat := checks.ChatSpec{Mode: checks.Required, Provider: "intercom", Frame: "iframe#chat", Launcher: ".l", Input: ".i",
		SendButton: ".s", AgentMessage: ".a", Message: DefaultChatMessage, Send: true, Timeout: 45 * time.Second}
	if full.Chat != wantChat {
		t.Errorf("chat %+v, want %+v", full.Chat, wantChat)
	}
	if full.Phone != checks.Required || full.Email != checks.Off {
		t.Errorf("phone %v email %v", full.Phone, full.Email)
	}

	auto := c.Target("auto").Plan(c.Global)
	if auto.Form.Mode != checks.Auto || auto.Chat.Mode != checks.Auto || auto.Phone != checks.Auto || auto.Email != checks.Auto {
		t.Errorf("auto plan %+v", auto)
	}
	if auto.Form.Submit || auto.Chat.Send || auto.Consent != "accept" || auto.Timeout != time.Minute || auto.Chat.Timeout != time.Minute {
		t.Errorf("auto plan must send nothing and take the defaults: %+v", auto)
	}
	off := c.Target("off").Plan(c.Global)
	if off.Form.Mode != checks.Off || off.Chat.Mode != checks.Off {
		t.Errorf("off plan %+v", off)
	}

	o := c.Global.BrowserOptions()
	if o.RemoteURL != "ws://127.0.0.1:9222/devtools/browser/x" || o.ExecPath != "" || o.UserAgentMarker != "acme-synthetic" ||
		o.RecycleAfterVisits != 500 || o.RecycleAboveBytes != 1<<30 {
		t.Errorf("browser options %+v", o)
	}
	if o.Flags["lang"] != "en-US" || o.Flags["disable-extensions"] != true || o.Flags["mute-audio"] != false {
		t.Errorf("flags %#v", o.Flags)
	}
}
