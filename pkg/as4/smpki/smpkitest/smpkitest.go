// Package smpkitest issues SM-PKI-shaped certificates and CRLs for tests: brainpool (via
// pkg/brainpool) or NIST (crypto/ecdsa) keys, signed by any crypto.Signer. crypto/x509 cannot
// create certificates for brainpool keys, so the DER is assembled with encoding/asn1.
//
// It is test support: nothing in production code issues certificates.
package smpkitest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/brainpool"
)

// Template describes a certificate to issue.
type Template struct {
	SerialNumber *big.Int
	Subject      pkix.Name
	NotBefore    time.Time
	NotAfter     time.Time
	IsCA         bool
	// MaxPathLen is the pathLenConstraint of a CA; negative for none.
	MaxPathLen int
	KeyUsage   x509.KeyUsage
	// NoSubjectKeyID omits the SKI extension (it is computed by RFC 5280 method 1 otherwise).
	NoSubjectKeyID        bool
	CRLDistributionPoints []string
	DNSNames              []string
	ExtraExtensions       []pkix.Extension
}

var (
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
)

// MarshalPublicKey returns the DER SubjectPublicKeyInfo of a brainpool or NIST EC public key.
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	switch k := pub.(type) {
	case *brainpool.PublicKey:
		return brainpool.MarshalPKIXPublicKey(k)
	case *ecdsa.PublicKey:
		return x509.MarshalPKIXPublicKey(k)
	}
	return nil, fmt.Errorf("smpkitest: unsupported public key %T", pub)
}

// signatureAlgorithm picks ECDSA with the hash matching the signer's key size, as the SM-PKI
// does (P256 → SHA-256, P384 → SHA-384, P512/P521 → SHA-512).
func signatureAlgorithm(signer crypto.Signer) (pkix.AlgorithmIdentifier, crypto.Hash, error) {
	var bits int
	switch k := signer.Public().(type) {
	case *brainpool.PublicKey:
		bits = k.Curve().BitSize()
	case *ecdsa.PublicKey:
		bits = k.Curve.Params().BitSize
	default:
		return pkix.AlgorithmIdentifier{}, 0, fmt.Errorf("smpkitest: unsupported signer key %T", k)
	}
	switch {
	case bits <= 256:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA256}, crypto.SHA256, nil
	case bits <= 384:
		return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA384}, crypto.SHA384, nil
	}
	return pkix.AlgorithmIdentifier{Algorithm: oidECDSAWithSHA512}, crypto.SHA512, nil
}

type tbsCertificate struct {
	Version            int `asn1:"explicit,tag:0"`
	SerialNumber       *big.Int
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Issuer             asn1.RawValue
	Validity           validity
	Subject            asn1.RawValue
	PublicKey          asn1.RawValue
	Extensions         []pkix.Extension `asn1:"explicit,tag:3"`
}

type validity struct{ NotBefore, NotAfter time.Time }

type signed struct {
	TBS                asn1.RawValue
	SignatureAlgorithm pkix.AlgorithmIdentifier
	Signature          asn1.BitString
}

type basicConstraints struct {
	IsCA       bool `asn1:"optional"`
	MaxPathLen int  `asn1:"optional,default:-1"`
}

type authKeyID struct {
	ID []byte `asn1:"optional,tag:0"`
}

