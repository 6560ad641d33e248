package site

import "fmt"

// DemoConfigYAML is the config of `touchprobe run` without -config (and of
// the dashboards' query test): five targets on the fixture at baseURL, so
// that every verdict, a chat answer and a failure reason show up at once.
//
//   - demo-pleasant: the demo company's landing page, every promise kept;
//   - demo-slow-paint: a render-blocking script held 2.4 s keeps the page
//     blank past the 1.8 s paint promise (indifferent; the evidence names
//     the script);
//   - demo-contact: a contact page whose form is required;
//   - demo-chat: a chat that is sent a message (send: true) and answers;
//     the message goes to this fixture's own chat, so it costs nobody;
//   - demo-broken: the page answers 500 (problematic, reason http_status).
func DemoConfigYAML(baseURL string) string {
	return fmt.Sprintf(`global:
  interval: 30s
  timeout: 45s
  recheck_after: 15s
  location: demo
  concurrency: 2
targets:
  - name: demo-pleasant
    url: "%[1]s/%[2]s"
    labels: {team: demo}
  - name: demo-slow-paint
    url: "%[1]s/?ttfb=200&body=300&blocking=2400&fcp=100&lcp=3200&phone=1&email=1"
    labels: {team: demo}
  - name: demo-contact
    url: "%[1]s/?fcp=600&lcp=900&form=1500&formready=2200&phone=1"
    labels: {team: sales}
    contact_form: {}
    chat: false
  - name: demo-chat
    url: "%[1]s/?ttfb=100&fcp=500&lcp=900&shift=1200&chat=same&chatui=800&answer=1500&phone=1&email=1"
    labels: {team: support}
    chat: {send: true, interval: 1m, timeout: 20s}
  - name: demo-broken
    url: "%[1]s/?status=500&fcp=300"
    labels: {team: web}
`, baseURL, DemoPath)
}
