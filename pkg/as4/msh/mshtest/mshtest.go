// Package mshtest provides AS4 test parties for tests of the MSH: identities issued by a test
// SM-PKI (smpkitest) and the partner records that let two parties exchange AS4 messages.
package mshtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/smpki/smpkitest"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
	"github.com/mako-engine/mako/pkg/brainpool"
	"github.com/mako-engine/mako/pkg/partner"
)

// Party is a market partner with its AS4 key material.
type Party struct {
	MPID     string
	Sig, Enc smpkitest.Identity
	Identity *msh.Identity
}

// NewParty issues brainpoolP256r1 signature and encryption certificates "<name>.EMT.MAK" for
// mpID from pki, valid from notBefore to notAfter.
func NewParty(pki *smpkitest.PKI, mpID, name string, notBefore, notAfter time.Time) (*Party, error) {
	sig, err := pki.Issue(mpID, name+".EMT.MAK", x509.KeyUsageDigitalSignature, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	enc, err := pki.Issue(mpID, name+".EMT.MAK", x509.KeyUsageKeyAgreement, notBefore, notAfter)
	if err != nil {
		return nil, err
	}
	kak, err := xmlenc.NewKeyAgreementKey(enc.Key)
	if err != nil {
		return nil, err
	}
	id, err := msh.NewIdentity(mpID, sig.Key, []*smpki.Certificate{sig.Cert, pki.SubCA.Cert}, []msh.EncryptionKey{{Key: kak, Cert: enc.Cert}})
	if err != nil {
		return nil, err
	}
	return &Party{MPID: mpID, Sig: sig, Enc: enc, Identity: id}, nil
}

// PEM encodes a certificate.
func PEM(c *smpki.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// Channel returns the as4 channel by which others reach p at url, with the relationship state.
func (p *Party) Channel(url, relationship string) partner.Channel {
	return partner.Channel{Transport: partner.TransportAS4, URL: url, Timeout: partner.Duration(20 * time.Second),
		AS4: &partner.AS4{EncryptionCerts: []string{PEM(p.Enc.Cert)}, Relationship: relationship}}
}

// Trust returns the trust configuration of pki at now.
func Trust(pki *smpkitest.PKI, now func() time.Time) *msh.Trust {
	return &msh.Trust{Roots: []*smpki.Certificate{pki.Root.Cert}, Intermediates: []*smpki.Certificate{pki.SubCA.Cert}, Now: now}
}

// WriteIdentityDir writes p's keys and certificates into dir as msh.LoadIdentityDir reads them
// (the signature certificate followed by the Sub-CA of pki; keys as PKCS#8 PEM).
func WriteIdentityDir(dir string, p *Party, pki *smpkitest.PKI) error {
	key := func(k any) ([]byte, error) {
		bk, ok := k.(*brainpool.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("mshtest: key %T is not brainpool", k)
		}
		der, err := brainpool.MarshalPKCS8PrivateKey(bk)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	sk, err := key(p.Sig.Key)
	if err != nil {
		return err
	}
	ek, err := key(p.Enc.Key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, data := range map[string][]byte{
		msh.FileSigningCert: []byte(PEM(p.Sig.Cert) + PEM(pki.SubCA.Cert)), msh.FileSigningKey: sk,
		msh.FileEncryptionCert: []byte(PEM(p.Enc.Cert)), msh.FileEncryptionKey: ek,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// Inbound reads the endpoint counter mako_as4_inbound_messages_total{result} from reg (0 when
// absent).
func Inbound(reg prometheus.Gatherer, result string) (float64, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return 0, err
	}
	for _, mf := range mfs {
		if mf.GetName() != "mako_as4_inbound_messages_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetCounter().GetValue(), nil
				}
			}
		}
	}
	return 0, nil
}
