package smpki_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/as4/internal/astest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/brainpool"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestNonEMTMAKSample parses phase4's brainpool sample certificate (made by another
// implementation), checks its fields, verifies its self-signature with pkg/brainpool and refuses
// it as a market-partner certificate because its CN lacks EMT.MAK.
func TestNonEMTMAKSample(t *testing.T) {
	certs, err := smpki.ParsePEM(astest.SharedFile(t, "testdata/as4-phase4/nonemtmako.cert"))
	if err != nil {
		t.Fatal(err)
	}
	c := certs[0]
	if c.PublicKeyCurve != "brainpoolP256r1" || c.Subject.CommonName != "dummy.EMT.dummy" || c.SignatureAlgorithm != smpki.ECDSAWithSHA256 {
		t.Fatalf("parsed %q %q %v", c.PublicKeyCurve, c.Subject.CommonName, c.SignatureAlgorithm)
	}
	if _, ok := c.PublicKey.(*brainpool.PublicKey); !ok {
		t.Fatalf("public key type %T", c.PublicKey)
	}
	if ou, err := smpki.MPID(c); err != nil || ou != "9999999999999" {
		t.Fatalf("MPID = %q, %v", ou, err)
	}
	if want, _ := new(big.Int).SetString("78eecd77b04b0dfc9c6e1771ffeb018ec29d5412", 16); c.SerialNumber.Cmp(want) != 0 {
		t.Fatalf("serial %x", c.SerialNumber)
	}
	if !c.NotAfter.Equal(time.Date(2124, 4, 9, 11, 27, 54, 0, time.UTC)) {
		t.Fatalf("NotAfter %v", c.NotAfter)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Fatalf("self-signature: %v", err)
	}
	if _, err := smpki.Verify(c, smpki.VerifyOptions{Roots: []*smpki.Certificate{c}, CurrentTime: t0}); err != nil {
		t.Fatalf("pinned: %v", err)
	}
	if err := smpki.CheckEMTMAK(c); !errors.Is(err, smpki.ErrNotEMTMAK) {
		t.Fatalf("CheckEMTMAK = %v, want ErrNotEMTMAK", err)
	}
	if err := smpki.CheckMarketPartner(c, "9999999999999"); !errors.Is(err, smpki.ErrNotEMTMAK) {
		t.Fatalf("CheckMarketPartner = %v", err)
	}
	// A flipped bit in the signed part breaks the signature.
	bad := bytes.Clone(c.Raw)
	bad[len(c.RawTBSCertificate)/2+10] ^= 1
	if bc, err := smpki.Parse(bad); err == nil {
		if err := bc.CheckSignatureFrom(c); !errors.Is(err, smpki.ErrSignature) {
			t.Fatalf("tampered: %v", err)
		}
	}
}

func TestIsEMTMAKName(t *testing.T) {
	for cn, want := range map[string]bool{
		"stadtwerke.EMT.MAK": true, "a.b.EMT.MAK": true, "EMT.MAK": true,
		"dummy.EMT.dummy": false, "x.EMT.MAKER": false, "x.emt.mak": false, "x.MAK.EMT": false, "EMT.MAK.x": false, "": false,
	} {
		if got := smpki.IsEMTMAKName(cn); got != want {
			t.Errorf("IsEMTMAKName(%q) = %v", cn, got)
		}
	}
}

