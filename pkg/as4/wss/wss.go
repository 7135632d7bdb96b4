// Package wss implements WS-Security 1.1.1 for SOAP 1.2 ebMS3 envelopes as the BDEW AS4 profile
// demands (Profil §2.2.6.2, Technischer FAQ AS4, as4.md §4–§5):
//
//   - signing with XMLDSig: exclusive C14N, SHA-256, ECDSA-SHA256 with an r||s SignatureValue,
//     references to the eb:Messaging header, the SOAP Body and each cid: attachment (SwA
//     Attachment-Content-Signature-Transform), and a wsse:BinarySecurityToken (X509PKIPathv1 by
//     default, X509v3 on request) referenced directly from the KeyInfo;
//   - verification that refuses unsigned messages, algorithms other than the profile's,
//     modified or unsigned parts, missing required references and ambiguous Ids;
//   - encryption and decryption of the attachments with XMLEnc 1.1 (package xmlenc), the
//     EncryptedKey naming the recipient certificate by X509SKI.
//
// Signing takes a crypto.Signer, so the key may live in an HSM (PKCS#11); decryption takes an
// xmlenc.KeyAgreementKey for the same reason.
package wss

import (
	"crypto"
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/beevik/etree"

	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
)

// Token value types of the X.509 Token Profile 1.1.1.
const (
	ValueTypePKIPath = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509PKIPathv1"
	ValueTypeX509v3  = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
	encodingBase64   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// TokenType selects the BinarySecurityToken format.
type TokenType int

const (
	// TokenPKIPath is the profile's choice (Profil §2.2.6.2.1, §2.3.4.3): a DER PkiPath
	// (ITU-T X.509 10/2019), ordered from the certificate issued by the trust anchor to the
	// end entity (end entity last).
	TokenPKIPath TokenType = iota
	// TokenX509v3 carries only the end-entity certificate (what phase4 sends with non-BDEW
	// profiles); accepted by the verifier only when enabled.
	TokenX509v3
)

func (t TokenType) valueType() string {
	if t == TokenX509v3 {
		return ValueTypeX509v3
	}
	return ValueTypePKIPath
}

// Signer signs ebMS3 envelopes. It is safe for concurrent use if its crypto.Signer is.
type Signer struct {
	key       crypto.Signer
	chain     []*smpki.Certificate
	token     TokenType
	inclusive []string
	signBody  bool
	rand      io.Reader
	newID     func() string
}

// SignerOption configures a Signer.
type SignerOption func(*Signer)

// WithToken selects the BinarySecurityToken format (default TokenPKIPath).
func WithToken(t TokenType) SignerOption { return func(s *Signer) { s.token = t } }

// WithInclusivePrefixes sets an InclusiveNamespaces PrefixList for the SignedInfo
// canonicalization and the eb:Messaging reference (phase4 uses "S12"). Default: none.
func WithInclusivePrefixes(p ...string) SignerOption {
	return func(s *Signer) { s.inclusive = p }
}

// WithoutBodySignature leaves the (empty) SOAP Body unsigned. The FAQ says the Body SHOULD be
// signed, so it is signed by default.
func WithoutBodySignature() SignerOption { return func(s *Signer) { s.signBody = false } }

// WithRand sets the randomness for ECDSA nonces passed to the crypto.Signer and for Ids.
func WithRand(r io.Reader) SignerOption { return func(s *Signer) { s.rand = r } }

// WithIDGenerator sets the generator of wsu:Id values (default: random hex).
func WithIDGenerator(f func() string) SignerOption { return func(s *Signer) { s.newID = f } }

// ErrConfig reports an unusable Signer or Verifier configuration.
var ErrConfig = errors.New("wss: invalid configuration")

// NewSigner returns a Signer for key, whose certificate is chain[0]; chain may continue with
// the Sub-CA (and root) certificates to put into the PkiPath token.
func NewSigner(key crypto.Signer, chain []*smpki.Certificate, opts ...SignerOption) (*Signer, error) {
	if key == nil || len(chain) == 0 {
		return nil, fmt.Errorf("%w: a key and its certificate are required", ErrConfig)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if eq, ok := key.Public().(equaler); !ok || !eq.Equal(chain[0].PublicKey) {
		return nil, fmt.Errorf("%w: the key does not belong to certificate %q", ErrConfig, chain[0].Subject.String())
	}
	if _, err := fieldSize(key.Public()); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	s := &Signer{key: key, chain: chain, signBody: true, rand: rand.Reader}
	for _, o := range opts {
		o(s)
	}
	if s.newID == nil {
		r := s.rand
		s.newID = func() string {
			b := make([]byte, 16)
			if _, err := io.ReadFull(r, b); err != nil {
				panic("wss: randomness source failed: " + err.Error())
			}
			return hex.EncodeToString(b)
		}
	}
	return s, nil
}

// envelope locates the SOAP 1.2 parts of doc.
type envelope struct {
	env, header, body, messaging *etree.Element
}

func findEnvelope(doc *etree.Document) (*envelope, error) {
	env := doc.Root()
	if !x.Is(env, x.NSSOAP12, "Envelope") {
		return nil, fmt.Errorf("%w: root is not a SOAP 1.2 Envelope", ErrPolicy)
	}
	e := &envelope{env: env}
	headers := x.Children(env, x.NSSOAP12, "Header")
	bodies := x.Children(env, x.NSSOAP12, "Body")
	if len(headers) != 1 || len(bodies) != 1 {
		return nil, fmt.Errorf("%w: envelope needs exactly one Header and one Body", ErrPolicy)
	}
	e.header, e.body = headers[0], bodies[0]
	ms := x.Children(e.header, x.NSEB, "Messaging")
	if len(ms) != 1 {
		return nil, fmt.Errorf("%w: header needs exactly one eb:Messaging, has %d", ErrPolicy, len(ms))
	}
	e.messaging = ms[0]
	return e, nil
}

// elementID returns el's wsu:Id, Id or id.
func elementID(el *etree.Element) string {
	if v, ok := x.AttrNS(el, x.NSWSU, "Id"); ok {
		return v
	}
	for _, k := range []string{"Id", "id"} {
		if v, ok := x.AttrNS(el, "", k); ok {
			return v
		}
	}
	return ""
}

// ensureID gives el a wsu:Id if it has no Id yet and returns the Id.
func (s *Signer) ensureID(el *etree.Element, prefix string) string {
	if id := elementID(el); id != "" {
		return id
	}
	id := prefix + s.newID()
	p := "wsu"
	if uri, ok := lookupPrefix(el, p); !ok || uri != x.NSWSU {
		if ok {
			p = "wsu1"
		}
		el.CreateAttr("xmlns:"+p, x.NSWSU)
	}
	el.CreateAttr(p+":Id", id)
	return id
}

func lookupPrefix(el *etree.Element, prefix string) (string, bool) {
	for e := el; e != nil; e = e.Parent() {
		for _, a := range e.Attr {
			if a.Space == "xmlns" && a.Key == prefix {
				return a.Value, true
			}
		}
	}
	return "", false
}

// securityHeader returns the wsse:Security header, creating it (mustUnderstand="true") first
// in the Header when absent.
func securityHeader(e *envelope, create bool) (*etree.Element, error) {
	secs := x.Children(e.header, x.NSWSSE, "Security")
	if len(secs) > 1 {
		return nil, fmt.Errorf("%w: %d wsse:Security headers", ErrPolicy, len(secs))
	}
	if len(secs) == 1 {
		return secs[0], nil
	}
	if !create {
		return nil, fmt.Errorf("%w: no wsse:Security header (unsigned message)", ErrPolicy)
	}
	sec := etree.NewElement("wsse:Security")
	sec.CreateAttr("xmlns:wsse", x.NSWSSE)
	sec.CreateAttr("xmlns:wsu", x.NSWSU)
	soap := e.env.Space
	if uri, ok := lookupPrefix(e.env, soap); soap == "" || !ok || uri != x.NSSOAP12 {
		soap = "S12"
		sec.CreateAttr("xmlns:S12", x.NSSOAP12)
	}
	sec.CreateAttr(soap+":mustUnderstand", "true")
	e.header.InsertChildAt(0, sec)
	return sec, nil
}

// preserveOnWrite makes doc's serialization keep every character the signature covers: CR in
// text and TAB/LF/CR in attribute values are written as character references, which a parser
// (unlike literal ones) does not normalize away. Sign and EncryptAttachments set it.
func preserveOnWrite(doc *etree.Document) {
	doc.WriteSettings.CanonicalText = true
	doc.WriteSettings.CanonicalAttrVal = true
}

// existingSecurity locates the envelope and its wsse:Security header, which must exist.
func existingSecurity(doc *etree.Document) (*envelope, *etree.Element, error) {
	e, err := findEnvelope(doc)
	if err != nil {
		return nil, nil, err
	}
	sec, err := securityHeader(e, false)
	return e, sec, err
}

// MarshalPKIPath encodes a PkiPath: the certificates in the order given (trust-anchor side
// first, end entity last).
func MarshalPKIPath(certs []*smpki.Certificate) ([]byte, error) {
	raws := make([]asn1.RawValue, len(certs))
	for i, c := range certs {
		raws[i] = asn1.RawValue{FullBytes: c.Raw}
	}
	return asn1.Marshal(raws)
}

// ParsePKIPath decodes a PkiPath into its certificates, in encoded order.
func ParsePKIPath(der []byte) ([]*smpki.Certificate, error) {
	var raws []asn1.RawValue
	rest, err := asn1.Unmarshal(der, &raws)
	if err != nil || len(rest) != 0 {
		return nil, fmt.Errorf("%w: PkiPath: not a DER SEQUENCE OF Certificate", ErrToken)
	}
	if len(raws) == 0 {
		return nil, fmt.Errorf("%w: empty PkiPath", ErrToken)
	}
	out := make([]*smpki.Certificate, len(raws))
	for i, r := range raws {
		c, err := smpki.Parse(r.FullBytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PkiPath certificate %d: %v", ErrToken, i, err)
		}
		out[i] = c
	}
	return out, nil
}

// EndEntity picks the end-entity certificate of a token's certificates: the one that issued
// none of the others. PkiPath puts it last; this also accepts the reversed (TLS-style) order
// some implementations write, since the order is one of the open points of as4.md §16.
func EndEntity(certs []*smpki.Certificate) (*smpki.Certificate, error) {
	var leaf *smpki.Certificate
	for _, c := range certs {
		issuer := false
		for _, o := range certs {
			if o != c && sameBytes(o.RawIssuer, c.RawSubject) && !sameBytes(o.RawSubject, c.RawSubject) {
				issuer = true
				break
			}
		}
		if !issuer {
			if leaf != nil {
				return nil, fmt.Errorf("%w: token certificates do not form one path", ErrToken)
			}
			leaf = c
		}
	}
	if leaf == nil {
		return nil, fmt.Errorf("%w: no end-entity certificate in token", ErrToken)
	}
	return leaf, nil
}

// Sign signs doc (a SOAP 1.2 ebMS3 envelope) in place: wsu:Ids on eb:Messaging and Body when
// they have none, a wsse:Security header with the BinarySecurityToken and a ds:Signature over
// eb:Messaging, the Body (unless disabled) and every attachment. It returns the references, for
// matching the partner's NRR receipt later. Sign first, then encrypt (Profil §2.2.6.2).
func (s *Signer) Sign(doc *etree.Document, atts []Attachment) ([]Reference, error) {
	e, err := findEnvelope(doc)
	if err != nil {
		return nil, err
	}
	preserveOnWrite(doc)
	sec, err := securityHeader(e, true)
	if err != nil {
		return nil, err
	}
	if len(x.Children(sec, x.NSDS, "Signature")) > 0 {
		return nil, fmt.Errorf("%w: envelope is already signed", ErrConfig)
	}
	specs := []referenceSpec{{uri: "#" + s.ensureID(e.messaging, "msg-"), target: e.messaging, inclusive: s.inclusive}}
	if s.signBody {
		specs = append(specs, referenceSpec{uri: "#" + s.ensureID(e.body, "body-"), target: e.body})
	}
	for _, a := range atts {
		if a.ContentID == "" || strings.ContainsAny(a.ContentID, "<> ") {
			return nil, fmt.Errorf("%w: attachment Content-ID %q", ErrConfig, a.ContentID)
		}
		specs = append(specs, referenceSpec{uri: "cid:" + a.ContentID, data: a.Data})
	}

	var der []byte
	if s.token == TokenX509v3 {
		der = s.chain[0].Raw
	} else {
		path := make([]*smpki.Certificate, len(s.chain))
		for i, c := range s.chain {
			path[len(s.chain)-1-i] = c
		}
		if der, err = MarshalPKIPath(path); err != nil {
			return nil, err
		}
	}
	tokenID := "X509-" + s.newID()
	bst := etree.NewElement("wsse:BinarySecurityToken")
	bst.CreateAttr("xmlns:wsse", x.NSWSSE)
	bst.CreateAttr("xmlns:wsu", x.NSWSU)
	bst.CreateAttr("EncodingType", encodingBase64)
	bst.CreateAttr("ValueType", s.token.valueType())
	bst.CreateAttr("wsu:Id", tokenID)
	bst.SetText(base64.StdEncoding.EncodeToString(der))
	sec.AddChild(bst)

	ki := etree.NewElement("ds:KeyInfo")
	str := ki.CreateElement("wsse:SecurityTokenReference")
	str.CreateAttr("xmlns:wsse", x.NSWSSE)
	ref := str.CreateElement("wsse:Reference")
	ref.CreateAttr("URI", "#"+tokenID)
	ref.CreateAttr("ValueType", s.token.valueType())
	return buildSignature(sec, "SIG-"+s.newID(), specs, s.inclusive, s.key, s.rand, ki)
}

// CertificateCheck decides whether the signer's certificate is acceptable: chain validation to
// the SM-PKI roots, revocation, EMT.MAK and OU = From/PartyId. path holds all token
// certificates (for use as intermediates). It is mandatory: a Verifier without it cannot exist.
type CertificateCheck func(leaf *smpki.Certificate, path []*smpki.Certificate) error

// Verifier checks signed ebMS3 envelopes.
type Verifier struct {
	check       CertificateCheck
	tokens      map[string]bool
	requireBody bool
}

// VerifierOption configures a Verifier.
type VerifierOption func(*Verifier)

// WithAcceptX509v3 additionally accepts X509v3 tokens (a single certificate); by default only
// the profile's X509PKIPathv1 is accepted.
func WithAcceptX509v3() VerifierOption {
	return func(v *Verifier) { v.tokens[ValueTypeX509v3] = true }
}

// WithRequireBodySignature makes a signature that does not cover the SOAP Body a policy
// failure. The FAQ makes Body signing a SHOULD, so by default it is not required (but a Body
// reference present must verify).
func WithRequireBodySignature() VerifierOption { return func(v *Verifier) { v.requireBody = true } }

// NewVerifier returns a Verifier that accepts a signer certificate only if check approves it.
func NewVerifier(check CertificateCheck, opts ...VerifierOption) (*Verifier, error) {
	if check == nil {
		return nil, fmt.Errorf("%w: a certificate check is required", ErrConfig)
	}
	v := &Verifier{check: check, tokens: map[string]bool{ValueTypePKIPath: true}}
	for _, o := range opts {
		o(v)
	}
	return v, nil
}

// Verified is the outcome of a successful verification.
type Verified struct {
	// Certificate is the signer's end-entity certificate, Path all token certificates.
	Certificate *smpki.Certificate
	Path        []*smpki.Certificate
	// References are the verified references (for the NRR receipt).
	References []Reference
}

// Verify checks the signature of doc over its eb:Messaging header, Body (if required) and every
// attachment in atts (contents after decryption): exactly one wsse:Security header with exactly
// one ds:Signature, a BinarySecurityToken referenced from its KeyInfo, the certificate accepted
// by the CertificateCheck, the BDEW algorithms, every digest, and no attachment left unsigned.
func (v *Verifier) Verify(doc *etree.Document, atts []Attachment) (*Verified, error) {
	e, sec, err := existingSecurity(doc)
	if err != nil {
		return nil, err
	}
	sigs := x.Children(sec, x.NSDS, "Signature")
	if len(sigs) != 1 {
		return nil, fmt.Errorf("%w: wsse:Security holds %d signatures, want 1", ErrPolicy, len(sigs))
	}
	sig := sigs[0]
	leaf, path, err := v.token(sec, sig)
	if err != nil {
		return nil, err
	}
	if err := v.check(leaf, path); err != nil {
		return nil, fmt.Errorf("%w: signer certificate %q: %w", ErrToken, leaf.Subject.String(), err)
	}
	refs, err := VerifySignature(doc, sig, leaf.PublicKey, atts)
	if err != nil {
		return nil, err
	}
	var msgSigned, bodySigned bool
	cids := map[string]bool{}
	for _, r := range refs {
		switch {
		case r.Target == e.messaging:
			msgSigned = true
		case r.Target == e.body:
			bodySigned = true
		case r.Target == nil:
			cids[strings.TrimPrefix(r.URI, "cid:")] = true
		case within(r.Target, sec):
			// WSS4J-based peers may also sign the token or a wsu:Timestamp: harmless.
		default:
			return nil, fmt.Errorf("%w: reference %q points outside eb:Messaging, Body and the Security header", ErrPolicy, r.URI)
		}
	}
	if !msgSigned {
		return nil, fmt.Errorf("%w: eb:Messaging header is not signed", ErrPolicy)
	}
	if v.requireBody && !bodySigned {
		return nil, fmt.Errorf("%w: SOAP Body is not signed", ErrPolicy)
	}
	for _, a := range atts {
		if !cids[a.ContentID] {
			return nil, fmt.Errorf("%w: attachment %q is not signed", ErrPolicy, a.ContentID)
		}
	}
	return &Verified{Certificate: leaf, Path: path, References: refs}, nil
}

// within reports whether el is anc or one of its descendants.
func within(el, anc *etree.Element) bool {
	for e := el; e != nil; e = e.Parent() {
		if e == anc {
			return true
		}
	}
	return false
}

func (v *Verifier) token(sec, sig *etree.Element) (*smpki.Certificate, []*smpki.Certificate, error) {
	ref := x.Path(sig, [2]string{x.NSDS, "KeyInfo"}, [2]string{x.NSWSSE, "SecurityTokenReference"}, [2]string{x.NSWSSE, "Reference"})
	if ref == nil {
		return nil, nil, fmt.Errorf("%w: KeyInfo has no wsse:SecurityTokenReference/Reference", ErrToken)
	}
	uri := ref.SelectAttrValue("URI", "")
	if !strings.HasPrefix(uri, "#") {
		return nil, nil, fmt.Errorf("%w: token reference %q is not local", ErrToken, uri)
	}
	var bst *etree.Element
	for _, b := range x.Children(sec, x.NSWSSE, "BinarySecurityToken") {
		if elementID(b) == uri[1:] {
			if bst != nil {
				return nil, nil, fmt.Errorf("%w: token Id %q twice", ErrToken, uri)
			}
			bst = b
		}
	}
	if bst == nil {
		return nil, nil, fmt.Errorf("%w: no BinarySecurityToken %q in the Security header", ErrToken, uri)
	}
	vt := bst.SelectAttrValue("ValueType", "")
	if !v.tokens[vt] {
		return nil, nil, fmt.Errorf("%w: token ValueType %q not accepted", ErrPolicy, vt)
	}
	if et := bst.SelectAttrValue("EncodingType", encodingBase64); et != encodingBase64 {
		return nil, nil, fmt.Errorf("%w: token EncodingType %q", ErrToken, et)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(bst.Text()), ""))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: token is not base64", ErrToken)
	}
	if vt == ValueTypeX509v3 {
		c, err := smpki.Parse(der)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrToken, err)
		}
		return c, []*smpki.Certificate{c}, nil
	}
	path, err := ParsePKIPath(der)
	if err != nil {
		return nil, nil, err
	}
	leaf, err := EndEntity(path)
	if err != nil {
		return nil, nil, err
	}
	return leaf, path, nil
}

