package probe

import (
	"encoding/xml"
	"html"
	"io"
	"math"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/touchprobe/touchprobe/checks"
	"github.com/touchprobe/touchprobe/probe/browser"
	"github.com/touchprobe/touchprobe/probe/config"
)

// statusFixture: acme visited (indifferent: LCP broke its promise, the chat
// answered after the window), beta not visited yet.
func statusFixture() *fakeProber {
	started := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	last := checks.Result{
		Target: "acme", URL: "https://acme.example/", Verdict: checks.Indifferent,
		StartedAt: started, DurationSeconds: 4.2, HTTPStatus: 200,
		Reasons: []checks.Reason{{Code: checks.CodeBrokenPromise, Milestone: checks.MilestoneLCP,
			Message: "largest contentful paint at 3.00 s, promised 2.50 s"}},
		Milestones: map[string]float64{
			checks.MilestoneTTFB: 0.1, checks.MilestoneFCP: 0.8, checks.MilestoneLCP: 3.0,
			checks.MilestoneLoad: 10, checks.MilestoneChatAnswered: 25,
		},
		Promises: map[string]float64{checks.MilestoneFCP: 1.8, checks.MilestoneLCP: 2.5},
		Touchpoints: map[string]checks.Touchpoint{
			checks.TouchContactForm: {Up: true, Checked: true},
			checks.TouchPhone:       {Up: false, Checked: true, Required: true, Reason: checks.ReasonPhoneMissing},
			checks.TouchEmail:       {Up: false, Checked: true, Reason: checks.ReasonEmailMissing}, // auto: not on the site
		},
		Frames: []browser.Shot{{Offset: 0, JPEG: []byte("a")}, {Offset: 850 * time.Millisecond, JPEG: []byte("b")}},
	}
	older := checks.Result{Target: "acme", Verdict: checks.Problematic, StartedAt: started.Add(-5 * time.Minute),
		DurationSeconds: 20, Reasons: []checks.Reason{{Code: checks.ReasonTimeout, Failure: true, Message: "page timed out"}}}
	return &fakeProber{targets: []TargetState{
		{Name: "acme", URL: "https://acme.example/", Last: &last, History: []checks.Result{last, older},
			NextVisit: started.Add(5 * time.Minute), Rechecking: true},
		{Name: "beta", URL: "https://beta.example/"},
	}}
}

func getStatus(t *testing.T, p Prober, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	NewServer(p, prometheus.NewRegistry(), ServerOptions{}).ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

// svgShape is the timeline's elements that the tests read.
type svgShape struct {
	width     float64
	ticks     []float64          // x of each tick line
	labels    map[string]float64 // tick label → x
	markers   map[string]float64 // milestone → marker x
	clipped   map[string]string  // milestone → its clipped label
	promises  map[string]float64 // milestone → promise mark x
	unreached int
}

// parseTimelines reads every <svg class="timeline"> in page.
func parseTimelines(t *testing.T, page string) []svgShape {
	t.Helper()
	var out []svgShape
	for _, m := range regexp.MustCompile(`(?s)<svg class="timeline".*?</svg>`).FindAllString(page, -1) {
		s := svgShape{labels: map[string]float64{}, markers: map[string]float64{}, clipped: map[string]string{}, promises: map[string]float64{}}
		dec := xml.NewDecoder(strings.NewReader(m))
		dec.Strict, dec.Entity = false, xml.HTMLEntity
		var stack []xml.StartElement
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("timeline SVG does not parse: %v\n%s", err, m)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				stack = append(stack, e)
				a := attrs(e)
				num := func(k string) float64 {
					v, err := strconv.ParseFloat(a[k], 64)
					if err != nil {
						t.Fatalf("<%s %s=%q>: %v", e.Name.Local, k, a[k], err)
					}
					return v
				}
				switch {
				case e.Name.Local == "svg":
					s.width = num("width")
				case e.Name.Local == "line" && a["class"] == "tick":
					s.ticks = append(s.ticks, num("x1"))
				case e.Name.Local == "line" && a["class"] == "promise":
					s.promises[a["data-milestone"]] = num("x1")
				case e.Name.Local == "g" && strings.HasPrefix(a["class"], "marker"):
					s.markers[a["data-milestone"]] = num("data-x")
				case e.Name.Local == "text" && a["class"] == "unreached":
					s.unreached++
				}
			case xml.EndElement:
				stack = stack[:len(stack)-1]
			case xml.CharData:
				if len(stack) == 0 || stack[len(stack)-1].Name.Local != "text" {
					continue
				}
				a := attrs(stack[len(stack)-1])
				txt := strings.TrimSpace(string(e))
				if a["class"] == "tick-label" {
					x, _ := strconv.ParseFloat(a["x"], 64)
					s.labels[txt] = x
				}
				if strings.HasPrefix(txt, "›") && len(stack) >= 2 {
					s.clipped[attrs(stack[len(stack)-2])["data-milestone"]] = txt
				}
			}
		}
		out = append(out, s)
	}
	return out
}

