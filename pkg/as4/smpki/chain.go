package smpki

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Errors of chain validation. Verify wraps them with the certificate concerned.
var (
	// ErrExpired: a certificate of the chain is outside its validity period.
	ErrExpired = errors.New("smpki: certificate is not valid at the verification time")
	// ErrUnknownIssuer: no chain to a configured root could be built.
	ErrUnknownIssuer = errors.New("smpki: certificate signed by unknown authority")
	// ErrNotCA: an issuer lacks basicConstraints cA=true or keyCertSign.
	ErrNotCA = errors.New("smpki: issuer is not a CA")
	// ErrPathLen: a pathLenConstraint is exceeded.
	ErrPathLen = errors.New("smpki: path length constraint exceeded")
	// ErrCriticalExtension: a certificate carries a critical extension this package does not know.
	ErrCriticalExtension = errors.New("smpki: unhandled critical extension")
	// ErrKeyUsage: the end-entity certificate lacks the required key usage.
	ErrKeyUsage = errors.New("smpki: key usage not permitted")
)

// maxChainLength bounds chain building; the SM-PKI has Root → Sub-CA → end entity.
const maxChainLength = 8

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Roots are the trust anchors (the SM-PKI root certificates). Required.
	Roots []*Certificate
	// Intermediates are candidate Sub-CA certificates (e.g. from the PkiPath token).
	Intermediates []*Certificate
	// CurrentTime is the verification time. Required: this package reads no clock.
	CurrentTime time.Time
	// KeyUsage, when non-zero, must be permitted by the end-entity certificate's keyUsage
	// extension (x509.KeyUsageDigitalSignature for signature certificates,
	// x509.KeyUsageKeyAgreement for encryption certificates).
	KeyUsage x509.KeyUsage
	// Cache, when set, remembers certificate signatures already verified (chains of partner
	// certificates repeat in every message); only successful checks are cached.
	Cache *SignatureCache
	// Revocation, when set, is consulted for every non-root certificate of the chain; a revoked
	// certificate or a distrusted (long-stale) CRL fails the verification. Stale-but-tolerated
	// CRLs are reported in the returned Result.
	Revocation *CRLStore
}

// Result is the outcome of a successful Verify.
type Result struct {
	// Chain runs from the end-entity certificate to the root.
	Chain []*Certificate
	// Revocation holds one check per non-root chain certificate when VerifyOptions.Revocation was
	// set. A caller alerts on any entry whose Stale is true.
	Revocation []RevocationCheck
}

// Stale reports whether any CRL consulted was past its nextUpdate (an alarm condition even
// though verification succeeded).
func (r *Result) Stale() bool {
	for _, c := range r.Revocation {
		if c.Stale {
			return true
		}
	}
	return false
}

// Verify builds and checks a chain from leaf to one of opts.Roots: signatures (brainpool or
// NIST ECDSA), validity at opts.CurrentTime, CA flags, keyCertSign, path length, unknown
// critical extensions, the end-entity key usage and, when configured, revocation.
func Verify(leaf *Certificate, opts VerifyOptions) (*Result, error) {
	if opts.CurrentTime.IsZero() {
		return nil, errors.New("smpki: VerifyOptions.CurrentTime is required")
	}
	if len(opts.Roots) == 0 {
		return nil, errors.New("smpki: no trust roots configured")
	}
	if err := checkCert(leaf, opts.CurrentTime); err != nil {
		return nil, err
	}
	if opts.KeyUsage != 0 && leaf.HasKeyUsage && leaf.KeyUsage&opts.KeyUsage != opts.KeyUsage {
		return nil, fmt.Errorf("%w: %s has key usage %#x, need %#x", ErrKeyUsage, describe(leaf), leaf.KeyUsage, opts.KeyUsage)
	}
	if opts.KeyUsage != 0 && !leaf.HasKeyUsage {
		return nil, fmt.Errorf("%w: %s has no keyUsage extension", ErrKeyUsage, describe(leaf))
	}
	var chain []*Certificate
	if contains(opts.Roots, leaf) {
		// A configured trust anchor used directly (e.g. a pinned self-signed test certificate).
		chain = []*Certificate{leaf}
	} else {
		var err error
		if chain, err = buildChain([]*Certificate{leaf}, opts); err != nil {
			return nil, err
		}
	}
	res := &Result{Chain: chain}
	if opts.Revocation != nil {
		for i := 0; i < len(chain)-1; i++ {
			rc, err := opts.Revocation.Check(chain[i], chain[i+1], opts.CurrentTime)
			res.Revocation = append(res.Revocation, rc)
			if err != nil {
				return res, err
			}
		}
	}
	return res, nil
}

func describe(c *Certificate) string {
	return fmt.Sprintf("%q (serial %s)", c.Subject.String(), c.SerialNumber)
}

