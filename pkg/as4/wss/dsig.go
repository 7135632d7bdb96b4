package wss

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/c14n"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/brainpool"
)

// Algorithm URIs of the BDEW profile (Profil §2.2.6.2.1).
const (
	AlgECDSASHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
	AlgSHA256      = "http://www.w3.org/2001/04/xmlenc#sha256"
	AlgExcC14N     = c14n.Algorithm
	// TransformAttachmentContent is the SwA Profile 1.1 transform for signed MIME part contents.
	TransformAttachmentContent = "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Signature-Transform"
)

// Errors of signature processing. The ebms package maps them to ebMS error codes:
// ErrPolicy → EBMS:0103 PolicyNoncompliance; the others → EBMS:0101 FailedAuthentication.
var (
	// ErrPolicy: the message lacks the security the profile requires (no signature, an
	// algorithm other than the profile's, a required part not signed).
	ErrPolicy = errors.New("wss: security policy not met")
	// ErrSignature: the signature value does not verify.
	ErrSignature = errors.New("wss: signature invalid")
	// ErrDigest: a signed part was modified (digest mismatch).
	ErrDigest = errors.New("wss: signed part modified")
	// ErrReference: a reference cannot be resolved or is ambiguous.
	ErrReference = errors.New("wss: reference unresolvable")
	// ErrToken: the security token is missing, malformed or its certificate not accepted.
	ErrToken = errors.New("wss: security token rejected")
)

// Attachment is a MIME part as the SwA transform sees it: its Content-ID (without "cid:" and
// angle brackets) and its content after Content-Transfer-Encoding decoding.
type Attachment struct {
	ContentID string
	Data      []byte
}

// Reference is one verified (or created) ds:Reference.
type Reference struct {
	URI string
	// Element is the copy of the ds:Reference element, for NRR receipts
	// (ebbp:MessagePartNRInformation echoes it).
	Element *etree.Element
	// Target is the referenced element for same-document references (nil for cid:).
	Target *etree.Element
	// Digest is the SHA-256 digest value.
	Digest []byte
}

// rawSignatureSize is the r||s half length for a public key.
func fieldSize(pub crypto.PublicKey) (int, error) {
	switch k := pub.(type) {
	case *brainpool.PublicKey:
		return k.Curve().ByteSize(), nil
	case *ecdsa.PublicKey:
		return (k.Curve.Params().BitSize + 7) / 8, nil
	}
	return 0, fmt.Errorf("%w: unsupported key type %T", ErrPolicy, pub)
}

// derToRaw converts an ASN.1 DER ECDSA signature (what crypto.Signer returns) to the
// fixed-length r||s XMLDSig 1.1 §6.4.3 demands.
func derToRaw(der []byte, size int) ([]byte, error) {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R == nil || sig.S == nil || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return nil, errors.New("wss: signer returned a malformed ECDSA signature")
	}
	if sig.R.BitLen() > 8*size || sig.S.BitLen() > 8*size {
		return nil, errors.New("wss: ECDSA signature larger than the curve")
	}
	out := make([]byte, 2*size)
	sig.R.FillBytes(out[:size])
	sig.S.FillBytes(out[size:])
	return out, nil
}

// verifyRaw checks an r||s ECDSA signature over digest.
func verifyRaw(pub crypto.PublicKey, digest, raw []byte) error {
	size, err := fieldSize(pub)
	if err != nil {
		return err
	}
	if len(raw) != 2*size {
		return fmt.Errorf("%w: SignatureValue of %d bytes, want %d (r||s, not DER)", ErrSignature, len(raw), 2*size)
	}
	var ok bool
	switch k := pub.(type) {
	case *brainpool.PublicKey:
		ok = brainpool.VerifyP1363(k, digest, raw)
	case *ecdsa.PublicKey:
		r := new(big.Int).SetBytes(raw[:size])
		s := new(big.Int).SetBytes(raw[size:])
		ok = ecdsa.Verify(k, digest, r, s)
	}
	if !ok {
		return ErrSignature
	}
	return nil
}

// inclusivePrefixes returns the PrefixList of the ec:InclusiveNamespaces child of a Transform or
// CanonicalizationMethod element (nil for none).
func inclusivePrefixes(method *etree.Element) []string {
	if in := x.Child(method, x.NSEC, "InclusiveNamespaces"); in != nil {
		return c14n.ParsePrefixList(in.SelectAttrValue("PrefixList", ""))
	}
	return nil
}