func attrs(e xml.StartElement) map[string]string {
	m := map[string]string{}
	for _, a := range e.Attr {
		m[a.Name.Local] = a.Value
	}
	return m
}

func TestStatusPageShowsEveryTarget(t *testing.T) {
	rec := getStatus(t, statusFixture(), "GET", "/")
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	page := rec.Body.String()
	for _, want := range []string{
		`data-target="acme"`, `data-target="beta"`, "https://acme.example/", "https://beta.example/",
		`<span class="verdict indifferent">indifferent</span>`,
		`<span class="verdict unknown">not visited yet</span>`,
		"largest contentful paint at 3.00 s, promised 2.50 s", "broken_promise",
		"visited 2026-11-30 02:00:00 UTC", "next visit 2026-11-30 02:05:00 UTC", ">rechecking<",
		`<span class="verdict problematic">problematic</span>`, "page timed out", // history
		"Recent visits (2)", `http-equiv="refresh" content="30"`,
		`class="down">phone ✗`, `class="up">contact_form ✓`,
		`class="absent">email – <small>not on the site</small>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// No script and nothing loaded from elsewhere.
	for _, bad := range []string{"<script", `src="http`, `src="//`, `href="http`, "<link"} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q", bad)
		}
	}
	if strings.Count(page, "<svg") != 2 {
		t.Errorf("%d SVGs, want one timeline per target", strings.Count(page, "<svg"))
	}

	// The filmstrip: one img per frame, linked to /filmstrip, labelled with its offset.
	imgs := regexp.MustCompile(`<img src="([^"]+)"[^>]*>\s*<figcaption>([^<]+)</figcaption>`).FindAllStringSubmatch(page, -1)
	if len(imgs) != 2 {
		t.Fatalf("filmstrip: %d images, want 2", len(imgs))
	}
	for i, m := range imgs {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil || u.Path != "filmstrip" || u.Query().Get("target") != "acme" || u.Query().Get("frame") != strconv.Itoa(i) {
			t.Errorf("frame %d links to %q", i, m[1])
		}
	}
	if imgs[0][2] != "0 ms" || imgs[1][2] != "850 ms" {
		t.Errorf("frame labels %q, %q; want 0 ms, 850 ms", imgs[0][2], imgs[1][2])
	}
}