// CreateCertificate issues a certificate for pub. parent is the issuing CA (nil for a
// self-signed root, in which case signer must hold the key of pub).
func CreateCertificate(t *Template, pub crypto.PublicKey, parent *smpki.Certificate, signer crypto.Signer) ([]byte, error) {
	spki, err := MarshalPublicKey(pub)
	if err != nil {
		return nil, err
	}
	subject, err := asn1.Marshal(t.Subject.ToRDNSequence())
	if err != nil {
		return nil, err
	}
	issuer := subject
	var aki []byte
	if parent != nil {
		issuer = parent.RawSubject
		aki = parent.SKI()
	}
	algo, hash, err := signatureAlgorithm(signer)
	if err != nil {
		return nil, err
	}
	var exts []pkix.Extension
	add := func(id asn1.ObjectIdentifier, critical bool, v any) error {
		b, err := asn1.Marshal(v)
		if err != nil {
			return err
		}
		exts = append(exts, pkix.Extension{Id: id, Critical: critical, Value: b})
		return nil
	}
	var ski []byte
	if !t.NoSubjectKeyID {
		var s struct {
			Algo asn1.RawValue
			Key  asn1.BitString
		}
		if _, err := asn1.Unmarshal(spki, &s); err != nil {
			return nil, err
		}
		sum := sha1.Sum(s.Key.Bytes)
		ski = sum[:]
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 14}, false, ski); err != nil {
			return nil, err
		}
	}
	if parent == nil {
		aki = ski
	}
	if len(aki) > 0 {
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 35}, false, authKeyID{ID: aki}); err != nil {
			return nil, err
		}
	}
	if t.KeyUsage != 0 {
		var bits asn1.BitString
		bits.Bytes = make([]byte, 2)
		bits.BitLength = 0
		for i := 0; i < 9; i++ {
			if t.KeyUsage&(1<<uint(i)) != 0 {
				bits.Bytes[i/8] |= 0x80 >> uint(i%8)
				bits.BitLength = i + 1
			}
		}
		bits.Bytes = bits.Bytes[:(bits.BitLength+7)/8]
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 15}, true, bits); err != nil {
			return nil, err
		}
	}
	if t.IsCA {
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 19}, true, basicConstraints{IsCA: true, MaxPathLen: t.MaxPathLen}); err != nil {
			return nil, err
		}
	}
	if len(t.DNSNames) > 0 {
		var names []asn1.RawValue
		for _, n := range t.DNSNames {
			names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(n)})
		}
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 17}, false, names); err != nil {
			return nil, err
		}
	}
	if len(t.CRLDistributionPoints) > 0 {
		type dp struct {
			Name asn1.RawValue `asn1:"optional,tag:0"`
		}
		var dps []dp
		for _, u := range t.CRLDistributionPoints {
			gn, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 6, Bytes: []byte(u)})
			full, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: gn})
			dps = append(dps, dp{Name: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: full}})
		}
		if err := add(asn1.ObjectIdentifier{2, 5, 29, 31}, false, dps); err != nil {
			return nil, err
		}
	}
	exts = append(exts, t.ExtraExtensions...)
	serial := t.SerialNumber
	if serial == nil {
		serial = big.NewInt(1)
	}
	tbs, err := asn1.Marshal(tbsCertificate{
		Version:            2,
		SerialNumber:       serial,
		SignatureAlgorithm: algo,
		Issuer:             asn1.RawValue{FullBytes: issuer},
		Validity:           validity{t.NotBefore.UTC(), t.NotAfter.UTC()},
		Subject:            asn1.RawValue{FullBytes: subject},
		PublicKey:          asn1.RawValue{FullBytes: spki},
		Extensions:         exts,
	})
	if err != nil {
		return nil, err
	}
	return sign(tbs, algo, hash, signer)
}

func sign(tbs []byte, algo pkix.AlgorithmIdentifier, hash crypto.Hash, signer crypto.Signer) ([]byte, error) {
	h := hash.New()
	h.Write(tbs)
	sig, err := signer.Sign(rand.Reader, h.Sum(nil), hash)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(signed{
		TBS:                asn1.RawValue{FullBytes: tbs},
		SignatureAlgorithm: algo,
		Signature:          asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)},
	})
}

// Revoked is one CRL entry.
type Revoked struct {
	SerialNumber *big.Int
	RevokedAt    time.Time
}

type revokedEntry struct {
	Serial *big.Int
	At     time.Time
}

type tbsCRL struct {
	Version    int
	Algo       pkix.AlgorithmIdentifier
	Issuer     asn1.RawValue
	ThisUpdate time.Time
	NextUpdate time.Time
	Revoked    []revokedEntry   `asn1:"optional,omitempty"`
	Extensions []pkix.Extension `asn1:"explicit,tag:0"`
}

