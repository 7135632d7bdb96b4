package smpki

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors of revocation checking.
var (
	// ErrRevoked: the certificate is on its issuer's CRL.
	ErrRevoked = errors.New("smpki: certificate revoked")
	// ErrCRLDistrusted: the issuer's CRL is stale beyond the grace period (RzÜ §5.4: a CA whose
	// CRL is unobtainable or invalid for more than 3 days is distrusted with everything below).
	ErrCRLDistrusted = errors.New("smpki: CRL stale beyond grace period, issuer distrusted")
	// ErrNoCRL: no CRL is known for the issuer and the store requires one.
	ErrNoCRL = errors.New("smpki: no CRL for issuer")
	// ErrCRL: a CRL failed to parse or verify.
	ErrCRL = errors.New("smpki: invalid CRL")
)

// DefaultStaleGrace is the time after a CRL's nextUpdate during which it is still used (with
// Stale set, an alarm) before its issuer is distrusted: 3 days, RzÜ AS4 §5.4.
const DefaultStaleGrace = 72 * time.Hour

// CRL is a parsed CRL whose signature has been verified against its issuer.
type CRL struct {
	*x509.RevocationList
	// Issuer is the CA certificate that signed the CRL.
	Issuer *Certificate
}

// RevocationStatus is the revocation state of one certificate.
type RevocationStatus int

// Revocation states.
const (
	// RevocationUnknown: no CRL for the issuer is known.
	RevocationUnknown RevocationStatus = iota
	// RevocationGood: a CRL is known and does not list the certificate.
	RevocationGood
	// RevocationRevoked: the CRL lists the certificate.
	RevocationRevoked
)

// String names the status.
func (s RevocationStatus) String() string {
	return [...]string{"unknown", "good", "revoked"}[s]
}

// RevocationCheck is the typed result of one CRL check, for callers that raise alarms.
type RevocationCheck struct {
	Certificate *Certificate
	Status      RevocationStatus
	// RevokedAt and ReasonCode are set for RevocationRevoked.
	RevokedAt  time.Time
	ReasonCode int
	// ThisUpdate and NextUpdate of the CRL consulted (zero for RevocationUnknown).
	ThisUpdate, NextUpdate time.Time
	// Stale: the check time is past NextUpdate. The caller must alert (fetch a fresh CRL).
	Stale bool
	// StaleFor is how long past NextUpdate the CRL is.
	StaleFor time.Duration
	// Distrusted: Stale for longer than the grace period; the verification failed.
	Distrusted bool
}

// CRLStore holds the newest verified CRL of each issuing CA. It is safe for concurrent use.
type CRLStore struct {
	grace      time.Duration
	requireCRL bool

	mu   sync.RWMutex
	crls map[string]*CRL
}

// CRLOption configures a CRLStore.
type CRLOption func(*CRLStore)

// WithStaleGrace sets how long after nextUpdate a CRL is still accepted (default
// DefaultStaleGrace).
func WithStaleGrace(d time.Duration) CRLOption { return func(s *CRLStore) { s.grace = d } }

// WithRequireCRL makes a missing CRL for an issuer a verification failure (ErrNoCRL). By default
// a missing CRL yields RevocationUnknown with Stale set, so the caller alarms but traffic flows.
func WithRequireCRL(require bool) CRLOption { return func(s *CRLStore) { s.requireCRL = require } }

// NewCRLStore returns an empty store.
func NewCRLStore(opts ...CRLOption) *CRLStore {
	s := &CRLStore{grace: DefaultStaleGrace, crls: map[string]*CRL{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

func issuerKey(issuer *Certificate) string {
	return string(issuer.RawSubject) + "|" + hex.EncodeToString(issuer.SKI())
}

// ParseCRL parses a DER CRL and verifies its signature and issuer name against issuer.
func ParseCRL(der []byte, issuer *Certificate) (*CRL, error) {
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCRL, err)
	}
	if !bytes.Equal(rl.RawIssuer, issuer.RawSubject) {
		return nil, fmt.Errorf("%w: CRL issuer %q is not %s", ErrCRL, rl.Issuer.String(), describe(issuer))
	}
	if len(rl.AuthorityKeyId) > 0 && len(issuer.SubjectKeyID) > 0 && !bytes.Equal(rl.AuthorityKeyId, issuer.SubjectKeyID) {
		return nil, fmt.Errorf("%w: CRL authority key id does not match %s", ErrCRL, describe(issuer))
	}
	if issuer.HasKeyUsage && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return nil, fmt.Errorf("%w: %s lacks cRLSign", ErrCRL, describe(issuer))
	}
	var alg SignatureAlgorithm
	switch rl.SignatureAlgorithm {
	case x509.ECDSAWithSHA256:
		alg = ECDSAWithSHA256
	case x509.ECDSAWithSHA384:
		alg = ECDSAWithSHA384
	case x509.ECDSAWithSHA512:
		alg = ECDSAWithSHA512
	default:
		return nil, fmt.Errorf("%w: unsupported signature algorithm %v", ErrCRL, rl.SignatureAlgorithm)
	}
	if err := CheckSignature(issuer.PublicKey, alg, rl.RawTBSRevocationList, rl.Signature); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCRL, err)
	}
	return &CRL{RevocationList: rl, Issuer: issuer}, nil
}

// Add parses and verifies a CRL (ParseCRL) and keeps it unless the store already holds a newer
// one for the same issuer (by thisUpdate). A CRL whose thisUpdate lies after now is refused.
func (s *CRLStore) Add(der []byte, issuer *Certificate, now time.Time) (*CRL, error) {
	crl, err := ParseCRL(der, issuer)
	if err != nil {
		return nil, err
	}
	if crl.ThisUpdate.After(now) {
		return nil, fmt.Errorf("%w: thisUpdate %s is in the future", ErrCRL, crl.ThisUpdate.UTC().Format(time.RFC3339))
	}
	k := issuerKey(issuer)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.crls[k]; old == nil || crl.ThisUpdate.After(old.ThisUpdate) {
		s.crls[k] = crl
	}
	return s.crls[k], nil
}

// Check looks cert up in the CRL of issuer at time now. The returned error is nil when the
// certificate may be used (Good, or Unknown/Stale without the requirement or grace exceeded);
// RevocationCheck.Stale is the alarm signal in every case.
func (s *CRLStore) Check(cert, issuer *Certificate, now time.Time) (RevocationCheck, error) {
	rc := RevocationCheck{Certificate: cert}
	s.mu.RLock()
	crl := s.crls[issuerKey(issuer)]
	s.mu.RUnlock()
	if crl == nil {
		rc.Status, rc.Stale = RevocationUnknown, true
		if s.requireCRL {
			return rc, fmt.Errorf("%w: %s", ErrNoCRL, describe(issuer))
		}
		return rc, nil
	}
	rc.ThisUpdate, rc.NextUpdate = crl.ThisUpdate, crl.NextUpdate
	if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
		rc.Stale, rc.StaleFor = true, now.Sub(crl.NextUpdate)
		if rc.StaleFor > s.grace {
			rc.Distrusted = true
		}
	}
	rc.Status = RevocationGood
	for _, e := range crl.RevokedCertificateEntries {
		if e.SerialNumber != nil && e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
			rc.Status, rc.RevokedAt, rc.ReasonCode = RevocationRevoked, e.RevocationTime, e.ReasonCode
			break
		}
	}
	if rc.Status == RevocationRevoked {
		return rc, fmt.Errorf("%w: %s on %s", ErrRevoked, describe(cert), rc.RevokedAt.UTC().Format(time.RFC3339))
	}
	if rc.Distrusted {
		return rc, fmt.Errorf("%w: CRL of %s stale for %s", ErrCRLDistrusted, describe(issuer), rc.StaleFor.Round(time.Minute))
	}
	return rc, nil
}

// CRLHealth is the freshness of one stored CRL, for a periodic alarm sweep.
type CRLHealth struct {
	Issuer                 *Certificate
	ThisUpdate, NextUpdate time.Time
	Stale, Distrusted      bool
	StaleFor               time.Duration
}

// Health reports the freshness of every stored CRL at now.
func (s *CRLStore) Health(now time.Time) []CRLHealth {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]CRLHealth, 0, len(s.crls))
	for _, c := range s.crls {
		h := CRLHealth{Issuer: c.Issuer, ThisUpdate: c.ThisUpdate, NextUpdate: c.NextUpdate}
		if !c.NextUpdate.IsZero() && now.After(c.NextUpdate) {
			h.Stale, h.StaleFor = true, now.Sub(c.NextUpdate)
			h.Distrusted = h.StaleFor > s.grace
		}
		out = append(out, h)
	}
	return out
}