func TestStatusTimelineAxisAndMarkers(t *testing.T) {
	svgs := parseTimelines(t, getStatus(t, statusFixture(), "GET", "/").Body.String())
	if len(svgs) != 2 {
		t.Fatalf("%d timelines, want 2", len(svgs))
	}
	s := svgs[0]
	// Axis: 0–20 s, a tick each second, evenly spaced, a label every 5 s.
	if len(s.ticks) != 21 {
		t.Fatalf("%d ticks, want 21", len(s.ticks))
	}
	x0, x20 := s.ticks[0], s.ticks[20]
	perSecond := (x20 - x0) / 20
	if perSecond <= 0 {
		t.Fatalf("axis runs backwards: %v", s.ticks)
	}
	for i, x := range s.ticks {
		if math.Abs(x-(x0+float64(i)*perSecond)) > 0.11 {
			t.Errorf("tick %d at %.1f, want %.1f", i, x, x0+float64(i)*perSecond)
		}
	}
	if len(s.labels) != 5 {
		t.Errorf("tick labels %v, want 0, 5, 10, 15, 20 s", s.labels)
	}
	for _, sec := range []int{0, 5, 10, 15, 20} {
		if x, ok := s.labels[strconv.Itoa(sec)+" s"]; !ok || x != s.ticks[sec] {
			t.Errorf("label %d s at %v (found %v), want %.1f", sec, x, ok, s.ticks[sec])
		}
	}
	// Markers where the milestone happened; the late chat answer at the edge.
	want := map[string]float64{"ttfb": 0.1, "first_contentful_paint": 0.8, "largest_contentful_paint": 3,
		"load": 10, "chat_answered": 20}
	if len(s.markers) != len(want) {
		t.Errorf("markers %v, want %v", s.markers, want)
	}
	for m, sec := range want {
		x, ok := s.markers[m]
		if !ok || math.Abs(x-(x0+sec*perSecond)) > 0.11 {
			t.Errorf("marker %s at %.1f (found %v), want %.1f (%.1f s)", m, x, ok, x0+sec*perSecond, sec)
		}
	}
	if got := s.clipped["chat_answered"]; got != "› 25.00 s" {
		t.Errorf("clipped chat_answered label %q, want › 25.00 s", got)
	}
	if len(s.clipped) != 1 {
		t.Errorf("clipped %v, want chat_answered only", s.clipped)
	}
	if s.unreached != 4 {
		t.Errorf("%d milestones drawn as not reached, want 4", s.unreached)
	}
	for m, sec := range map[string]float64{"first_contentful_paint": 1.8, "largest_contentful_paint": 2.5} {
		if x, ok := s.promises[m]; !ok || math.Abs(x-(x0+sec*perSecond)) > 0.11 {
			t.Errorf("promise %s at %.1f (found %v), want %.1f", m, x, ok, x0+sec*perSecond)
		}
	}
	// beta: no visit, so an axis and no marker.
	if len(svgs[1].ticks) != 21 || len(svgs[1].markers) != 0 {
		t.Errorf("unvisited target: %d ticks, markers %v", len(svgs[1].ticks), svgs[1].markers)
	}
}

func TestStatusOneTargetAndNotFound(t *testing.T) {
	fp := statusFixture()
	rec := getStatus(t, fp, "GET", "/?target=acme")
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, `data-target="acme"`) || strings.Contains(page, `data-target="beta"`) {
		t.Fatalf("/?target=acme: %d, want acme only:\n%s", rec.Code, page)
	}
	all := parseTimelines(t, getStatus(t, fp, "GET", "/").Body.String())[0]
	one := parseTimelines(t, page)
	if len(one) != 1 || one[0].width <= all.width {
		t.Errorf("one target's timeline is %v wide, the list's %v: want it larger", one[0].width, all.width)
	}
	if !strings.Contains(page, `width="240"`) {
		t.Error("one target's filmstrip is not larger")
	}
	for _, c := range []struct {
		method, target string
		code           int
	}{
		{"GET", "/?target=nope", 404},
		{"GET", "/?target=", 404},
		{"GET", "/?target=https://evil.example/", 404},
		{"GET", "/nope", 404},
		{"GET", "/index.html", 404},
		{"GET", "/favicon.ico", 404},
		{"POST", "/", 405},
		{"HEAD", "/", 200},
	} {
		rec := getStatus(t, fp, c.method, c.target)
		if rec.Code != c.code {
			t.Errorf("%s %s: %d, want %d", c.method, c.target, rec.Code, c.code)
		}
		if strings.Contains(rec.Body.String(), "evil.example") {
			t.Errorf("%s %s echoes the query", c.method, c.target)
		}
	}
	if len(fp.probed) != 0 {
		t.Errorf("the status page visited %v", fp.probed)
	}
}

