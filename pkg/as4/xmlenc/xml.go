package xmlenc

import (
	"crypto/rand"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/beevik/etree"

	"github.com/mako-engine/mako/pkg/as4/concatkdf"
	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
)

// SwA profile URIs (WS-Security SwA Profile 1.1).
const (
	// TypeAttachmentContentOnly marks an EncryptedData that encrypts a MIME part's content.
	TypeAttachmentContentOnly = "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Content-Only"
	// TransformAttachmentCiphertext is the CipherReference transform for SwA ciphertext.
	TransformAttachmentCiphertext = "http://docs.oasis-open.org/wss/oasis-wss-SwAProfile-1.1#Attachment-Ciphertext-Transform"
	// TokenTypeEncryptedKey is the wsse11:TokenType of a reference to an EncryptedKey.
	TokenTypeEncryptedKey = "http://docs.oasis-open.org/wss/oasis-wss-soap-message-security-1.1#EncryptedKey"
	// ValueTypeSKI is the wsse:KeyIdentifier ValueType of an X.509 subject key identifier.
	ValueTypeSKI = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509SubjectKeyIdentifier"
)

// EncryptedKey is a parsed xenc:EncryptedKey whose key is agreed by ECDH-ES.
type EncryptedKey struct {
	ID string
	// KDF holds the ConcatKDFParams attributes.
	KDF concatkdf.Params
	// CurveOID and Ephemeral are the originator's (sender's ephemeral) public key.
	CurveOID  asn1.ObjectIdentifier
	Ephemeral []byte
	// RecipientSKI is the X509SKI (or wsse KeyIdentifier of SKI type) naming the recipient's
	// certificate; RecipientKeyName a ds:KeyName instead. The caller picks its key by them.
	RecipientSKI     []byte
	RecipientKeyName string
	WrappedKey       []byte
	// DataReferences are the URIs of xenc:ReferenceList/DataReference ("#id").
	DataReferences []string
}

func attr(el *etree.Element, name string) string { return el.SelectAttrValue(name, "") }

func requireAlg(el *etree.Element, want, what string) error {
	if el == nil {
		return fmt.Errorf("%w: %s missing", ErrMalformed, what)
	}
	if got := attr(el, "Algorithm"); got != want {
		return fmt.Errorf("%w: %s algorithm %q (the BDEW profile requires %q)", ErrUnsupported, what, got, want)
	}
	return nil
}

func decodeB64(s, what string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	return b, nil
}