// EncryptAttachments encrypts the attachments for the recipient's encryption certificate
// (ECDH-ES on its key; X509SKI names it) and inserts the xenc:EncryptedKey and the
// xenc:EncryptedData elements at the top of the wsse:Security header, before the signature, as
// a receiver must process them first. It returns the ciphertexts to send in the MIME parts, in
// the order of atts; each part's Content-Type becomes application/octet-stream.
func EncryptAttachments(doc *etree.Document, recipient *smpki.Certificate, atts []xmlenc.Attachment, o *xmlenc.Options) ([][]byte, error) {
	e, err := findEnvelope(doc)
	if err != nil {
		return nil, err
	}
	sec, err := securityHeader(e, true)
	if err != nil {
		return nil, err
	}
	preserveOnWrite(doc)
	prefix := "enc-" + hex.EncodeToString(randomBytes(o, 8)) + "-"
	enc, err := xmlenc.EncryptAttachments(recipient.PublicKey, recipient.SKI(), atts, prefix, o)
	if err != nil {
		return nil, err
	}
	sec.InsertChildAt(0, enc.EncryptedKey)
	for i, ed := range enc.EncryptedData {
		sec.InsertChildAt(1+i, ed)
	}
	return enc.Ciphertexts, nil
}

func randomBytes(o *xmlenc.Options, n int) []byte {
	r := io.Reader(rand.Reader)
	if o != nil && o.Rand != nil {
		r = o.Rand
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		panic("wss: randomness source failed: " + err.Error())
	}
	return b
}