func TestStatusEscapesHostileText(t *testing.T) {
	name := `"><script>alert(1)</script>`
	fp := &fakeProber{targets: []TargetState{{
		Name: name, URL: `javascript:alert(2)//"><b>x</b>`,
		Last: &checks.Result{Verdict: `"><script>alert(3)</script>`,
			Reasons: []checks.Reason{{Code: `<i>c</i>`, Message: `<img src=x onerror=alert(4)>`}},
			Frames:  []browser.Shot{{JPEG: []byte("x")}}},
	}}}
	page := getStatus(t, fp, "GET", "/").Body.String()
	for _, bad := range []string{"<script", "<img src=x", "<b>x</b>", "<i>c</i>", `href="javascript`} {
		if strings.Contains(page, bad) {
			t.Errorf("page has %q unescaped", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(4)&gt;", "&lt;i&gt;c&lt;/i&gt;",
		`<span class="verdict unknown">unknown</span>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The links carry the name query-escaped, and lead back to the target.
	m := regexp.MustCompile(`<img src="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no filmstrip image")
	}
	u, _ := url.Parse(html.UnescapeString(m[1]))
	if u.Query().Get("target") != name {
		t.Errorf("filmstrip link %q does not name the target", m[1])
	}
	rec := getStatus(t, fp, "GET", "/?target="+url.QueryEscape(name))
	if rec.Code != 200 || strings.Contains(rec.Body.String(), "<script") {
		t.Errorf("/?target=hostile: %d", rec.Code)
	}
}

// TestStatusShowsTheURLAsTheConfigHasIt: a token from the environment is
// shown as its ${VAR} reference, never its value.
func TestStatusShowsTheURLAsTheConfigHasIt(t *testing.T) {
	const secret = "hunter2-s3cret-token"
	cfg, err := config.ParseEnv("status.yml", []byte(`targets:
  - name: acme
    url: "https://acme.example/?token=${TP_TOKEN}"
`), func(n string) (string, bool) { return secret, n == "TP_TOKEN" })
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Snapshot()[0].URL; !strings.Contains(got, secret) {
		t.Fatalf("the daemon's URL %q is not expanded: the test would prove nothing", got)
	}
	page := getStatus(t, d, "GET", "/").Body.String()
	if strings.Contains(page, secret) {
		t.Error("the status page shows the secret")
	}
	if !strings.Contains(page, "https://acme.example/?token=${TP_TOKEN}") {
		t.Error("the status page does not show the URL as the config has it")
	}
	// Other text (a reason, the final URL) is scrubbed.
	urls, scrub := d.statusRedaction()
	if urls["acme"] != "https://acme.example/?token=${TP_TOKEN}" || strings.Contains(scrub("at ?token="+secret), secret) {
		t.Errorf("redaction: %v %q", urls, scrub("at ?token="+secret))
	}
}

// TestStatusDrawsTheWaterfalls: the latest visit's requests and, when the
// latest visit was pleasant, the latest non-pleasant one's, each with its
// causes; a history entry whose evidence was dropped draws none.
func TestStatusDrawsTheWaterfalls(t *testing.T) {
	started := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	evidence := func(url string, causes ...string) *checks.Diagnosis {
		return (&checks.Diagnosis{Causes: causes, Evidence: browser.Evidence{Requests: []browser.Request{
			{URL: url, Host: "acme.example", Party: "first", Type: "document", Status: 200, Start: 0, Response: 0.1, End: 0.2},
		}}}).Pack()
	}
	last := checks.Result{Target: "acme", Verdict: checks.Pleasant, StartedAt: started,
		Diagnosis: evidence("https://acme.example/latest")}
	bad := checks.Result{Target: "acme", Verdict: checks.Indifferent, StartedAt: started.Add(-5 * time.Minute),
		Diagnosis: evidence("https://acme.example/slow", "largest_contentful_paint: 5.9 s loading a 1.5 MB image")}
	older := checks.Result{Target: "acme", Verdict: checks.Problematic, StartedAt: started.Add(-10 * time.Minute),
		Diagnosis: evidence("https://acme.example/older").WithoutEvidence()}
	p := &fakeProber{targets: []TargetState{{Name: "acme", URL: "https://acme.example/", Last: &last,
		History: []checks.Result{last, bad, older}}}}
	page := getStatus(t, p, "GET", "/?target=acme").Body.String()
	if n := strings.Count(page, `<svg class="waterfall"`); n != 2 {
		t.Fatalf("%d waterfalls, want the latest and the latest non-pleasant", n)
	}
	for _, want := range []string{"Requests of the latest visit", "Requests of the latest non-pleasant visit",
		"acme.example/latest", "acme.example/slow", "5.9 s loading a 1.5 MB image", "svg.waterfall rect.wait"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "acme.example/older") {
		t.Error("the older visit's requests are drawn, but its evidence was dropped")
	}
	// A non-pleasant latest visit is the only one drawn.
	p.targets[0].Last, p.targets[0].History = &bad, []checks.Result{bad, older}
	page = getStatus(t, p, "GET", "/?target=acme").Body.String()
	if n := strings.Count(page, `<svg class="waterfall"`); n != 1 || !strings.Contains(page, "Requests of the latest visit") {
		t.Errorf("%d waterfalls for a non-pleasant latest visit, want 1 (the latest)", n)
	}
}

// TestStatusOneTimelinePerVisitor: a target visited as desktop and as a
// phone shows a section per visitor, each with its own timeline and
// filmstrip links that name the visitor.
func TestStatusOneTimelinePerVisitor(t *testing.T) {
	p := statusFixture()
	desk := p.targets[0]
	desk.Visitor = "desktop"
	phoneLast := *desk.Last
	phoneLast.Visitor, phoneLast.Milestones = "mobile", map[string]float64{checks.MilestoneFCP: 2.5, checks.MilestoneLCP: 9.1}
	phone := desk
	phone.Visitor, phone.Last, phone.History = "mobile", &phoneLast, nil
	p.targets = []TargetState{desk, phone}
	page := getStatus(t, p, "GET", "/?target=acme").Body.String()
	for _, want := range []string{`id="target-acme-desktop"`, `id="target-acme-mobile"`, "as desktop", "as mobile",
		"filmstrip?target=acme&amp;visitor=mobile&amp;frame=0"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	svgs := parseTimelines(t, page)
	if len(svgs) != 2 {
		t.Fatalf("%d timelines, want one per visitor", len(svgs))
	}
	if svgs[0].markers[checks.MilestoneLCP] >= svgs[1].markers[checks.MilestoneLCP] {
		t.Errorf("LCP marker of the phone (9.1 s) at x=%v is not right of the desktop's (3.0 s) at x=%v",
			svgs[1].markers[checks.MilestoneLCP], svgs[0].markers[checks.MilestoneLCP])
	}
}

// TestStatusShowsKeyPoints: a configured key point shows among the
// touchpoints, and its NAME_ready on the timeline.
func TestStatusShowsKeyPoints(t *testing.T) {
	p := statusFixture()
	last := *p.targets[0].Last
	last.Touchpoints = map[string]checks.Touchpoint{checks.TouchPage: {Up: true, Checked: true},
		"booking": {Up: false, Checked: true, Required: true, Reason: checks.ReasonTouchpointBroken, Detail: `step 2 (usable "#booking-form"): timed out`}}
	last.Milestones = map[string]float64{checks.MilestoneFCP: 0.8, "booking_ready": 4.2}
	p.targets[0].Last = &last
	page := getStatus(t, p, "GET", "/?target=acme").Body.String()
	for _, want := range []string{`data-touchpoint="booking" class="down">booking ✗`, "step 2 (usable &#34;#booking-form&#34;): timed out", `data-milestone="booking_ready"`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
