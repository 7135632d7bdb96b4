// Package smpki handles X.509 certificates and CRLs of the BSI Smart Metering PKI (SM-PKI) as
// the BDEW AS4 profile uses them: brainpool (and, for interop tests, NIST) EC certificates that
// crypto/x509 refuses to parse, chain validation to configured roots, the EMT.MAK market-partner
// check, the MP-ID in the subject OU, and CRL checks with a staleness alarm.
//
// Certificates are parsed with encoding/asn1; signatures are checked with pkg/brainpool for the
// brainpool curves and crypto/ecdsa for the NIST curves.
package smpki

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/mako-engine/mako/pkg/brainpool"
)

// Object identifiers used by the parser.
var (
	oidECPublicKey     = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidP256            = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384            = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521            = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}

	oidExtSubjectKeyID     = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidExtKeyUsage         = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidExtSubjectAltName   = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidExtBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidExtCRLDistribution  = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidExtCertPolicies     = asn1.ObjectIdentifier{2, 5, 29, 32}
	oidExtAuthorityKeyID   = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidExtExtKeyUsage      = asn1.ObjectIdentifier{2, 5, 29, 37}
)

// ErrParse is wrapped by every certificate or CRL parse error.
var ErrParse = errors.New("smpki: malformed certificate")

// Certificate is a parsed X.509 v3 certificate. All fields are read-only after Parse.
type Certificate struct {
	Raw                     []byte // the complete DER encoding
	RawTBSCertificate       []byte // the signed part
	RawSubjectPublicKeyInfo []byte
	RawSubject              []byte
	RawIssuer               []byte

	Version      int // 1, 2 or 3
	SerialNumber *big.Int
	Issuer       pkix.Name
	Subject      pkix.Name
	NotBefore    time.Time
	NotAfter     time.Time

	// SignatureAlgorithm is the algorithm the issuer signed with; Signature the DER ECDSA value.
	SignatureAlgorithm SignatureAlgorithm
	Signature          []byte

	// PublicKey is *brainpool.PublicKey for brainpool keys, *ecdsa.PublicKey for NIST EC keys,
	// and what crypto/x509.ParsePKIXPublicKey returns for anything else (e.g. RSA).
	PublicKey crypto.PublicKey
	// PublicKeyCurve is the curve name ("brainpoolP256r1", "P-256", …), empty for non-EC keys.
	PublicKeyCurve string

	SubjectKeyID   []byte
	AuthorityKeyID []byte
	// KeyUsage is the keyUsage extension as x509.KeyUsage bits; HasKeyUsage reports whether the
	// extension was present.
	KeyUsage    x509.KeyUsage
	HasKeyUsage bool
	ExtKeyUsage []asn1.ObjectIdentifier

	BasicConstraintsValid bool
	IsCA                  bool
	// MaxPathLen is the pathLenConstraint, -1 when absent.
	MaxPathLen int

	DNSNames              []string
	EmailAddresses        []string
	URIs                  []string
	CRLDistributionPoints []string
	PolicyIdentifiers     []asn1.ObjectIdentifier

	// Extensions holds every extension as found; UnhandledCriticalExtensions those marked
	// critical that this parser does not interpret (Verify refuses such certificates).
	Extensions                  []pkix.Extension
	UnhandledCriticalExtensions []asn1.ObjectIdentifier
}

// SignatureAlgorithm is a certificate or CRL signature algorithm this package can verify.
type SignatureAlgorithm int

// The supported signature algorithms (TR-03116-3 Tab. 5 requires the three ECDSA variants).
const (
	UnknownSignatureAlgorithm SignatureAlgorithm = iota
	ECDSAWithSHA256
	ECDSAWithSHA384
	ECDSAWithSHA512
)

// String names the algorithm.
func (a SignatureAlgorithm) String() string {
	switch a {
	case ECDSAWithSHA256:
		return "ecdsa-with-SHA256"
	case ECDSAWithSHA384:
		return "ecdsa-with-SHA384"
	case ECDSAWithSHA512:
		return "ecdsa-with-SHA512"
	}
	return "unknown"
}