// DecryptionKey is one of our encryption keys with the SKI of its certificate. Several may be
// configured during a certificate rollover (RzÜ §5.3).
type DecryptionKey struct {
	SKI []byte
	Key xmlenc.KeyAgreementKey
}

// DecryptAttachments finds the xenc:EncryptedKey in the Security header, picks the key whose SKI
// it names, unwraps the content key and decrypts every EncryptedData whose CipherReference names
// a part in parts (Content-ID → ciphertext). It returns Content-ID → plaintext. A part listed in
// parts but not covered by an EncryptedData is a policy failure (the profile encrypts every
// attachment). Errors wrap xmlenc.ErrDecrypt, xmlenc.ErrUnsupported or ErrPolicy.
func DecryptAttachments(doc *etree.Document, keys []DecryptionKey, parts map[string][]byte) (map[string][]byte, error) {
	_, sec, err := existingSecurity(doc)
	if err != nil {
		return nil, err
	}
	eks := x.Children(sec, x.NSXENC, "EncryptedKey")
	if len(eks) != 1 {
		if len(parts) == 0 && len(eks) == 0 {
			return map[string][]byte{}, nil
		}
		return nil, fmt.Errorf("%w: %d EncryptedKey elements, want 1", ErrPolicy, len(eks))
	}
	ek, err := xmlenc.ParseEncryptedKey(eks[0])
	if err != nil {
		return nil, err
	}
	var key xmlenc.KeyAgreementKey
	for _, k := range keys {
		if ek.MatchesSKI(k.SKI) {
			key = k.Key
			break
		}
	}
	if key == nil {
		return nil, fmt.Errorf("%w: EncryptedKey names no certificate of ours (X509SKI %x)", xmlenc.ErrDecrypt, ek.RecipientSKI)
	}
	cek, err := ek.Unwrap(key)
	if err != nil {
		return nil, err
	}
	defer clear(cek)
	refs := map[string]bool{}
	for _, r := range ek.DataReferences {
		refs[r] = true
	}
	out := map[string][]byte{}
	for _, edEl := range x.Children(sec, x.NSXENC, "EncryptedData") {
		ed, err := xmlenc.ParseEncryptedData(edEl)
		if err != nil {
			return nil, err
		}
		// With a single EncryptedKey the binding is unambiguous; what is stated must still agree
		// (a ReferenceList that omits the part, or a key reference to something else, is refused).
		if (len(refs) > 0 && !refs["#"+ed.ID]) || (ed.KeyReference != "" && ed.KeyReference != "#"+ek.ID) {
			return nil, fmt.Errorf("%w: EncryptedData %q not bound to the EncryptedKey", ErrPolicy, ed.ID)
		}
		cid, ok := strings.CutPrefix(ed.CipherReference, "cid:")
		if !ok {
			return nil, fmt.Errorf("%w: EncryptedData %q does not reference a MIME part", ErrPolicy, ed.ID)
		}
		ct, ok := parts[cid]
		if !ok {
			return nil, fmt.Errorf("%w: no MIME part %q", ErrReference, cid)
		}
		if _, dup := out[cid]; dup {
			return nil, fmt.Errorf("%w: MIME part %q encrypted twice", ErrPolicy, cid)
		}
		pt, err := xmlenc.DecryptGCM(cek, ct)
		if err != nil {
			return nil, err
		}
		out[cid] = pt
	}
	for cid := range parts {
		if _, ok := out[cid]; !ok {
			return nil, fmt.Errorf("%w: attachment %q is not encrypted", ErrPolicy, cid)
		}
	}
	return out, nil
}