// ParseEncryptedKey reads an xenc:EncryptedKey with the algorithms of the BDEW profile
// (kw-aes128; AgreementMethod ECDH-ES; ConcatKDF with SHA-256) and refuses any other.
func ParseEncryptedKey(el *etree.Element) (*EncryptedKey, error) {
	if !x.Is(el, x.NSXENC, "EncryptedKey") {
		return nil, fmt.Errorf("%w: not an xenc:EncryptedKey", ErrMalformed)
	}
	ek := &EncryptedKey{ID: attr(el, "Id")}
	if err := requireAlg(x.Child(el, x.NSXENC, "EncryptionMethod"), AlgKWAES128, "EncryptedKey/EncryptionMethod"); err != nil {
		return nil, err
	}
	am := x.Path(el, [2]string{x.NSDS, "KeyInfo"}, [2]string{x.NSXENC, "AgreementMethod"})
	if err := requireAlg(am, AlgECDHES, "AgreementMethod"); err != nil {
		return nil, err
	}
	kdm := x.Child(am, x.NSXENC11, "KeyDerivationMethod")
	if err := requireAlg(kdm, AlgConcatKDF, "KeyDerivationMethod"); err != nil {
		return nil, err
	}
	params := x.Child(kdm, x.NSXENC11, "ConcatKDFParams")
	if params == nil {
		return nil, fmt.Errorf("%w: ConcatKDFParams missing", ErrMalformed)
	}
	if err := requireAlg(x.Child(params, x.NSDS, "DigestMethod"), AlgSHA256, "ConcatKDFParams/DigestMethod"); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *[]byte
	}{{"AlgorithmID", &ek.KDF.AlgorithmID}, {"PartyUInfo", &ek.KDF.PartyUInfo}, {"PartyVInfo", &ek.KDF.PartyVInfo}, {"SuppPubInfo", &ek.KDF.SuppPubInfo}, {"SuppPrivInfo", &ek.KDF.SuppPrivInfo}} {
		b, err := concatkdf.ParseBitString(attr(params, f.name))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		*f.dst = b
	}
	eckv := x.Path(am, [2]string{x.NSXENC, "OriginatorKeyInfo"}, [2]string{x.NSDS, "KeyValue"}, [2]string{x.NSDS11, "ECKeyValue"})
	if eckv == nil {
		return nil, fmt.Errorf("%w: OriginatorKeyInfo/KeyValue/ECKeyValue missing", ErrMalformed)
	}
	curveURI := attr(x.Child(eckv, x.NSDS11, "NamedCurve"), "URI")
	oid, err := parseOIDURN(curveURI)
	if err != nil {
		return nil, err
	}
	ek.CurveOID = oid
	if ek.Ephemeral, err = decodeB64(x.Text(x.Child(eckv, x.NSDS11, "PublicKey")), "ECKeyValue/PublicKey"); err != nil {
		return nil, err
	}
	if rki := x.Child(am, x.NSXENC, "RecipientKeyInfo"); rki != nil {
		if ski := x.Path(rki, [2]string{x.NSDS, "X509Data"}, [2]string{x.NSDS, "X509SKI"}); ski != nil {
			if ek.RecipientSKI, err = decodeB64(x.Text(ski), "X509SKI"); err != nil {
				return nil, err
			}
		} else if kid := x.Path(rki, [2]string{x.NSWSSE, "SecurityTokenReference"}, [2]string{x.NSWSSE, "KeyIdentifier"}); kid != nil && attr(kid, "ValueType") == ValueTypeSKI {
			if ek.RecipientSKI, err = decodeB64(x.Text(kid), "KeyIdentifier"); err != nil {
				return nil, err
			}
		}
		ek.RecipientKeyName = x.Text(x.Child(rki, x.NSDS, "KeyName"))
	}
	cv := x.Path(el, [2]string{x.NSXENC, "CipherData"}, [2]string{x.NSXENC, "CipherValue"})
	if cv == nil {
		return nil, fmt.Errorf("%w: EncryptedKey CipherValue missing", ErrMalformed)
	}
	if ek.WrappedKey, err = decodeB64(x.Text(cv), "EncryptedKey CipherValue"); err != nil {
		return nil, err
	}
	for _, dr := range x.Children(x.Child(el, x.NSXENC, "ReferenceList"), x.NSXENC, "DataReference") {
		ek.DataReferences = append(ek.DataReferences, attr(dr, "URI"))
	}
	return ek, nil
}

// Unwrap recovers the content-encryption key with the recipient's static key.
func (ek *EncryptedKey) Unwrap(key KeyAgreementKey) ([]byte, error) {
	cek, err := UnwrapKey(key, ek.CurveOID, ek.Ephemeral, ek.WrappedKey, ek.KDF)
	if err != nil {
		return nil, err
	}
	if len(cek) != aes128KeySize {
		clear(cek)
		return nil, fmt.Errorf("%w: content key of %d bytes for aes128-gcm", ErrMalformed, len(cek))
	}
	return cek, nil
}

// MatchesSKI reports whether the EncryptedKey names the certificate with subject key identifier
// ski (always false when it names none).
func (ek *EncryptedKey) MatchesSKI(ski []byte) bool {
	return len(ek.RecipientSKI) > 0 && constantTimeEqual(ek.RecipientSKI, ski)
}

func parseOIDURN(uri string) (asn1.ObjectIdentifier, error) {
	s, ok := strings.CutPrefix(uri, "urn:oid:")
	if !ok {
		return nil, fmt.Errorf("%w: NamedCurve URI %q is not urn:oid:", ErrMalformed, uri)
	}
	var oid asn1.ObjectIdentifier
	for _, p := range strings.Split(s, ".") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%w: NamedCurve URI %q", ErrMalformed, uri)
		}
		oid = append(oid, n)
	}
	if len(oid) < 2 {
		return nil, fmt.Errorf("%w: NamedCurve URI %q", ErrMalformed, uri)
	}
	return oid, nil
}

