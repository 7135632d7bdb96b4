package deliverer_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/worker"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/nats-io/nats.go/jetstream"
)

const (
	mpLF = "9900000000004"
	mpNB = "9900000000011"
)

// aperak is an interchange from NB to LF prepared 2026-11-20 09:15 (UNB S004).
var aperak = []byte("UNA:+.? 'UNB+UNOC:3+" + mpNB + ":500+" + mpLF + ":500+261120:0915+AB12/3'" +
	"UNH+1+APERAK:D:07B:UN:2.1i'BGM+312+AB123'DTM+137:202611200915?+00:303'UNT+3+1'UNZ+1+AB12/3'")

func delivery(ch partner.Channel) deliverer.Delivery {
	return deliverer.Delivery{
		Message: outbox.Message{ID: "msg-1", Tenant: "nb", Sender: mpNB, Recipient: mpLF, MessageType: "APERAK",
			Process: "p1", InterchangeRef: "AB12/3", TraceParent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", Payload: aperak},
		Channel: ch, Attempt: 1, CreatedAt: time.Date(2026, 11, 21, 23, 30, 0, 0, time.UTC),
	}
}

func TestFileName(t *testing.T) {
	d := delivery(partner.Channel{})
	got, err := deliverer.FileName("", d)
	if err != nil {
		t.Fatal(err)
	}
	// TYPE_0026_sender_recipient_yyyymmdd_DAR.txt; empty 0026 gives "__";
	// the date is UNB S004's, the "/" of the DAR cannot leave the directory.
	if want := "APERAK__" + mpNB + "_" + mpLF + "_20261120_AB12-3.txt"; got != want {
		t.Fatalf("name %q, want %q", got, want)
	}
	// With an application reference (MSCONS EM).
	d2 := d
	d2.Message.Payload = bytes.Replace(aperak, []byte("0915+AB12/3'"), []byte("0915+AB12/3++EM'"), 1)
	d2.Message.MessageType = "MSCONS"
	if got, _ := deliverer.FileName("", d2); got != "MSCONS_EM_"+mpNB+"_"+mpLF+"_20261120_AB12-3.txt" {
		t.Fatalf("with 0026: %q", got)
	}
	// Unparseable bytes: the outbox headers and timestamp stand in.
	d3 := d
	d3.Message.Payload = []byte("not edifact")
	if got, _ := deliverer.FileName("", d3); got != "APERAK__"+mpNB+"_"+mpLF+"_20261121_AB12-3.txt" {
		t.Fatalf("fallback: %q", got)
	}
	if got, _ := deliverer.FileName("{id}-{recipient}.edi", d); got != "msg-1-"+mpLF+".edi" {
		t.Fatalf("custom pattern: %q", got)
	}
	for _, bad := range []string{"{nope}.txt", "{type", ".{type}", "{appref}"} {
		if _, err := deliverer.FileName(bad, d); err == nil {
			t.Errorf("pattern %q accepted", bad)
		}
	}
}

func TestFileTransportAtomicAndIdempotent(t *testing.T) {
	dir := t.TempDir()
	tr := deliverer.NewFileTransport("")
	d := delivery(partner.Channel{Transport: partner.TransportFile, Dir: dir})
	r, err := tr.Send(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "stored" {
		t.Fatalf("receipt %+v", r)
	}
	got, err := os.ReadFile(filepath.Join(dir, r.RemoteID))
	if err != nil || !bytes.Equal(got, aperak) {
		t.Fatalf("file content differs: %v", err)
	}
	// Again: same name, same bytes = success without a second file.
	r2, err := tr.Send(context.Background(), d)
	if err != nil || r2.Status != "exists" || r2.RemoteID != r.RemoteID {
		t.Fatalf("repeat: %+v %v", r2, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d entries (temp file left behind?)", len(entries))
	}
	// Same name, other bytes: a permanent conflict.
	d.Message.Payload = append(bytes.Clone(aperak), '\n')
	if _, err := tr.Send(context.Background(), d); !worker.IsPermanent(err) {
		t.Fatalf("conflict not permanent: %v", err)
	}
	// A missing directory is retried (an operator can create it).
	d.Channel.Dir = filepath.Join(dir, "missing")
	if _, err := tr.Send(context.Background(), d); err == nil || worker.IsPermanent(err) {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestHTTPTransportHeadersAndStatus(t *testing.T) {
	var got *http.Request
	var body []byte
	status := http.StatusAccepted
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Message-Id", "gw-77")
		w.WriteHeader(status)
		io.WriteString(w, "queued "+strings.Repeat("x", 2000))
	}))
	defer srv.Close()
	tr := deliverer.NewHTTPTransport()
	d := delivery(partner.Channel{Transport: partner.TransportHTTP, URL: srv.URL + "/in"})
	r, err := tr.Send(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "202 Accepted" || r.RemoteID != "gw-77" || len(r.Body) != deliverer.MaxBodyExcerpt || !strings.HasPrefix(r.Body, "queued") {
		t.Fatalf("receipt %+v", r)
	}
	h := got.Header
	if got.Method != http.MethodPost || got.URL.Path != "/in" || !bytes.Equal(body, aperak) ||
		h.Get("Idempotency-Key") != "msg-1" || h.Get("Mako-Message-Type") != "APERAK" || h.Get("Mako-Sender") != mpNB ||
		h.Get("Mako-Recipient") != mpLF || h.Get("Mako-Interchange-Ref") != "AB12/3" || h.Get("Content-Type") != "application/EDIFACT" ||
		h.Get("traceparent") == "" {
		t.Fatalf("request %s %s headers %v", got.Method, got.URL, h)
	}
	for code, permanent := range map[int]bool{500: false, 503: false, 429: false, 408: false, 404: false, 401: false, 400: true, 422: true, 413: true} {
		status = code
		_, err := tr.Send(context.Background(), d)
		var se *deliverer.SendError
		if !errors.As(err, &se) || se.Permanent != permanent || !strings.Contains(se.Receipt.Status, http.StatusText(code)) {
			t.Errorf("status %d: %v (permanent want %v)", code, err, permanent)
		}
	}
}

func TestHTTPTransportTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := deliverer.NewHTTPTransport().Send(ctx, delivery(partner.Channel{Transport: partner.TransportHTTP, URL: srv.URL}))
	if err == nil || worker.IsPermanent(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("timeout: %v", err)
	}
}

// mTLS: the gateway demands a client certificate signed by its CA and
// presents a server certificate of a private CA.
func TestHTTPTransportClientCertificate(t *testing.T) {
	dir := t.TempDir()
	ca, caKey := newCA(t)
	srvCert := leaf(t, ca, caKey, "127.0.0.1", x509.ExtKeyUsageServerAuth)
	cliCert := leaf(t, ca, caKey, "9900000000011", x509.ExtKeyUsageClientAuth)
	caFile := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Raw)
	certFile := writePEM(t, dir, "client.pem", "CERTIFICATE", cliCert.Certificate[0])
	kb, _ := x509.MarshalPKCS8PrivateKey(cliCert.PrivateKey)
	keyFile := writePEM(t, dir, "client.key", "PRIVATE KEY", kb)

	var peer string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer = r.TLS.PeerCertificates[0].Subject.CommonName
		w.WriteHeader(http.StatusOK)
	}))
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	tr := deliverer.NewHTTPTransport()
	ch := partner.Channel{Transport: partner.TransportHTTP, URL: srv.URL, CAFile: caFile, CertFile: certFile, KeyFile: keyFile}
	if _, err := tr.Send(context.Background(), delivery(ch)); err != nil {
		t.Fatal(err)
	}
	if peer != "9900000000011" {
		t.Fatalf("server saw client %q", peer)
	}
	// Without the client certificate the handshake fails: retryable.
	ch.CertFile, ch.KeyFile = "", ""
	if _, err := tr.Send(context.Background(), delivery(ch)); err == nil || worker.IsPermanent(err) {
		t.Fatalf("no client cert: %v", err)
	}
}

