package probe

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func TestServerBasicAuth(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, "basic_auth_users:\n  probe: %s\n", hash), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") })
	go func() { done <- Serve(ctx, addr, cfg, h, nil) }()
	get := func(auth bool) int {
		req, _ := http.NewRequest("GET", "http://"+addr+"/-/healthy", nil)
		if auth {
			req.SetBasicAuth("probe", "s3cret")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := 0; i < 100 && get(false) == -1; i++ {
		time.Sleep(50 * time.Millisecond)
	}
	if c := get(false); c != http.StatusUnauthorized {
		t.Errorf("without auth: %d, want 401", c)
	}
	if c := get(true); c != http.StatusOK {
		t.Errorf("with auth: %d, want 200", c)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after shutdown: %v", err)
	}
}