// EncryptedData is a parsed xenc:EncryptedData.
type EncryptedData struct {
	ID       string
	Type     string
	MimeType string
	// CipherValue is the inline ciphertext; CipherReference the URI ("cid:…") of external one.
	CipherValue     []byte
	CipherReference string
	// EncryptedKey is set when the key is carried inside the EncryptedData's KeyInfo.
	EncryptedKey *EncryptedKey
	// KeyReference is the URI of a wsse:SecurityTokenReference/Reference to an EncryptedKey.
	KeyReference string
}

// ParseEncryptedData reads an xenc:EncryptedData with aes128-gcm content encryption.
func ParseEncryptedData(el *etree.Element) (*EncryptedData, error) {
	if !x.Is(el, x.NSXENC, "EncryptedData") {
		return nil, fmt.Errorf("%w: not an xenc:EncryptedData", ErrMalformed)
	}
	ed := &EncryptedData{ID: attr(el, "Id"), Type: attr(el, "Type"), MimeType: attr(el, "MimeType")}
	if err := requireAlg(x.Child(el, x.NSXENC, "EncryptionMethod"), AlgAES128GCM, "EncryptedData/EncryptionMethod"); err != nil {
		return nil, err
	}
	ki := x.Child(el, x.NSDS, "KeyInfo")
	if ekEl := x.Child(ki, x.NSXENC, "EncryptedKey"); ekEl != nil {
		ek, err := ParseEncryptedKey(ekEl)
		if err != nil {
			return nil, err
		}
		ed.EncryptedKey = ek
	}
	if ref := x.Path(ki, [2]string{x.NSWSSE, "SecurityTokenReference"}, [2]string{x.NSWSSE, "Reference"}); ref != nil {
		ed.KeyReference = attr(ref, "URI")
	}
	cd := x.Child(el, x.NSXENC, "CipherData")
	if cv := x.Child(cd, x.NSXENC, "CipherValue"); cv != nil {
		b, err := decodeB64(x.Text(cv), "EncryptedData CipherValue")
		if err != nil {
			return nil, err
		}
		ed.CipherValue = b
	} else if cr := x.Child(cd, x.NSXENC, "CipherReference"); cr != nil {
		ed.CipherReference = attr(cr, "URI")
		for _, tr := range x.Children(x.Child(cr, x.NSXENC, "Transforms"), x.NSDS, "Transform") {
			if a := attr(tr, "Algorithm"); a != TransformAttachmentCiphertext {
				return nil, fmt.Errorf("%w: CipherReference transform %q", ErrUnsupported, a)
			}
		}
	} else {
		return nil, fmt.Errorf("%w: CipherData has neither CipherValue nor CipherReference", ErrMalformed)
	}
	return ed, nil
}

// Decrypt decrypts the inline CipherValue with the embedded EncryptedKey (the shape of the W3C
// XMLEnc 1.1 interop cases).
func (ed *EncryptedData) Decrypt(key KeyAgreementKey) ([]byte, error) {
	if ed.EncryptedKey == nil || ed.CipherValue == nil {
		return nil, fmt.Errorf("%w: no embedded EncryptedKey or no inline CipherValue", ErrMalformed)
	}
	cek, err := ed.EncryptedKey.Unwrap(key)
	if err != nil {
		return nil, err
	}
	defer clear(cek)
	return DecryptGCM(cek, ed.CipherValue)
}

// Options configure the building of encryption structures.
type Options struct {
	// KDF are the ConcatKDF parameters; the BDEW profile leaves AlgorithmID, PartyUInfo and
	// PartyVInfo empty (the zero value).
	KDF concatkdf.Params
	// EmptyBitStringAsZero writes empty ConcatKDF attributes as "00" (a bit string with zero
	// padding bits and no content) instead of "". Both parse to the empty string here, but
	// Apache Santuario (under WSS4J and phase4) refuses "00" as too short and skips "", so the
	// default "" is what Java peers read; the option exists for peers that insist on "00".
	EmptyBitStringAsZero bool
	// RecipientX509Data names the recipient certificate with ds:X509Data/ds:X509SKI (the shape
	// as4.md §5 documents after asx-rs) instead of the default wsse:SecurityTokenReference with a
	// KeyIdentifier of X509SubjectKeyIdentifier type, which is what WSS4J (phase4's BDEW sender)
	// puts into RecipientKeyInfo for the profile's "x509SKI" option (Profil §2.3.4.3). Both carry
	// the SKI and both are read.
	RecipientX509Data bool
	// Rand is the randomness source (crypto/rand when nil).
	Rand io.Reader
}

