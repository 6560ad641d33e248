package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/touchprobe/touchprobe/probe/browser"
)

// postSite serves a page whose own script sends a form with the browser's
// form.submit() (no submit event: only the network can stop it), a link
// to a page that answers slowly, and counts the POSTs that reached it.
type postSite struct {
	srv   *httptest.Server
	posts atomic.Int64
}

func startPostSite(t *testing.T) *postSite {
	t.Helper()
	p := &postSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><html><body>
<form id="f" method="post" action="/post"><input name="q" value="x"></form>
<p><a id="next" href="/next">Next page</a></p>
<script>if (location.search.includes('send')) setTimeout(() => { performance.mark('sent'); document.getElementById('f').submit(); }, 100);</script>
</body></html>`)
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			p.posts.Add(1)
		}
		fmt.Fprint(w, "<!doctype html><p id=thanks>Thanks</p>")
	})
	mux.HandleFunc("/next", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		fmt.Fprint(w, "<!doctype html><p id=next-page>Next</p>")
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func TestTabRefusesDocumentPostsAndSaysSo(t *testing.T) {
	p := startPostSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sess, err := sup.Session(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if err := sess.Navigate(ctx, p.srv.URL+"/?send", browser.NavOptions{}); err != nil {
		t.Fatal(err)
	}
	tab := sess.Landing()
	var refused []browser.RefusedPost
	_ = browser.Poll(ctx, 20*time.Millisecond, func(context.Context) (bool, error) {
		refused = tab.RefusedPosts()
		return len(refused) > 0, nil
	})
	if len(refused) != 1 || !strings.HasSuffix(refused[0].URL, "/post") {
		t.Fatalf("refused %+v, want the one POST to /post", refused)
	}
	time.Sleep(300 * time.Millisecond)
	if n := p.posts.Load(); n != 0 {
		t.Fatalf("the site saw %d POSTs from a tab that may not send forms", n)
	}

	// A tab that may send: the POST reaches the site, nothing is refused.
	other, err := sess.OpenTab(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.AllowPosts()
	if _, _, err := other.Navigate(ctx, p.srv.URL+"/?send", 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_ = browser.Poll(ctx, 20*time.Millisecond, func(context.Context) (bool, error) { return p.posts.Load() == 1, nil })
	if n := p.posts.Load(); n != 1 || len(other.RefusedPosts()) != 0 {
		t.Fatalf("posts %d refused %v, want 1 POST through and none refused", n, other.RefusedPosts())
	}
}

// TestClickThatLeavesThePageReturns: a click that loads another document
// returns once the document is replaced, not after the whole wait for an
// answer the old document can no longer give.
func TestClickThatLeavesThePageReturns(t *testing.T) {
	p := startPostSite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tab := landing(t, ctx, p.srv.URL+"/")
	el, err := tab.Main().Find(ctx, browser.Locator{CSS: "#next"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := el.Click(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if _, err := tab.Main().Find(ctx, browser.Locator{CSS: "#next-page"}); err != nil {
		t.Fatalf("the next page is not there after the click: %v", err)
	}
	// The next page answers after 300 ms; the wait for an answer is 3 s.
	t.Logf("click returned after %s", took)
	if took > 2*time.Second {
		t.Errorf("the click returned after %s: it waited for an answer from a page that was gone", took)
	}
}