func TestNATSTransportWaitsForAck(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	tr := deliverer.NewNATSTransport(js)
	d := delivery(partner.Channel{Transport: partner.TransportNATS, Subject: "gw.in.lf"})
	// No stream on the subject yet: retryable.
	if _, err := tr.Send(ctx, d); err == nil || worker.IsPermanent(err) {
		t.Fatalf("no stream: %v", err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "GW", Subjects: []string{"gw.in.>"}}); err != nil {
		t.Fatal(err)
	}
	r, err := tr.Send(ctx, d)
	if err != nil || r.Status != "ack" || r.RemoteID != "GW:1" {
		t.Fatalf("%+v %v", r, err)
	}
	r, err = tr.Send(ctx, d)
	if err != nil || r.Status != "duplicate" || r.RemoteID != "GW:1" {
		t.Fatalf("repeat: %+v %v", r, err)
	}
	st, _ := js.Stream(ctx, "GW")
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Data, aperak) || m.Header.Get("Nats-Msg-Id") != "msg-1" || m.Header.Get("Mako-Transport-Id") != "msg-1" ||
		m.Header.Get("Mako-Sender") != mpNB || m.Header.Get("Mako-Tenant") != "" {
		t.Fatalf("republished %v %q", m.Header, m.Data)
	}
}

func newCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func leaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, cn string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	if usage == x509.ExtKeyUsageServerAuth {
		tpl.IPAddresses = []net.IP{net.ParseIP(cn)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