func (o *Options) rand() io.Reader {
	if o.Rand != nil {
		return o.Rand
	}
	return rand.Reader
}

// NamespaceDecls are declared on every top-level element this package builds.
var namespaceDecls = [][2]string{{"xmlns:xenc", x.NSXENC}, {"xmlns:ds", x.NSDS}}

// BuildEncryptedKey builds the xenc:EncryptedKey element for an agreed key: kw-aes128,
// AgreementMethod ECDH-ES with ConcatKDF(SHA-256), the ephemeral key as dsig11:ECKeyValue with a
// named curve, and the recipient by its SKI. dataRefs are the Ids of the EncryptedData elements
// it protects.
func BuildEncryptedKey(id string, ak *AgreedKey, recipientSKI []byte, dataRefs []string, o *Options) *etree.Element {
	if o == nil {
		o = &Options{}
	}
	ek := etree.NewElement("xenc:EncryptedKey")
	for _, d := range namespaceDecls {
		ek.CreateAttr(d[0], d[1])
	}
	ek.CreateAttr("Id", id)
	ek.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", AlgKWAES128)
	am := ek.CreateElement("ds:KeyInfo").CreateElement("xenc:AgreementMethod")
	am.CreateAttr("Algorithm", AlgECDHES)
	kdm := am.CreateElement("xenc11:KeyDerivationMethod")
	kdm.CreateAttr("xmlns:xenc11", x.NSXENC11)
	kdm.CreateAttr("Algorithm", AlgConcatKDF)
	params := kdm.CreateElement("xenc11:ConcatKDFParams")
	params.CreateAttr("AlgorithmID", concatkdf.FormatBitString(o.KDF.AlgorithmID, o.EmptyBitStringAsZero))
	params.CreateAttr("PartyUInfo", concatkdf.FormatBitString(o.KDF.PartyUInfo, o.EmptyBitStringAsZero))
	params.CreateAttr("PartyVInfo", concatkdf.FormatBitString(o.KDF.PartyVInfo, o.EmptyBitStringAsZero))
	if len(o.KDF.SuppPubInfo) > 0 {
		params.CreateAttr("SuppPubInfo", concatkdf.FormatBitString(o.KDF.SuppPubInfo, false))
	}
	if len(o.KDF.SuppPrivInfo) > 0 {
		params.CreateAttr("SuppPrivInfo", concatkdf.FormatBitString(o.KDF.SuppPrivInfo, false))
	}
	params.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", AlgSHA256)
	eckv := am.CreateElement("xenc:OriginatorKeyInfo").CreateElement("ds:KeyValue").CreateElement("dsig11:ECKeyValue")
	eckv.CreateAttr("xmlns:dsig11", x.NSDS11)
	eckv.CreateElement("dsig11:NamedCurve").CreateAttr("URI", "urn:oid:"+ak.CurveOID.String())
	eckv.CreateElement("dsig11:PublicKey").SetText(base64.StdEncoding.EncodeToString(ak.Ephemeral))
	rki := am.CreateElement("xenc:RecipientKeyInfo")
	if o.RecipientX509Data {
		rki.CreateElement("ds:X509Data").CreateElement("ds:X509SKI").SetText(base64.StdEncoding.EncodeToString(recipientSKI))
	} else {
		str := rki.CreateElement("wsse:SecurityTokenReference")
		str.CreateAttr("xmlns:wsse", x.NSWSSE)
		kid := str.CreateElement("wsse:KeyIdentifier")
		kid.CreateAttr("EncodingType", "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary")
		kid.CreateAttr("ValueType", ValueTypeSKI)
		kid.SetText(base64.StdEncoding.EncodeToString(recipientSKI))
	}
	ek.CreateElement("xenc:CipherData").CreateElement("xenc:CipherValue").SetText(base64.StdEncoding.EncodeToString(ak.WrappedKey))
	if len(dataRefs) > 0 {
		rl := ek.CreateElement("xenc:ReferenceList")
		for _, r := range dataRefs {
			rl.CreateElement("xenc:DataReference").CreateAttr("URI", "#"+r)
		}
	}
	return ek
}