func checkCert(c *Certificate, now time.Time) error {
	if now.Before(c.NotBefore) || now.After(c.NotAfter) {
		return fmt.Errorf("%w: %s valid %s to %s", ErrExpired, describe(c), c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339))
	}
	if len(c.UnhandledCriticalExtensions) > 0 {
		return fmt.Errorf("%w: %s: %v", ErrCriticalExtension, describe(c), c.UnhandledCriticalExtensions)
	}
	return nil
}

// issues reports whether parent's subject names child's issuer (and the key identifiers, when
// both are present, agree).
func issues(parent, child *Certificate) bool {
	if !bytes.Equal(parent.RawSubject, child.RawIssuer) {
		return false
	}
	if len(child.AuthorityKeyID) > 0 && len(parent.SubjectKeyID) > 0 && !bytes.Equal(child.AuthorityKeyID, parent.SubjectKeyID) {
		return false
	}
	return true
}

func checkIssuer(parent *Certificate, depth int) error {
	if !parent.BasicConstraintsValid || !parent.IsCA {
		return fmt.Errorf("%w: %s", ErrNotCA, describe(parent))
	}
	if parent.HasKeyUsage && parent.KeyUsage&x509.KeyUsageCertSign == 0 {
		return fmt.Errorf("%w: %s lacks keyCertSign", ErrNotCA, describe(parent))
	}
	// depth = number of non-self-issued intermediates below parent.
	if parent.MaxPathLen >= 0 && depth > parent.MaxPathLen {
		return fmt.Errorf("%w: %s allows %d, chain has %d", ErrPathLen, describe(parent), parent.MaxPathLen, depth)
	}
	return nil
}

func buildChain(chain []*Certificate, opts VerifyOptions) ([]*Certificate, error) {
	cur := chain[len(chain)-1]
	depth := len(chain) - 1 // intermediates below the next issuer
	var lastErr error
	for _, root := range opts.Roots {
		if !issues(root, cur) {
			continue
		}
		if err := checkCert(root, opts.CurrentTime); err != nil {
			lastErr = err
			continue
		}
		if err := checkIssuer(root, depth); err != nil {
			lastErr = err
			continue
		}
		if err := opts.Cache.check(cur, root); err != nil {
			lastErr = fmt.Errorf("%w: %s by root %s", err, describe(cur), describe(root))
			continue
		}
		return append(chain, root), nil
	}
	if len(chain) >= maxChainLength {
		return nil, fmt.Errorf("%w: chain longer than %d", ErrUnknownIssuer, maxChainLength)
	}
	for _, im := range opts.Intermediates {
		if !issues(im, cur) || contains(chain, im) {
			continue
		}
		if err := checkCert(im, opts.CurrentTime); err != nil {
			lastErr = err
			continue
		}
		if err := checkIssuer(im, depth); err != nil {
			lastErr = err
			continue
		}
		if err := opts.Cache.check(cur, im); err != nil {
			lastErr = fmt.Errorf("%w: %s by %s", err, describe(cur), describe(im))
			continue
		}
		full, err := buildChain(append(chain[:len(chain):len(chain)], im), opts)
		if err == nil {
			return full, nil
		}
		lastErr = err
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, fmt.Errorf("%w: no issuer for %s (issuer %q)", ErrUnknownIssuer, describe(cur), cur.Issuer.String())
}

func contains(chain []*Certificate, c *Certificate) bool {
	for _, x := range chain {
		if bytes.Equal(x.Raw, c.Raw) {
			return true
		}
	}
	return false
}

// SignatureCache remembers verified (certificate, issuer) signature pairs. The zero value is not
// usable; create it with NewSignatureCache. It is safe for concurrent use; a nil cache verifies
// every time.
type SignatureCache struct {
	mu  sync.RWMutex
	ok  map[[64]byte]bool
	max int
}

// NewSignatureCache returns a cache holding at most max pairs (it is emptied when full).
func NewSignatureCache(max int) *SignatureCache {
	return &SignatureCache{ok: map[[64]byte]bool{}, max: max}
}

func (sc *SignatureCache) check(child, parent *Certificate) error {
	if sc == nil {
		return child.CheckSignatureFrom(parent)
	}
	var k [64]byte
	a, b := sha256.Sum256(child.Raw), sha256.Sum256(parent.Raw)
	copy(k[:32], a[:])
	copy(k[32:], b[:])
	sc.mu.RLock()
	hit := sc.ok[k]
	sc.mu.RUnlock()
	if hit {
		return nil
	}
	if err := child.CheckSignatureFrom(parent); err != nil {
		return err
	}
	sc.mu.Lock()
	if len(sc.ok) >= sc.max {
		clear(sc.ok)
	}
	sc.ok[k] = true
	sc.mu.Unlock()
	return nil
}