// Hash returns the digest of the algorithm, 0 for an unknown one.
func (a SignatureAlgorithm) Hash() crypto.Hash {
	switch a {
	case ECDSAWithSHA256:
		return crypto.SHA256
	case ECDSAWithSHA384:
		return crypto.SHA384
	case ECDSAWithSHA512:
		return crypto.SHA512
	}
	return 0
}

func signatureAlgorithmFromOID(ai pkix.AlgorithmIdentifier) SignatureAlgorithm {
	switch {
	case ai.Algorithm.Equal(oidECDSAWithSHA256):
		return ECDSAWithSHA256
	case ai.Algorithm.Equal(oidECDSAWithSHA384):
		return ECDSAWithSHA384
	case ai.Algorithm.Equal(oidECDSAWithSHA512):
		return ECDSAWithSHA512
	}
	return UnknownSignatureAlgorithm
}

type certificateASN1 struct {
	TBS                asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	SignatureValue     asn1.BitString
}

type tbsCertificateASN1 struct {
	Version            int `asn1:"optional,explicit,default:0,tag:0"`
	SerialNumber       *big.Int
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Issuer             asn1.RawValue
	Validity           validityASN1
	Subject            asn1.RawValue
	PublicKey          publicKeyInfoASN1
	IssuerUniqueID     asn1.BitString   `asn1:"optional,tag:1"`
	SubjectUniqueID    asn1.BitString   `asn1:"optional,tag:2"`
	Extensions         []pkix.Extension `asn1:"omitempty,optional,explicit,tag:3"`
}

type validityASN1 struct {
	NotBefore, NotAfter time.Time
}

type publicKeyInfoASN1 struct {
	Raw       asn1.RawContent
	Algorithm pkix.AlgorithmIdentifier
	PublicKey asn1.BitString
}

// Parse parses one DER certificate.
func Parse(der []byte) (*Certificate, error) {
	var c certificateASN1
	rest, err := asn1.Unmarshal(der, &c)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrParse, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data after certificate", ErrParse)
	}
	var tbs tbsCertificateASN1
	if rest, err := asn1.Unmarshal(c.TBS.FullBytes, &tbs); err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: tbsCertificate: %v", ErrParse, err)
	}
	if !tbs.SignatureAlgorithm.Algorithm.Equal(c.SignatureAlgorithm.Algorithm) {
		// RFC 5280 §4.1.1.2: both fields MUST be identical.
		return nil, fmt.Errorf("%w: inner and outer signature algorithms differ", ErrParse)
	}
	out := &Certificate{
		Raw:                     der[:len(der)-len(rest)],
		RawTBSCertificate:       c.TBS.FullBytes,
		RawSubjectPublicKeyInfo: tbs.PublicKey.Raw,
		RawSubject:              tbs.Subject.FullBytes,
		RawIssuer:               tbs.Issuer.FullBytes,
		Version:                 tbs.Version + 1,
		SerialNumber:            tbs.SerialNumber,
		NotBefore:               tbs.Validity.NotBefore,
		NotAfter:                tbs.Validity.NotAfter,
		SignatureAlgorithm:      signatureAlgorithmFromOID(c.SignatureAlgorithm),
		Signature:               c.SignatureValue.RightAlign(),
		Extensions:              tbs.Extensions,
		MaxPathLen:              -1,
	}
	if out.SerialNumber == nil {
		return nil, fmt.Errorf("%w: no serial number", ErrParse)
	}
	if err := parseName(tbs.Issuer.FullBytes, &out.Issuer); err != nil {
		return nil, fmt.Errorf("%w: issuer: %v", ErrParse, err)
	}
	if err := parseName(tbs.Subject.FullBytes, &out.Subject); err != nil {
		return nil, fmt.Errorf("%w: subject: %v", ErrParse, err)
	}
	out.PublicKey, out.PublicKeyCurve, err = parsePublicKey(tbs.PublicKey)
	if err != nil {
		return nil, err
	}
	if err := out.parseExtensions(); err != nil {
		return nil, err
	}
	return out, nil
}

func parseName(der []byte, n *pkix.Name) error {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &seq)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return errors.New("trailing data")
	}
	n.FillFromRDNSequence(&seq)
	return nil
}