// BuildAttachmentEncryptedData builds the xenc:EncryptedData for an encrypted MIME part (SwA
// Attachment-Content-Only): aes128-gcm, a reference to the EncryptedKey, and a CipherReference
// to the part's cid: URI with the Attachment-Ciphertext-Transform.
func BuildAttachmentEncryptedData(id, encryptedKeyID, contentID, mimeType string) *etree.Element {
	ed := etree.NewElement("xenc:EncryptedData")
	for _, d := range namespaceDecls {
		ed.CreateAttr(d[0], d[1])
	}
	ed.CreateAttr("Id", id)
	if mimeType != "" {
		ed.CreateAttr("MimeType", mimeType)
	}
	ed.CreateAttr("Type", TypeAttachmentContentOnly)
	ed.CreateElement("xenc:EncryptionMethod").CreateAttr("Algorithm", AlgAES128GCM)
	str := ed.CreateElement("ds:KeyInfo").CreateElement("wsse:SecurityTokenReference")
	str.CreateAttr("xmlns:wsse", x.NSWSSE)
	str.CreateAttr("xmlns:wsse11", x.NSWSSE11)
	str.CreateAttr("wsse11:TokenType", TokenTypeEncryptedKey)
	str.CreateElement("wsse:Reference").CreateAttr("URI", "#"+encryptedKeyID)
	cr := ed.CreateElement("xenc:CipherData").CreateElement("xenc:CipherReference")
	cr.CreateAttr("URI", "cid:"+contentID)
	cr.CreateElement("xenc:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", TransformAttachmentCiphertext)
	return ed
}

// Attachment is a MIME part to encrypt.
type Attachment struct {
	ContentID string // without "cid:" and angle brackets
	MimeType  string
	Data      []byte
}

// EncryptedAttachments is the result of EncryptAttachments: the header elements to place in
// wsse:Security (EncryptedKey first) and the ciphertext to put into each MIME part in order.
type EncryptedAttachments struct {
	EncryptedKey  *etree.Element
	EncryptedData []*etree.Element
	Ciphertexts   [][]byte
}

// EncryptAttachments encrypts the attachments of one message for a recipient's static key
// (*brainpool.PublicKey, or a NIST key for interop) named by recipientSKI: one fresh random
// AES-128 content key per message, wrapped once by ECDH-ES + ConcatKDF + kw-aes128; each part
// gets its own random IV. idPrefix makes the element Ids unique within the message.
func EncryptAttachments(recipient any, recipientSKI []byte, atts []Attachment, idPrefix string, o *Options) (*EncryptedAttachments, error) {
	if o == nil {
		o = &Options{}
	}
	r := o.rand()
	cek := make([]byte, aes128KeySize)
	if _, err := io.ReadFull(r, cek); err != nil {
		return nil, err
	}
	defer clear(cek)
	ak, err := WrapKey(r, recipient, cek, o.KDF)
	if err != nil {
		return nil, err
	}
	ekID := idPrefix + "EK"
	out := &EncryptedAttachments{}
	var refs []string
	for i, a := range atts {
		ct, err := EncryptGCM(r, cek, a.Data)
		if err != nil {
			return nil, err
		}
		id := fmt.Sprintf("%sED-%d", idPrefix, i+1)
		refs = append(refs, id)
		out.EncryptedData = append(out.EncryptedData, BuildAttachmentEncryptedData(id, ekID, a.ContentID, a.MimeType))
		out.Ciphertexts = append(out.Ciphertexts, ct)
	}
	out.EncryptedKey = BuildEncryptedKey(ekID, ak, recipientSKI, refs, o)
	return out, nil
}