// CreateCRL issues a v2 CRL of issuer (whose key signer holds) listing revoked.
func CreateCRL(issuer *smpki.Certificate, signer crypto.Signer, number int64, thisUpdate, nextUpdate time.Time, revoked []Revoked) ([]byte, error) {
	algo, hash, err := signatureAlgorithm(signer)
	if err != nil {
		return nil, err
	}
	aki, _ := asn1.Marshal(authKeyID{ID: issuer.SKI()})
	num, _ := asn1.Marshal(big.NewInt(number))
	var entries []revokedEntry
	for _, r := range revoked {
		entries = append(entries, revokedEntry{r.SerialNumber, r.RevokedAt.UTC()})
	}
	tbs, err := asn1.Marshal(tbsCRL{
		Version:    1,
		Algo:       algo,
		Issuer:     asn1.RawValue{FullBytes: issuer.RawSubject},
		ThisUpdate: thisUpdate.UTC(),
		NextUpdate: nextUpdate.UTC(),
		Revoked:    entries,
		Extensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{2, 5, 29, 35}, Value: aki},
			{Id: asn1.ObjectIdentifier{2, 5, 29, 20}, Value: num},
		},
	})
	if err != nil {
		return nil, err
	}
	return sign(tbs, algo, hash, signer)
}

// Identity is a key with its certificate.
type Identity struct {
	Key  crypto.Signer
	Cert *smpki.Certificate
}

// PKI is a small SM-PKI: a brainpoolP384r1 root, a brainpoolP256r1 Sub-CA and helpers to issue
// EMT.MAK end-entity certificates, as TR-03116-3 Tab. 5 describes the real one.
type PKI struct {
	Root, SubCA Identity
	serial      int64
}

// NewPKI creates the root and Sub-CA, valid from notBefore for ten years.
func NewPKI(notBefore time.Time) (*PKI, error) {
	rootKey, err := brainpool.GenerateKey(brainpool.P384r1(), rand.Reader)
	if err != nil {
		return nil, err
	}
	notAfter := notBefore.AddDate(10, 0, 0)
	rootDER, err := CreateCertificate(&Template{SerialNumber: big.NewInt(1), Subject: pkix.Name{Country: []string{"DE"}, Organization: []string{"Test SM-PKI"}, CommonName: "SM-Test-Root.CA"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, MaxPathLen: 1, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, rootKey.Public(), nil, rootKey)
	if err != nil {
		return nil, err
	}
	root, err := smpki.Parse(rootDER)
	if err != nil {
		return nil, err
	}
	subKey, err := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	if err != nil {
		return nil, err
	}
	subDER, err := CreateCertificate(&Template{SerialNumber: big.NewInt(2), Subject: pkix.Name{Country: []string{"DE"}, Organization: []string{"Test Sub-CA"}, CommonName: "TEST.EMT.MAK-CA"},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, MaxPathLen: 0, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{"http://crl.example.test/sub.crl"}}, subKey.Public(), root, rootKey)
	if err != nil {
		return nil, err
	}
	sub, err := smpki.Parse(subDER)
	if err != nil {
		return nil, err
	}
	return &PKI{Root: Identity{rootKey, root}, SubCA: Identity{subKey, sub}, serial: 100}, nil
}

// Issue creates a brainpoolP256r1 end-entity certificate from the Sub-CA for the market
// partner mpID with the given CN (e.g. "lf.EMT.MAK") and key usage.
func (p *PKI) Issue(mpID, cn string, usage x509.KeyUsage, notBefore, notAfter time.Time) (Identity, error) {
	key, err := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	if err != nil {
		return Identity{}, err
	}
	return p.IssueFor(key, mpID, cn, usage, notBefore, notAfter)
}

// IssueFor is Issue for a caller-supplied key (brainpool or NIST).
func (p *PKI) IssueFor(key crypto.Signer, mpID, cn string, usage x509.KeyUsage, notBefore, notAfter time.Time) (Identity, error) {
	if p == nil {
		return Identity{}, errors.New("smpkitest: nil PKI")
	}
	p.serial++
	der, err := CreateCertificate(&Template{SerialNumber: big.NewInt(p.serial),
		Subject:   pkix.Name{Country: []string{"DE"}, Organization: []string{"Test Marktpartner"}, OrganizationalUnit: []string{mpID}, CommonName: cn},
		NotBefore: notBefore, NotAfter: notAfter, MaxPathLen: -1, KeyUsage: usage, DNSNames: []string{"as4.example.test"}}, key.Public(), p.SubCA.Cert, p.SubCA.Key)
	if err != nil {
		return Identity{}, err
	}
	c, err := smpki.Parse(der)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Key: key, Cert: c}, nil
}

// NewP256Key returns a NIST P-256 key, for interop tests with tools without brainpool.
func NewP256Key() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