func newPKI(t *testing.T) *smpkitest.PKI {
	t.Helper()
	p, err := smpkitest.NewPKI(t0.AddDate(-1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestChainBrainpool(t *testing.T) {
	p := newPKI(t)
	sig, err := p.Issue("9900000000004", "lfn.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	c := sig.Cert
	if c.PublicKeyCurve != "brainpoolP256r1" || !c.HasKeyUsage || c.KeyUsage != x509.KeyUsageDigitalSignature || len(c.DNSNames) != 1 {
		t.Fatalf("leaf fields: %+v", c)
	}
	if !bytes.Equal(c.AuthorityKeyID, p.SubCA.Cert.SubjectKeyID) || !bytes.Equal(c.SKI(), c.ComputedSKI()) {
		t.Fatal("key identifiers")
	}
	if p.Root.Cert.PublicKeyCurve != "brainpoolP384r1" || p.SubCA.Cert.SignatureAlgorithm != smpki.ECDSAWithSHA384 || p.SubCA.Cert.MaxPathLen != 0 || p.SubCA.Cert.CRLDistributionPoints[0] != "http://crl.example.test/sub.crl" {
		t.Fatalf("CA fields: root %s, sub alg %v pathlen %d", p.Root.Cert.PublicKeyCurve, p.SubCA.Cert.SignatureAlgorithm, p.SubCA.Cert.MaxPathLen)
	}
	opts := smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: []*smpki.Certificate{p.SubCA.Cert}, CurrentTime: t0, KeyUsage: x509.KeyUsageDigitalSignature}
	res, err := smpki.Verify(c, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Chain) != 3 || res.Chain[2] != p.Root.Cert {
		t.Fatalf("chain length %d", len(res.Chain))
	}
	if err := smpki.CheckMarketPartner(c, "9900000000004"); err != nil {
		t.Fatal(err)
	}
	if err := smpki.CheckMarketPartner(c, "9900000000011"); !errors.Is(err, smpki.ErrMPIDMismatch) {
		t.Fatalf("wrong MP-ID: %v", err)
	}

	// Refusals.
	check := func(name string, o smpki.VerifyOptions, leaf *smpki.Certificate, want error) {
		t.Helper()
		if _, err := smpki.Verify(leaf, o); !errors.Is(err, want) {
			t.Errorf("%s: err = %v, want %v", name, err, want)
		}
	}
	o := opts
	o.CurrentTime = t0.AddDate(2, 0, 0)
	check("expired", o, c, smpki.ErrExpired)
	o = opts
	o.KeyUsage = x509.KeyUsageKeyAgreement
	check("key usage", o, c, smpki.ErrKeyUsage)
	o = opts
	o.Intermediates = nil
	check("missing Sub-CA", o, c, smpki.ErrUnknownIssuer)
	other := newPKI(t)
	o = opts
	o.Roots = []*smpki.Certificate{other.Root.Cert}
	check("foreign root", o, c, smpki.ErrUnknownIssuer)
	// Same subject names, other keys: the signature check fails.
	o = opts
	o.Intermediates = []*smpki.Certificate{other.SubCA.Cert}
	o.Roots = []*smpki.Certificate{p.Root.Cert, other.Root.Cert}
	if _, err := smpki.Verify(c, o); err == nil {
		t.Error("foreign Sub-CA with the same name accepted")
	}
	// A leaf used as an issuer is not a CA.
	forged, err := smpkitest.CreateCertificate(&smpkitest.Template{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "x.EMT.MAK", OrganizationalUnit: []string{"1"}},
		NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(0, 1, 0), MaxPathLen: -1}, sig.Key.Public(), c, sig.Key)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := smpki.Parse(forged)
	if err != nil {
		t.Fatal(err)
	}
	o = opts
	o.KeyUsage = 0
	o.Intermediates = []*smpki.Certificate{p.SubCA.Cert, c}
	check("leaf as issuer", o, fc, smpki.ErrNotCA)
	// Path length: a second Sub-CA below the Sub-CA (pathLen 0) is refused.
	subKey2, _ := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	sub2DER, _ := smpkitest.CreateCertificate(&smpkitest.Template{SerialNumber: big.NewInt(10), Subject: pkix.Name{CommonName: "Sub2"}, NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0),
		IsCA: true, MaxPathLen: -1, KeyUsage: x509.KeyUsageCertSign}, subKey2.Public(), p.SubCA.Cert, p.SubCA.Key)
	sub2, err := smpki.Parse(sub2DER)
	if err != nil {
		t.Fatal(err)
	}
	leaf2DER, _ := smpkitest.CreateCertificate(&smpkitest.Template{SerialNumber: big.NewInt(11), Subject: pkix.Name{CommonName: "y.EMT.MAK"}, NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0), MaxPathLen: -1}, sig.Key.Public(), sub2, subKey2)
	leaf2, _ := smpki.Parse(leaf2DER)
	o = opts
	o.KeyUsage = 0
	o.Intermediates = []*smpki.Certificate{p.SubCA.Cert, sub2}
	check("path length", o, leaf2, smpki.ErrPathLen)
	// Unknown critical extension.
	critDER, _ := smpkitest.CreateCertificate(&smpkitest.Template{SerialNumber: big.NewInt(12), Subject: pkix.Name{CommonName: "z.EMT.MAK"}, NotBefore: t0.AddDate(0, -1, 0), NotAfter: t0.AddDate(1, 0, 0), MaxPathLen: -1,
		ExtraExtensions: []pkix.Extension{{Id: []int{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}}, sig.Key.Public(), p.SubCA.Cert, p.SubCA.Key)
	crit, err := smpki.Parse(critDER)
	if err != nil {
		t.Fatal(err)
	}
	o = opts
	o.KeyUsage = 0
	check("critical extension", o, crit, smpki.ErrCriticalExtension)
}

// TestNISTCertificateMatchesCryptoX509 parses a P-256 certificate made by crypto/x509 and
// compares the fields with crypto/x509's own parse.
func TestNISTCertificateMatchesCryptoX509(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "nist.EMT.MAK", OrganizationalUnit: []string{"9900000000004"}},
		NotBefore: t0, NotAfter: t0.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		MaxPathLen: 2, DNSNames: []string{"a.example"}, CRLDistributionPoints: []string{"http://c.example/x.crl"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := x509.ParseCertificate(der)
	got, err := smpki.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject.String() != want.Subject.String() || got.SerialNumber.Cmp(want.SerialNumber) != 0 || !got.NotAfter.Equal(want.NotAfter) ||
		!bytes.Equal(got.SubjectKeyID, want.SubjectKeyId) || got.KeyUsage != want.KeyUsage || got.MaxPathLen != want.MaxPathLen || !got.IsCA ||
		got.DNSNames[0] != "a.example" || got.CRLDistributionPoints[0] != want.CRLDistributionPoints[0] || len(got.ExtKeyUsage) != 1 ||
		got.PublicKeyCurve != "P-256" || !bytes.Equal(got.RawTBSCertificate, want.RawTBSCertificate) {
		t.Fatalf("fields differ:\n got %+v\nwant %+v", got, want)
	}
	if !got.PublicKey.(*ecdsa.PublicKey).Equal(want.PublicKey) {
		t.Fatal("public key differs")
	}
	if err := got.CheckSignatureFrom(got); err != nil {
		t.Fatal(err)
	}
}

func TestParseRejects(t *testing.T) {
	for name, der := range map[string][]byte{"empty": nil, "garbage": []byte{0x30, 0x03, 1, 2, 3}} {
		if _, err := smpki.Parse(der); !errors.Is(err, smpki.ErrParse) {
			t.Errorf("%s: %v", name, err)
		}
	}
	p := newPKI(t)
	trailing := append(bytes.Clone(p.Root.Cert.Raw), 0)
	if _, err := smpki.Parse(trailing); !errors.Is(err, smpki.ErrParse) {
		t.Errorf("trailing byte: %v", err)
	}
}

func TestCRL(t *testing.T) {
	p := newPKI(t)
	a, _ := p.Issue("9900000000004", "a.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	b, _ := p.Issue("9900000000011", "b.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	next := t0.Add(24 * time.Hour)
	rootCRL, err := smpkitest.CreateCRL(p.Root.Cert, p.Root.Key, 1, t0.Add(-time.Hour), next, nil)
	if err != nil {
		t.Fatal(err)
	}
	subCRL, err := smpkitest.CreateCRL(p.SubCA.Cert, p.SubCA.Key, 7, t0.Add(-time.Hour), next, []smpkitest.Revoked{{SerialNumber: b.Cert.SerialNumber, RevokedAt: t0.Add(-2 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	store := smpki.NewCRLStore(smpki.WithRequireCRL(true))
	if _, err := store.Add(subCRL, p.Root.Cert, t0); !errors.Is(err, smpki.ErrCRL) {
		t.Fatalf("CRL with the wrong issuer accepted: %v", err)
	}
	tampered := bytes.Clone(subCRL)
	tampered[40] ^= 1
	if _, err := store.Add(tampered, p.SubCA.Cert, t0); !errors.Is(err, smpki.ErrCRL) {
		t.Fatalf("tampered CRL accepted: %v", err)
	}
	opts := smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: []*smpki.Certificate{p.SubCA.Cert}, CurrentTime: t0, Revocation: store}
	if _, err := smpki.Verify(a.Cert, opts); !errors.Is(err, smpki.ErrNoCRL) {
		t.Fatalf("no CRL with RequireCRL: %v", err)
	}
	if _, err := store.Add(subCRL, p.SubCA.Cert, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Add(rootCRL, p.Root.Cert, t0); err != nil {
		t.Fatal(err)
	}
	res, err := smpki.Verify(a.Cert, opts)
	if err != nil || res.Stale() || len(res.Revocation) != 2 || res.Revocation[0].Status != smpki.RevocationGood {
		t.Fatalf("good: %v %+v", err, res)
	}
	res, err = smpki.Verify(b.Cert, opts)
	if !errors.Is(err, smpki.ErrRevoked) || res.Revocation[0].Status != smpki.RevocationRevoked || !res.Revocation[0].RevokedAt.Equal(t0.Add(-2*time.Hour)) {
		t.Fatalf("revoked: %v %+v", err, res)
	}
	// Past nextUpdate: accepted, but the typed result raises the alarm.
	opts.CurrentTime = next.Add(time.Hour)
	res, err = smpki.Verify(a.Cert, opts)
	if err != nil || !res.Stale() || res.Revocation[0].StaleFor != time.Hour || res.Revocation[0].Distrusted {
		t.Fatalf("stale: %v %+v", err, res)
	}
	if h := store.Health(opts.CurrentTime); len(h) != 2 || !h[0].Stale {
		t.Fatalf("health %+v", h)
	}
	// More than 3 days stale: the CA is distrusted (RzÜ §5.4).
	opts.CurrentTime = next.Add(smpki.DefaultStaleGrace + time.Minute)
	res, err = smpki.Verify(a.Cert, opts)
	if !errors.Is(err, smpki.ErrCRLDistrusted) || !res.Revocation[0].Distrusted {
		t.Fatalf("distrusted: %v %+v", err, res)
	}
	// A fresh CRL replaces the stale one; an older one does not replace a newer one.
	fresh, _ := smpkitest.CreateCRL(p.SubCA.Cert, p.SubCA.Key, 8, opts.CurrentTime.Add(-time.Minute), opts.CurrentTime.Add(24*time.Hour), nil)
	if _, err := store.Add(fresh, p.SubCA.Cert, opts.CurrentTime); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Add(subCRL, p.SubCA.Cert, opts.CurrentTime); got.Number.Int64() != 8 {
		t.Fatalf("older CRL replaced newer: number %v", got.Number)
	}
	freshRoot, _ := smpkitest.CreateCRL(p.Root.Cert, p.Root.Key, 2, opts.CurrentTime.Add(-time.Minute), opts.CurrentTime.Add(24*time.Hour), nil)
	store.Add(freshRoot, p.Root.Cert, opts.CurrentTime)
	if res, err := smpki.Verify(b.Cert, opts); err != nil || res.Stale() {
		t.Fatalf("after fresh CRL (b no longer listed): %v", err)
	}
	// A CRL from the future is refused.
	future, _ := smpkitest.CreateCRL(p.SubCA.Cert, p.SubCA.Key, 9, opts.CurrentTime.Add(time.Hour), opts.CurrentTime.Add(48*time.Hour), nil)
	if _, err := store.Add(future, p.SubCA.Cert, opts.CurrentTime); !errors.Is(err, smpki.ErrCRL) {
		t.Fatalf("future CRL: %v", err)
	}
}

// TestOpenSSLAgrees checks the generated brainpool PKI with an independent implementation:
// `openssl verify` builds and verifies the same chain (and honours the CRL).
func TestOpenSSLAgrees(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	p := newPKI(t)
	now := time.Now()
	leaf, err := p.Issue("9900000000004", "lfn.EMT.MAK", x509.KeyUsageDigitalSignature, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	root := write("root.pem", "CERTIFICATE", p.Root.Cert.Raw)
	sub := write("sub.pem", "CERTIFICATE", p.SubCA.Cert.Raw)
	lf := write("leaf.pem", "CERTIFICATE", leaf.Cert.Raw)
	if out, err := exec.Command("openssl", "verify", "-CAfile", root, "-untrusted", sub, lf).CombinedOutput(); err != nil {
		t.Fatalf("openssl verify: %v\n%s", err, out)
	}
	crl, _ := smpkitest.CreateCRL(p.SubCA.Cert, p.SubCA.Key, 1, now.Add(-time.Minute), now.Add(time.Hour), []smpkitest.Revoked{{SerialNumber: leaf.Cert.SerialNumber, RevokedAt: now.Add(-time.Minute)}})
	crlFile := write("sub.crl", "X509 CRL", crl)
	out, err := exec.Command("openssl", "verify", "-crl_check", "-CAfile", root, "-untrusted", sub, "-CRLfile", crlFile, lf).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("revoked")) {
		t.Fatalf("openssl did not see the revocation: %v\n%s", err, out)
	}
}

func BenchmarkVerifyChainBrainpool(b *testing.B) {
	p, err := smpkitest.NewPKI(t0.AddDate(-1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	leaf, _ := p.Issue("9900000000004", "lfn.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	opts := smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: []*smpki.Certificate{p.SubCA.Cert}, CurrentTime: t0}
	for b.Loop() {
		if _, err := smpki.Verify(leaf.Cert, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func TestExpiresWithin(t *testing.T) {
	p := newPKI(t)
	c, _ := p.Issue("9900000000004", "a.EMT.MAK", x509.KeyUsageDigitalSignature, t0, t0.AddDate(0, 0, 20))
	if c.Cert.ExpiresWithin(t0, 14*24*time.Hour) {
		t.Fatal("20 days left reported within 14 days")
	}
	if !c.Cert.ExpiresWithin(t0.AddDate(0, 0, 7), 14*24*time.Hour) || !c.Cert.ExpiresWithin(t0.AddDate(0, 0, 30), 0) {
		t.Fatal("expiry not reported")
	}
}

func TestSignatureCache(t *testing.T) {
	p := newPKI(t)
	leaf, _ := p.Issue("9900000000004", "a.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	cache := smpki.NewSignatureCache(10)
	opts := smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: []*smpki.Certificate{p.SubCA.Cert}, CurrentTime: t0, Cache: cache}
	for i := 0; i < 2; i++ {
		if _, err := smpki.Verify(leaf.Cert, opts); err != nil {
			t.Fatal(err)
		}
	}
	// A certificate with the same names but a broken signature is not covered by the cache.
	bad := bytes.Clone(leaf.Cert.Raw)
	bad[len(bad)-5] ^= 1
	bc, err := smpki.Parse(bad)
	if err != nil {
		t.Skip("flip hit the DER structure")
	}
	if _, err := smpki.Verify(bc, opts); !errors.Is(err, smpki.ErrSignature) {
		t.Fatalf("cached verification accepted a bad signature: %v", err)
	}
	// Expiry is still checked on cached pairs.
	opts.CurrentTime = t0.AddDate(2, 0, 0)
	if _, err := smpki.Verify(leaf.Cert, opts); !errors.Is(err, smpki.ErrExpired) {
		t.Fatalf("expired with cache: %v", err)
	}
}

func BenchmarkVerifyChainBrainpoolCached(b *testing.B) {
	p, err := smpkitest.NewPKI(t0.AddDate(-1, 0, 0))
	if err != nil {
		b.Fatal(err)
	}
	leaf, _ := p.Issue("9900000000004", "lfn.EMT.MAK", x509.KeyUsageDigitalSignature, t0.AddDate(0, -1, 0), t0.AddDate(1, 0, 0))
	opts := smpki.VerifyOptions{Roots: []*smpki.Certificate{p.Root.Cert}, Intermediates: []*smpki.Certificate{p.SubCA.Cert}, CurrentTime: t0, Cache: smpki.NewSignatureCache(100)}
	for b.Loop() {
		if _, err := smpki.Verify(leaf.Cert, opts); err != nil {
			b.Fatal(err)
		}
	}
}