// canonicalize applies exclusive C14N with the given InclusiveNamespaces prefixes.
func canonicalize(target *etree.Element, prefixes []string) ([]byte, error) {
	return c14n.Canonicalize(target, c14n.WithInclusivePrefixes(prefixes...))
}

func addInclusive(parent *etree.Element, prefixes []string) {
	if len(prefixes) == 0 {
		return
	}
	in := parent.CreateElement("ec:InclusiveNamespaces")
	in.CreateAttr("xmlns:ec", x.NSEC)
	in.CreateAttr("PrefixList", strings.Join(prefixes, " "))
}

// referenceSpec is a reference to create.
type referenceSpec struct {
	uri       string
	target    *etree.Element // same-document
	data      []byte         // attachment
	inclusive []string
}

func digestSpec(r referenceSpec) ([]byte, error) {
	if r.target == nil {
		sum := sha256.Sum256(r.data)
		return sum[:], nil
	}
	b, err := canonicalize(r.target, r.inclusive)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}

// buildSignature creates a ds:Signature under parent with the given references, signs it with
// key and returns the created references. keyInfo is appended as the ds:KeyInfo content.
func buildSignature(parent *etree.Element, id string, refs []referenceSpec, siInclusive []string, key crypto.Signer, rand io.Reader, keyInfo *etree.Element) ([]Reference, error) {
	size, err := fieldSize(key.Public())
	if err != nil {
		return nil, err
	}
	sig := parent.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", x.NSDS)
	if id != "" {
		sig.CreateAttr("Id", id)
	}
	si := sig.CreateElement("ds:SignedInfo")
	cm := si.CreateElement("ds:CanonicalizationMethod")
	cm.CreateAttr("Algorithm", AlgExcC14N)
	addInclusive(cm, siInclusive)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", AlgECDSASHA256)
	var out []Reference
	for _, r := range refs {
		d, err := digestSpec(r)
		if err != nil {
			return nil, err
		}
		ref := si.CreateElement("ds:Reference")
		ref.CreateAttr("URI", r.uri)
		tr := ref.CreateElement("ds:Transforms").CreateElement("ds:Transform")
		if r.target == nil {
			tr.CreateAttr("Algorithm", TransformAttachmentContent)
		} else {
			tr.CreateAttr("Algorithm", AlgExcC14N)
			addInclusive(tr, r.inclusive)
		}
		ref.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", AlgSHA256)
		ref.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(d))
		out = append(out, Reference{URI: r.uri, Element: ref, Target: r.target, Digest: d})
	}
	sv := sig.CreateElement("ds:SignatureValue")
	if keyInfo != nil {
		sig.AddChild(keyInfo)
	}
	// SignedInfo is canonicalized in place: exclusive C14N takes only the namespaces it uses.
	canon, err := canonicalize(si, siInclusive)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(canon)
	der, err := key.Sign(rand, h[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("wss: signing: %w", err)
	}
	raw, err := derToRaw(der, size)
	if err != nil {
		return nil, err
	}
	sv.SetText(base64.StdEncoding.EncodeToString(raw))
	for i := range out {
		out[i].Element = x.DetachedCopy(out[i].Element)
	}
	return out, nil
}

