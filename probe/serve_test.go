package probe

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") })
	go func() { done <- ServeOn(ctx, l, cfg, h, nil) }()
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

// TestServerTLS: with tls_server_config in the web config, the daemon speaks
// HTTPS only; a plain HTTP request gets no page.
func TestServerTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM := selfSignedCert(t)
	for name, data := range map[string][]byte{"cert.pem": certPEM, "key.pem": keyPEM,
		"web.yml": []byte("tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "OK") })
	go func() { done <- ServeOn(ctx, l, filepath.Join(dir, "web.yml"), h, nil) }()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	get := func(c *http.Client, scheme string) (int, string, error) {
		resp, err := c.Get(scheme + "://" + addr + "/-/healthy")
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	code, body, err := get(client, "https")
	for i := 0; i < 100 && err != nil; i++ {
		time.Sleep(50 * time.Millisecond)
		code, body, err = get(client, "https")
	}
	if err != nil || code != http.StatusOK || body != "OK\n" {
		t.Errorf("https: %d %q %v, want 200 OK", code, body, err)
	}
	if _, _, err := get(&http.Client{Timeout: 10 * time.Second}, "https"); err == nil {
		t.Error("https without trusting the cert succeeded")
	}
	// Go's TLS server answers a plain request with 400 and no page.
	code, body, err = get(&http.Client{Timeout: 10 * time.Second}, "http")
	if err == nil && (code == http.StatusOK || strings.Contains(body, "OK\n")) {
		t.Errorf("plain http served the page: %d %q", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after shutdown: %v", err)
	}
}

// selfSignedCert makes a certificate for 127.0.0.1 and its key, as PEM.
func selfSignedCert(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "touchprobe test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}