// ParsePublicKeyInfo parses a DER SubjectPublicKeyInfo (brainpool, NIST EC or anything
// crypto/x509 knows) and returns the key and its curve name as in Certificate.
func ParsePublicKeyInfo(der []byte) (crypto.PublicKey, string, error) {
	var spki publicKeyInfoASN1
	rest, err := asn1.Unmarshal(der, &spki)
	if err != nil || len(rest) != 0 {
		return nil, "", fmt.Errorf("%w: subjectPublicKeyInfo: %v", ErrParse, err)
	}
	return parsePublicKey(spki)
}

func parsePublicKey(spki publicKeyInfoASN1) (crypto.PublicKey, string, error) {
	if !spki.Algorithm.Algorithm.Equal(oidECPublicKey) {
		k, err := x509.ParsePKIXPublicKey(spki.Raw)
		if err != nil {
			return nil, "", fmt.Errorf("%w: public key: %v", ErrParse, err)
		}
		return k, "", nil
	}
	var curveOID asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(spki.Algorithm.Parameters.FullBytes, &curveOID); err != nil || len(rest) != 0 {
		return nil, "", fmt.Errorf("%w: EC public key without a named curve", ErrParse)
	}
	point := spki.PublicKey.RightAlign()
	if c := brainpool.CurveByOID(curveOID); c != nil {
		k, err := brainpool.NewPublicKey(c, point)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s public key: %v", ErrParse, c.Name(), err)
		}
		return k, c.Name(), nil
	}
	var curve elliptic.Curve
	var ec ecdh.Curve
	switch {
	case curveOID.Equal(oidP256):
		curve, ec = elliptic.P256(), ecdh.P256()
	case curveOID.Equal(oidP384):
		curve, ec = elliptic.P384(), ecdh.P384()
	case curveOID.Equal(oidP521):
		curve, ec = elliptic.P521(), ecdh.P521()
	default:
		return nil, "", fmt.Errorf("%w: unsupported curve %v", ErrParse, curveOID)
	}
	// crypto/ecdh validates the point (on the curve, not the identity).
	if _, err := ec.NewPublicKey(point); err != nil {
		return nil, "", fmt.Errorf("%w: %s public key: %v", ErrParse, curve.Params().Name, err)
	}
	k, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s public key: %v", ErrParse, curve.Params().Name, err)
	}
	return k, curve.Params().Name, nil
}

type basicConstraintsASN1 struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authKeyIDASN1 struct {
	ID []byte `asn1:"optional,tag:0"`
}

type distributionPointASN1 struct {
	DistributionPoint asn1.RawValue  `asn1:"optional,tag:0"`
	Reason            asn1.BitString `asn1:"optional,tag:1"`
	CRLIssuer         asn1.RawValue  `asn1:"optional,tag:2"`
}

type policyInformationASN1 struct {
	Policy     asn1.ObjectIdentifier
	Qualifiers asn1.RawValue `asn1:"optional"`
}