// VerifySignature performs XMLDSig core validation of sig (a ds:Signature element in a parsed
// document) with the public key pub under the BDEW algorithm policy: exclusive C14N for
// SignedInfo and same-document references, ecdsa-sha256 with an r||s value, SHA-256 digests,
// and for cid: references the SwA Attachment-Content-Signature-Transform over atts. Same-document
// references are resolved by wsu:Id, Id or id in doc; an ID that occurs twice is refused.
// It returns the verified references.
func VerifySignature(doc *etree.Document, sig *etree.Element, pub crypto.PublicKey, atts []Attachment) ([]Reference, error) {
	if !x.Is(sig, x.NSDS, "Signature") {
		return nil, fmt.Errorf("%w: not a ds:Signature", ErrPolicy)
	}
	si := x.Child(sig, x.NSDS, "SignedInfo")
	if si == nil {
		return nil, fmt.Errorf("%w: SignedInfo missing", ErrPolicy)
	}
	cm := x.Child(si, x.NSDS, "CanonicalizationMethod")
	if cm == nil || cm.SelectAttrValue("Algorithm", "") != AlgExcC14N {
		return nil, fmt.Errorf("%w: SignedInfo canonicalization must be %s", ErrPolicy, AlgExcC14N)
	}
	sm := x.Child(si, x.NSDS, "SignatureMethod")
	if sm == nil || sm.SelectAttrValue("Algorithm", "") != AlgECDSASHA256 {
		return nil, fmt.Errorf("%w: signature method must be %s", ErrPolicy, AlgECDSASHA256)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(x.Text(x.Child(sig, x.NSDS, "SignatureValue"))), ""))
	if err != nil || len(raw) == 0 {
		return nil, fmt.Errorf("%w: SignatureValue missing or not base64", ErrSignature)
	}
	canon, err := canonicalize(si, inclusivePrefixes(cm))
	if err != nil {
		return nil, fmt.Errorf("%w: SignedInfo: %v", ErrSignature, err)
	}
	h := sha256.Sum256(canon)
	if err := verifyRaw(pub, h[:], raw); err != nil {
		return nil, err
	}
	// The signature over SignedInfo holds; now every reference must match.
	ids := x.IndexIDs(doc.Root())
	byCID := map[string][]byte{}
	for _, a := range atts {
		byCID[a.ContentID] = a.Data
	}
	var out []Reference
	refs := x.Children(si, x.NSDS, "Reference")
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w: SignedInfo has no Reference", ErrPolicy)
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		uri := ref.SelectAttrValue("URI", "")
		if seen[uri] {
			return nil, fmt.Errorf("%w: reference %q twice", ErrReference, uri)
		}
		seen[uri] = true
		dm := x.Child(ref, x.NSDS, "DigestMethod")
		if dm == nil || dm.SelectAttrValue("Algorithm", "") != AlgSHA256 {
			return nil, fmt.Errorf("%w: reference %q digest must be %s", ErrPolicy, uri, AlgSHA256)
		}
		want, err := base64.StdEncoding.DecodeString(x.Text(x.Child(ref, x.NSDS, "DigestValue")))
		if err != nil || len(want) != sha256.Size {
			return nil, fmt.Errorf("%w: reference %q: bad DigestValue", ErrDigest, uri)
		}
		transforms := x.Children(x.Child(ref, x.NSDS, "Transforms"), x.NSDS, "Transform")
		var got []byte
		var target *etree.Element
		switch {
		case strings.HasPrefix(uri, "#"):
			id := uri[1:]
			if ids.Dups[id] {
				return nil, fmt.Errorf("%w: Id %q occurs more than once", ErrReference, id)
			}
			target = ids.ByID[id]
			if target == nil {
				return nil, fmt.Errorf("%w: no element with Id %q", ErrReference, id)
			}
			if len(transforms) != 1 || transforms[0].SelectAttrValue("Algorithm", "") != AlgExcC14N {
				return nil, fmt.Errorf("%w: reference %q must have exactly the exclusive C14N transform", ErrPolicy, uri)
			}
			b, err := canonicalize(target, inclusivePrefixes(transforms[0]))
			if err != nil {
				return nil, fmt.Errorf("%w: reference %q: %v", ErrDigest, uri, err)
			}
			sum := sha256.Sum256(b)
			got = sum[:]
		case strings.HasPrefix(uri, "cid:"):
			data, ok := byCID[uri[4:]]
			if !ok {
				return nil, fmt.Errorf("%w: no MIME part %q", ErrReference, uri)
			}
			if len(transforms) != 1 || transforms[0].SelectAttrValue("Algorithm", "") != TransformAttachmentContent {
				return nil, fmt.Errorf("%w: reference %q must have exactly the %s transform", ErrPolicy, uri, TransformAttachmentContent)
			}
			sum := sha256.Sum256(data)
			got = sum[:]
		default:
			return nil, fmt.Errorf("%w: reference URI %q is neither #id nor cid:", ErrPolicy, uri)
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return nil, fmt.Errorf("%w: reference %q", ErrDigest, uri)
		}
		out = append(out, Reference{URI: uri, Element: x.DetachedCopy(ref), Target: target, Digest: got})
	}
	return out, nil
}

// sameBytes is bytes.Equal, named for readability at call sites comparing certificates.
func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }
