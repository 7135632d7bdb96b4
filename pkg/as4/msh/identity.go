package msh

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
	"github.com/mako-engine/mako/pkg/brainpool"
)

// Errors of this package (wrapped with the party or message concerned).
var (
	// ErrConfig: keys, certificates or partner data are missing or unusable.
	ErrConfig = errors.New("as4/msh: configuration")
	// ErrNoIdentity: no own AS4 identity for the MP-ID.
	ErrNoIdentity = errors.New("as4/msh: no AS4 identity for the market partner id")
)

// Identity is one own market partner id's AS4 key material (Profil §2.3.4.4: separate signature
// and encryption key pairs). Keys are crypto.Signer / xmlenc.KeyAgreementKey, so an HSM or a
// PKCS#11 module can hold them: build the Identity with NewIdentity from such implementations.
type Identity struct {
	// MPID is the market partner id in the certificates' OU.
	MPID string
	// Signer signs outbound messages and receipts.
	Signer *wss.Signer
	// Keys decrypt inbound messages: the current encryption key and, during a rollover, its
	// predecessor or successor.
	Keys []wss.DecryptionKey
	// Certificates are the own end-entity certificates (signature, encryption), watched for
	// expiry.
	Certificates []*smpki.Certificate
}

// NewIdentity returns the identity of mpID from a signature key with its chain (end entity
// first, then the Sub-CA; the PkiPath token carries it) and one or more encryption keys with
// their certificates. opts configure the wss.Signer.
func NewIdentity(mpID string, sigKey crypto.Signer, sigChain []*smpki.Certificate, enc []EncryptionKey, opts ...wss.SignerOption) (*Identity, error) {
	if len(sigChain) == 0 {
		return nil, fmt.Errorf("%w: %s: no signature certificate", ErrConfig, mpID)
	}
	if err := smpki.CheckMarketPartner(sigChain[0], mpID); err != nil {
		return nil, fmt.Errorf("%w: %s: signature certificate: %v", ErrConfig, mpID, err)
	}
	s, err := wss.NewSigner(sigKey, sigChain, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrConfig, mpID, err)
	}
	id := &Identity{MPID: mpID, Signer: s, Certificates: []*smpki.Certificate{sigChain[0]}}
	for _, k := range enc {
		if err := smpki.CheckMPID(k.Cert, mpID); err != nil {
			return nil, fmt.Errorf("%w: %s: encryption certificate: %v", ErrConfig, mpID, err)
		}
		if bytes.Equal(k.Cert.RawSubjectPublicKeyInfo, sigChain[0].RawSubjectPublicKeyInfo) {
			return nil, fmt.Errorf("%w: %s: signature and encryption keys must differ (Profil §2.3.4.4)", ErrConfig, mpID)
		}
		id.Keys = append(id.Keys, wss.DecryptionKey{SKI: k.Cert.SKI(), Key: k.Key})
		id.Certificates = append(id.Certificates, k.Cert)
	}
	if len(id.Keys) == 0 {
		return nil, fmt.Errorf("%w: %s: no encryption key", ErrConfig, mpID)
	}
	return id, nil
}

// EncryptionKey is an encryption (key agreement) key with its certificate.
type EncryptionKey struct {
	Key  xmlenc.KeyAgreementKey
	Cert *smpki.Certificate
}

// Key file names below an identity directory (LoadIdentityDir).
const (
	FileSigningCert    = "signing.pem"    // signature certificate, then the Sub-CA
	FileSigningKey     = "signing.key"    // its private key (PKCS#8 or SEC1 PEM)
	FileEncryptionCert = "encryption.pem" // encryption certificate
	FileEncryptionKey  = "encryption.key" // its private key
	// FileEncryptionNext* are an optional second encryption key (rollover: the successor, or
	// the predecessor kept while partners still use it).
	FileEncryptionNextCert = "encryption-next.pem"
	FileEncryptionNextKey  = "encryption-next.key"
)

// LoadIdentityDir reads the identity of mpID from dir (the files named by the File*
// constants). Private keys are brainpool (or NIST, for tests with tools without brainpool)
// EC keys in PKCS#8 or SEC1 PEM.
func LoadIdentityDir(dir, mpID string, opts ...wss.SignerOption) (*Identity, error) {
	chain, err := readCerts(filepath.Join(dir, FileSigningCert))
	if err != nil {
		return nil, err
	}
	sk, err := readKey(filepath.Join(dir, FileSigningKey))
	if err != nil {
		return nil, err
	}
	var enc []EncryptionKey
	for _, f := range [][2]string{{FileEncryptionCert, FileEncryptionKey}, {FileEncryptionNextCert, FileEncryptionNextKey}} {
		certs, err := readCerts(filepath.Join(dir, f[0]))
		if err != nil {
			if f[0] == FileEncryptionNextCert && errors.Is(err, os.ErrNotExist) {
				break
			}
			return nil, err
		}
		k, err := readKey(filepath.Join(dir, f[1]))
		if err != nil {
			return nil, err
		}
		kak, err := xmlenc.NewKeyAgreementKey(k)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrConfig, f[1], err)
		}
		enc = append(enc, EncryptionKey{Key: kak, Cert: certs[0]})
	}
	return NewIdentity(mpID, sk, chain, enc, opts...)
}

func readCerts(path string) ([]*smpki.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	cs, err := smpki.ParsePEM(b)
	if err != nil || len(cs) == 0 {
		return nil, fmt.Errorf("%w: %s: no certificate (%v)", ErrConfig, path, err)
	}
	return cs, nil
}

// ParsePrivateKey reads a PEM EC private key: brainpool (PKCS#8 or SEC1) or NIST.
func ParsePrivateKey(data []byte) (crypto.Signer, error) {
	blk, _ := pem.Decode(data)
	if blk == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrConfig)
	}
	if k, err := brainpool.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	if k, err := brainpool.ParseECPrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(blk.Bytes); err == nil {
		if s, ok := k.(*ecdsa.PrivateKey); ok {
			return s, nil
		}
		return nil, fmt.Errorf("%w: PKCS#8 key of type %T, want EC", ErrConfig, k)
	}
	if k, err := x509.ParseECPrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("%w: %s block is no EC private key this package reads", ErrConfig, blk.Type)
}

func readKey(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Trust is the SM-PKI trust configuration: roots, CRLs and the clock.
type Trust struct {
	// Roots are the SM-PKI root certificates.
	Roots []*smpki.Certificate
	// Intermediates are known Sub-CA certificates (a TLS terminator passes only the client's
	// end-entity certificate; messages carry their chain in the PkiPath token).
	Intermediates []*smpki.Certificate
	// CRLs is consulted for every chain (nil: no revocation check).
	CRLs *smpki.CRLStore
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (t *Trust) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

// SignerPolicy returns the ebms.CheckSigner of the profile over t.
func (t *Trust) SignerPolicy() ebms.CheckSigner { return ebms.SignerPolicy(t.Roots, t.CRLs, t.now) }

// ParseCertificates reads PEM certificates.
func ParseCertificates(pemText string) ([]*smpki.Certificate, error) {
	cs, err := smpki.ParsePEM([]byte(pemText))
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%w: no PEM certificate", ErrConfig)
	}
	return cs, nil
}

// EncryptionCertificate picks the partner's encryption certificate from its PEM list: each
// must verify to t's roots at now with keyAgreement usage and carry the partner's MP-ID; of the
// valid ones the one issued last wins (a successor is used at once, RzÜ §5.3). The error names
// why no certificate is usable.
func (t *Trust) EncryptionCertificate(mpID string, pems []string) (*smpki.Certificate, error) {
	var best *smpki.Certificate
	var errs []error
	for i, p := range pems {
		cs, err := ParseCertificates(p)
		if err != nil {
			errs = append(errs, fmt.Errorf("certificate %d: %w", i, err))
			continue
		}
		c := cs[0]
		if _, err := smpki.Verify(c, smpki.VerifyOptions{Roots: t.Roots, Intermediates: append(cs[1:], t.Intermediates...), CurrentTime: t.now(),
			KeyUsage: x509.KeyUsageKeyAgreement, Revocation: t.CRLs}); err != nil {
			errs = append(errs, fmt.Errorf("certificate %d: %w", i, err))
			continue
		}
		if err := smpki.CheckMPID(c, mpID); err != nil {
			errs = append(errs, fmt.Errorf("certificate %d: %w", i, err))
			continue
		}
		if best == nil || c.NotBefore.After(best.NotBefore) {
			best = c
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: partner %s: no usable encryption certificate: %w", ErrConfig, mpID, errors.Join(errs...))
	}
	return best, nil
}

// Identities are the own AS4 identities of a deployment, by MP-ID. Immutable after
// NewIdentities; safe for concurrent use.
type Identities struct {
	byMPID map[string]*Identity
	keys   []wss.DecryptionKey
}

// NewIdentities indexes ids by MP-ID (an MP-ID given twice is an error).
func NewIdentities(ids ...*Identity) (*Identities, error) {
	out := &Identities{byMPID: map[string]*Identity{}}
	for _, id := range ids {
		if _, dup := out.byMPID[id.MPID]; dup {
			return nil, fmt.Errorf("%w: two identities for %s", ErrConfig, id.MPID)
		}
		out.byMPID[id.MPID] = id
		out.keys = append(out.keys, id.Keys...)
	}
	return out, nil
}

// ByMPID returns the identity of an own MP-ID.
func (s *Identities) ByMPID(mpID string) (*Identity, bool) {
	id, ok := s.byMPID[mpID]
	return id, ok
}

// All returns every identity (in no particular order).
func (s *Identities) All() []*Identity {
	out := make([]*Identity, 0, len(s.byMPID))
	for _, id := range s.byMPID {
		out = append(out, id)
	}
	return out
}

// DecryptionKeys returns the decryption keys of all identities (the key is found by the SKI
// the sender names).
func (s *Identities) DecryptionKeys() []wss.DecryptionKey { return s.keys }
