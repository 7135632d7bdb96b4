package msh_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/msh/mshtest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/partner"
)

func TestServerConfigCheck(t *testing.T) {
	for _, c := range []struct {
		cfg msh.ServerConfig
		err error
	}{
		{msh.ServerConfig{Addr: "127.0.0.1:9443"}, nil},
		{msh.ServerConfig{Addr: "[::1]:9443"}, nil},
		{msh.ServerConfig{Addr: "localhost:9443"}, nil},
		{msh.ServerConfig{Addr: "0.0.0.0:9443"}, msh.ErrInsecure},
		{msh.ServerConfig{Addr: ":9443"}, msh.ErrInsecure},
		{msh.ServerConfig{Addr: "10.1.2.3:9443"}, msh.ErrInsecure},
		{msh.ServerConfig{Addr: ":9443", TLSCert: "c.pem", TLSKey: "k.pem"}, nil},
		{msh.ServerConfig{Addr: ":9443", TerminatorHeader: "X-SSL-Client-Cert"}, nil},
		{msh.ServerConfig{Addr: ":9443", TLSCert: "c.pem"}, msh.ErrConfig},
		{msh.ServerConfig{Addr: "127.0.0.1:9443", ClientCAs: "ca.pem"}, msh.ErrConfig},
	} {
		if err := c.cfg.Check(); !errors.Is(err, c.err) || (c.err == nil) != (err == nil) {
			t.Errorf("%+v: %v, want %v", c.cfg, err, c.err)
		}
	}
}

// FromHeader takes the certificate only from the terminator's addresses.
func TestFromHeaderTrustsOnlyTheTerminator(t *testing.T) {
	now := time.Now()
	f := newFixture(t)
	cert := mshtest.PEM(f.lf.Sig.Cert)
	src := msh.FromHeader("X-SSL-Client-Cert", f.trust, nil)
	req := httptest.NewRequest(http.MethodPost, "/as4", nil)
	req.Header.Set("X-SSL-Client-Cert", url.PathEscape(cert))
	req.RemoteAddr = "127.0.0.1:5555"
	if c, err := src(req); err != nil || c == nil || c.Subject.CommonName != "lfn.EMT.MAK" {
		t.Fatalf("from loopback: %v %v", c, err)
	}
	req.RemoteAddr = "10.0.0.7:5555"
	if _, err := src(req); err == nil {
		t.Fatal("header accepted from a non-terminator address")
	}
	proxies := msh.FromHeader("X-SSL-Client-Cert", f.trust, []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")})
	if c, err := proxies(req); err != nil || c == nil {
		t.Fatalf("from a configured proxy: %v", err)
	}
	// A certificate outside the trusted PKI is refused.
	other := must(mshtest.NewParty(must(newPKI(now)), mpLF, "lfn", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	req.Header.Set("X-SSL-Client-Cert", url.PathEscape(mshtest.PEM(other.Sig.Cert)))
	if _, err := proxies(req); err == nil {
		t.Fatal("certificate of a foreign PKI accepted")
	}
}

// nistCert writes a P-256 certificate and key (PEM) signed by parent (self-signed when nil).
func nistCert(t *testing.T, dir, name string, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key := must(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der := must(x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey))
	kder := must(x509.MarshalECPrivateKey(key))
	if err := os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return must(x509.ParseCertificate(der)), key
}

// TestPlainTLS: the endpoint terminates TLS itself (NIST P-256, as crypto/tls can) and requires
// client certificates; the transport's client presents one (the channel's CertFile/KeyFile).
func TestPlainTLS(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	now := time.Now()
	ca, caKey := nistCert(t, dir, "ca", &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "TLS test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	nistCert(t, dir, "server", &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, caKey)
	nistCert(t, dir, "client", &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "lfn.EMT.MAK", OrganizationalUnit: []string{mpLF}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, ca, caKey)

	sc := msh.ServerConfig{Addr: "127.0.0.1:0", TLSCert: filepath.Join(dir, "server.pem"), TLSKey: filepath.Join(dir, "server.key"), ClientCAs: filepath.Join(dir, "ca.pem")}
	ln := f.serve(t, sc, f.trust)

	d := f.delivery("tls-1", edi)
	d.Channel = f.nb.Channel("https://"+ln.Addr().String()+msh.DefaultPath, partner.RelationshipConfirmed)
	d.Channel.CAFile, d.Channel.CertFile, d.Channel.KeyFile = filepath.Join(dir, "ca.pem"), filepath.Join(dir, "client.pem"), filepath.Join(dir, "client.key")
	if rec, err := f.transport.Send(context.Background(), d); err != nil || rec.Status != msh.StatusPositive {
		t.Fatalf("TLS with client certificate: %+v %v", rec, err)
	}
	// Without a client certificate the handshake fails: missing, nothing published.
	d = f.delivery("tls-2", edi)
	d.Channel = f.nb.Channel("https://"+ln.Addr().String()+msh.DefaultPath, partner.RelationshipConfirmed)
	d.Channel.CAFile = filepath.Join(dir, "ca.pem")
	if _, err := f.transport.Send(context.Background(), d); err == nil || sendErr(t, err).Receipt.Status != msh.StatusMissing {
		t.Fatalf("TLS without client certificate: %v", err)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("MAKO_INGEST: %d", n)
	}
}

func TestPartyTypeFor(t *testing.T) {
	for mp, want := range map[string]string{"9900000000004": ebms.PartyTypeBDEW, "9870000000001": ebms.PartyTypeDVGW, "4012345000009": ebms.PartyTypeGLN} {
		if got := msh.PartyTypeFor(mp); got != want {
			t.Errorf("%s: %s, want %s", mp, got, want)
		}
	}
}

// An identity whose signature and encryption certificates share a key is refused (Profil
// §2.3.4.4: three different key pairs).
func TestIdentityKeysDiffer(t *testing.T) {
	now := time.Now()
	pki := must(newPKI(now))
	p := must(mshtest.NewParty(pki, mpLF, "lfn", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	sameKey := must(pki.IssueFor(p.Sig.Key, mpLF, "lfn.EMT.MAK", x509.KeyUsageKeyAgreement, now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	kak := p.Identity.Keys[0].Key
	if _, err := msh.NewIdentity(mpLF, p.Sig.Key, []*smpki.Certificate{p.Sig.Cert}, []msh.EncryptionKey{{Key: kak, Cert: sameKey.Cert}}); !errors.Is(err, msh.ErrConfig) {
		t.Fatalf("same key: %v", err)
	}
	if _, err := msh.NewIdentity(mpNB, p.Sig.Key, []*smpki.Certificate{p.Sig.Cert}, []msh.EncryptionKey{{Key: kak, Cert: p.Enc.Cert}}); !errors.Is(err, msh.ErrConfig) {
		t.Fatalf("another MP-ID: %v", err)
	}
	dir := t.TempDir()
	if err := mshtest.WriteIdentityDir(dir, p, pki); err != nil {
		t.Fatal(err)
	}
	id, err := msh.LoadIdentityDir(dir, mpLF)
	if err != nil || len(id.Keys) != 1 || len(id.Certificates) != 2 {
		t.Fatalf("load: %+v %v", id, err)
	}
}