func (c *Certificate) parseExtensions() error {
	seen := map[string]bool{}
	for _, e := range c.Extensions {
		key := e.Id.String()
		if seen[key] {
			return fmt.Errorf("%w: duplicate extension %s", ErrParse, key)
		}
		seen[key] = true
		handled := true
		var err error
		switch {
		case e.Id.Equal(oidExtSubjectKeyID):
			_, err = unmarshalAll(e.Value, &c.SubjectKeyID)
		case e.Id.Equal(oidExtAuthorityKeyID):
			var a authKeyIDASN1
			if _, err = unmarshalAll(e.Value, &a); err == nil {
				c.AuthorityKeyID = a.ID
			}
		case e.Id.Equal(oidExtKeyUsage):
			var bits asn1.BitString
			if _, err = unmarshalAll(e.Value, &bits); err == nil {
				var u int
				for i := 0; i < 9; i++ {
					if bits.At(i) != 0 {
						u |= 1 << uint(i)
					}
				}
				c.KeyUsage, c.HasKeyUsage = x509.KeyUsage(u), true
			}
		case e.Id.Equal(oidExtExtKeyUsage):
			_, err = unmarshalAll(e.Value, &c.ExtKeyUsage)
		case e.Id.Equal(oidExtBasicConstraints):
			var bc basicConstraintsASN1
			if _, err = unmarshalAll(e.Value, &bc); err == nil {
				c.BasicConstraintsValid, c.IsCA, c.MaxPathLen = true, bc.IsCA, bc.MaxPathLen
			}
		case e.Id.Equal(oidExtSubjectAltName):
			err = c.parseSAN(e.Value)
		case e.Id.Equal(oidExtCRLDistribution):
			var dps []distributionPointASN1
			if _, err = unmarshalAll(e.Value, &dps); err == nil {
				for _, dp := range dps {
					if len(dp.DistributionPoint.Bytes) == 0 {
						continue
					}
					// DistributionPointName: fullName [0] GeneralNames.
					var full asn1.RawValue
					if _, err = asn1.Unmarshal(dp.DistributionPoint.Bytes, &full); err != nil {
						break
					}
					if full.Tag == 0 {
						rest := full.Bytes
						for len(rest) > 0 {
							var gn asn1.RawValue
							if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
								break
							}
							if gn.Class == asn1.ClassContextSpecific && gn.Tag == 6 {
								c.CRLDistributionPoints = append(c.CRLDistributionPoints, string(gn.Bytes))
							}
						}
					}
				}
			}
		case e.Id.Equal(oidExtCertPolicies):
			var ps []policyInformationASN1
			if _, err = unmarshalAll(e.Value, &ps); err == nil {
				for _, p := range ps {
					c.PolicyIdentifiers = append(c.PolicyIdentifiers, p.Policy)
				}
			}
		default:
			handled = false
		}
		if err != nil {
			return fmt.Errorf("%w: extension %s: %v", ErrParse, key, err)
		}
		if !handled && e.Critical {
			c.UnhandledCriticalExtensions = append(c.UnhandledCriticalExtensions, e.Id)
		}
	}
	return nil
}

func (c *Certificate) parseSAN(der []byte) error {
	var seq asn1.RawValue
	if _, err := unmarshalAll(der, &seq); err != nil {
		return err
	}
	rest := seq.Bytes
	for len(rest) > 0 {
		var gn asn1.RawValue
		var err error
		if rest, err = asn1.Unmarshal(rest, &gn); err != nil {
			return err
		}
		if gn.Class != asn1.ClassContextSpecific {
			continue
		}
		switch gn.Tag {
		case 1:
			c.EmailAddresses = append(c.EmailAddresses, string(gn.Bytes))
		case 2:
			c.DNSNames = append(c.DNSNames, string(gn.Bytes))
		case 6:
			c.URIs = append(c.URIs, string(gn.Bytes))
		}
	}
	return nil
}

func unmarshalAll(der []byte, v any) ([]byte, error) {
	rest, err := asn1.Unmarshal(der, v)
	if err == nil && len(rest) != 0 {
		err = errors.New("trailing data")
	}
	return rest, err
}

// ParsePEM parses every CERTIFICATE block of a PEM file, in order.
func ParsePEM(data []byte) ([]*Certificate, error) {
	var out []*Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := Parse(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no CERTIFICATE block in PEM data", ErrParse)
	}
	return out, nil
}

// ComputedSKI returns the RFC 5280 §4.2.1.2 method (1) key identifier: the SHA-1 of the
// subjectPublicKey bit string. Callers use SubjectKeyID when present and this otherwise.
func (c *Certificate) ComputedSKI() []byte {
	var spki publicKeyInfoASN1
	if _, err := asn1.Unmarshal(c.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil
	}
	sum := sha1.Sum(spki.PublicKey.RightAlign())
	return sum[:]
}

// SKI returns the subject key identifier extension, or ComputedSKI when the extension is absent.
func (c *Certificate) SKI() []byte {
	if len(c.SubjectKeyID) > 0 {
		return c.SubjectKeyID
	}
	return c.ComputedSKI()
}

// CheckSignatureFrom verifies that parent's key signed c.
func (c *Certificate) CheckSignatureFrom(parent *Certificate) error {
	return CheckSignature(parent.PublicKey, c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature)
}

// ExpiresWithin reports whether c's validity ends within d after now (or has ended): the
// certificate-lifecycle alarm (RzÜ §5.3 wants successors 10 working days before expiry).
func (c *Certificate) ExpiresWithin(now time.Time, d time.Duration) bool {
	return !c.NotAfter.After(now.Add(d))
}
