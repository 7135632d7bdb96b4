package msh_test

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/msh/mshtest"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/partner"
)

func gauge(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for k, v := range labels {
				if have[k] != v {
					continue next
				}
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// TestMonitor: an own certificate and a partner's certificate close to expiry and a stale CRL
// raise alarms and gauges; fresh ones do not.
func TestMonitor(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	pki := must(smpkitest.NewPKI(now.AddDate(-1, 0, 0)))
	own := must(mshtest.NewParty(pki, mpNB, "nb", now.AddDate(0, -1, 0), now.AddDate(0, 0, 5)))
	fresh := must(mshtest.NewParty(pki, mpLF, "lfn", now.AddDate(0, -1, 0), now.AddDate(1, 0, 0)))
	crls := smpki.NewCRLStore()
	der := must(smpkitest.CreateCRL(pki.SubCA.Cert, pki.SubCA.Key, 1, now.AddDate(0, 0, -10), now.AddDate(0, 0, -1), nil))
	// Through LoadCRLDir (PEM file), as makod reads them.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sub.crl"), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := msh.LoadCRLDir(crls, dir, []*smpki.Certificate{pki.Root.Cert, pki.SubCA.Cert}, now); err != nil {
		t.Fatal(err)
	}
	trust := &msh.Trust{Roots: []*smpki.Certificate{pki.Root.Cert}, CRLs: crls, Now: func() time.Time { return now }}
	pst := partner.NewMemStore(func() time.Time { return now })
	ch := fresh.Channel("https://lf.test/as4", partner.RelationshipConfirmed)
	soon := must(mshtest.NewParty(pki, mpLF, "lfn2", now.AddDate(0, -1, 0), now.AddDate(0, 0, 10)))
	ch.AS4.EncryptionCerts = append(ch.AS4.EncryptionCerts, mshtest.PEM(soon.Enc.Cert))
	if _, err := pst.Put(context.Background(), "nb", partner.Partner{MPID: mpLF, Channels: []partner.Channel{ch}}); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	mon := must(msh.NewMonitor(reg, must(msh.NewIdentities(own.Identity)), trust, pst, []string{"nb"}, 0, zerolog.Nop()))
	alerts := mon.Sweep(context.Background())
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind+" "+a.Subject)
	}
	joined := strings.Join(kinds, "\n")
	// own signing + own encryption (5 days), partner's successor-less second certificate (10 days), the CRL.
	if len(alerts) != 4 || !strings.Contains(joined, "own "+mpNB+" signing") || !strings.Contains(joined, "own "+mpNB+" encryption") ||
		!strings.Contains(joined, "partner "+mpLF+" encryption certificate "+soon.Enc.Cert.SerialNumber.String()) || !strings.Contains(joined, "crl_stale") {
		t.Fatalf("alerts:\n%s", joined)
	}
	if v, ok := gauge(t, reg, "mako_as4_certificate_expiring", map[string]string{"owner": "partner", "serial": fresh.Enc.Cert.SerialNumber.String()}); !ok || v != 0 {
		t.Errorf("fresh partner certificate: %v %v", v, ok)
	}
	if v, ok := gauge(t, reg, "mako_as4_certificate_expiry_seconds", map[string]string{"owner": "own", "use": "signing"}); !ok || v != (5*24*time.Hour).Seconds() {
		t.Errorf("own expiry seconds %v %v", v, ok)
	}
	if v, ok := gauge(t, reg, "mako_as4_crl_stale", map[string]string{"issuer": pki.SubCA.Cert.Subject.CommonName}); !ok || v != 1 {
		t.Errorf("crl stale gauge %v %v", v, ok)
	}
	if v, _ := gauge(t, reg, "mako_as4_crl_stale_seconds", nil); v != (24 * time.Hour).Seconds() {
		t.Errorf("crl stale seconds %v", v)
	}
}
