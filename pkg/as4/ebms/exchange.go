package ebms

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"io"
	"time"

	"github.com/beevik/etree"

	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
)

// Payload is one business document of a UserMessage before compression.
type Payload struct {
	// ContentID names the MIME part; it must match a PartInfo href of the message.
	ContentID string
	Data      []byte
}

// Sealed is an outbound message ready for the HTTP POST.
type Sealed struct {
	MessageID   string
	ContentType string
	Body        []byte
	// References are the references of our signature, to match the NRR receipt (CheckReceipt).
	References []wss.Reference
}

// Seal turns m and its payloads into the wire form the profile demands (Profil §2.2.3, §2.2.6):
// each payload gzip-compressed, the envelope signed by signer over eb:Messaging, Body and the
// compressed parts, then the parts encrypted for the partner's encryption certificate, packed as
// SwA multipart/related. A message without payloads (path switch) is signed and packed without
// encryption. The caller validates the partner's encryption certificate (smpki.Verify with
// x509.KeyUsageKeyAgreement) before sealing.
func Seal(m *UserMessage, payloads []Payload, signer *wss.Signer, recipient *smpki.Certificate, encOpts *xmlenc.Options) (*Sealed, error) {
	if len(payloads) != len(m.Parts) {
		return nil, fmt.Errorf("ebms: %d payloads for %d PartInfo elements", len(payloads), len(m.Parts))
	}
	doc := m.Envelope()
	var atts []wss.Attachment
	var encAtts []xmlenc.Attachment
	for i, p := range payloads {
		if m.Parts[i].ContentID() != p.ContentID {
			return nil, fmt.Errorf("ebms: payload %d has Content-ID %q, PartInfo %q", i, p.ContentID, m.Parts[i].Href)
		}
		z := Compress(p.Data)
		atts = append(atts, wss.Attachment{ContentID: p.ContentID, Data: z})
		encAtts = append(encAtts, xmlenc.Attachment{ContentID: p.ContentID, MimeType: "application/octet-stream", Data: z})
	}
	refs, err := signer.Sign(doc, atts)
	if err != nil {
		return nil, err
	}
	var parts []Part
	if len(encAtts) > 0 {
		if recipient == nil {
			return nil, fmt.Errorf("ebms: no encryption certificate for %s", m.To.ID)
		}
		cts, err := wss.EncryptAttachments(doc, recipient, encAtts, encOpts)
		if err != nil {
			return nil, err
		}
		for i, ct := range cts {
			parts = append(parts, Part{ContentID: encAtts[i].ContentID, ContentType: "application/octet-stream", Data: ct})
		}
	}
	return pack(doc, m.MessageID, parts, refs)
}

func pack(doc *etree.Document, id string, parts []Part, refs []wss.Reference) (*Sealed, error) {
	env, err := doc.WriteToBytes()
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	ct, err := WriteMultipart(&body, env, parts)
	if err != nil {
		return nil, err
	}
	return &Sealed{MessageID: id, ContentType: ct, Body: body.Bytes(), References: refs}, nil
}

// CheckSigner decides whether a signer certificate may sign for the party fromPartyID (the
// From/PartyId of a UserMessage, or the party a receipt is expected from).
type CheckSigner func(fromPartyID string, leaf *smpki.Certificate, path []*smpki.Certificate) error

// SignerPolicy is the profile's CheckSigner: the chain verifies to roots at now() (the token's
// certificates serve as intermediates), the certificate permits digitalSignature, is not revoked
// per crls (nil: no revocation check), is an EMT.MAK certificate and its OU equals the party.
// Verified certificate signatures are cached (validity, key usage and revocation are checked
// every time).
func SignerPolicy(roots []*smpki.Certificate, crls *smpki.CRLStore, now func() time.Time) CheckSigner {
	cache := smpki.NewSignatureCache(4096)
	return func(from string, leaf *smpki.Certificate, path []*smpki.Certificate) error {
		if _, err := smpki.Verify(leaf, smpki.VerifyOptions{Roots: roots, Intermediates: path, CurrentTime: now(),
			KeyUsage: x509.KeyUsageDigitalSignature, Revocation: crls, Cache: cache}); err != nil {
			return err
		}
		return smpki.CheckMarketPartner(leaf, from)
	}
}

// Receiver opens inbound messages.
type Receiver struct {
	// Keys are our decryption keys (more than one during a certificate rollover).
	Keys []wss.DecryptionKey
	// CheckSigner validates the sender's signature certificate. Required.
	CheckSigner CheckSigner
	// VerifierOptions are passed to the wss.Verifier (e.g. wss.WithRequireBodySignature).
	VerifierOptions []wss.VerifierOption
	// MaxPart bounds each MIME part, MaxPayload each decompressed payload (bytes).
	MaxPart, MaxPayload int64
}

// Opened is an inbound message that passed every check.
type Opened struct {
	Message *UserMessage
	// Payloads are the decompressed business documents in PartInfo order.
	Payloads []Payload
	// Signer is the sender's signature certificate; References the verified references (for
	// the receipt).
	Signer     *smpki.Certificate
	References []wss.Reference
}

// Open unpacks, validates, decrypts, verifies and decompresses an inbound message. Every
// refusal is an *Error carrying the ebMS code to answer with (and the MessageId once known); a
// message that reaches the caller is signed by the party it claims to come from. Open does not
// detect duplicates: the caller deduplicates by Message.MessageID before delivering.
func (r *Receiver) Open(contentType string, body io.Reader) (*Opened, *Error) {
	if r.CheckSigner == nil {
		return nil, NewError(CodeOther, "", "receiver has no signer check configured")
	}
	env, parts, err := ReadMultipart(contentType, body, r.MaxPart)
	if err != nil {
		return nil, Classify(err, "")
	}
	doc, err := x.Parse(env)
	if err != nil {
		return nil, Classify(err, "")
	}
	m, err := ParseUserMessage(doc)
	if err != nil {
		return nil, Classify(err, "")
	}
	if err := m.Validate(); err != nil {
		return nil, Classify(err, m.MessageID)
	}
	if err := CheckParts(m, parts); err != nil {
		return nil, Classify(err, m.MessageID)
	}
	cipher := map[string][]byte{}
	for _, p := range parts {
		cipher[p.ContentID] = p.Data
	}
	plain, err := wss.DecryptAttachments(doc, r.Keys, cipher)
	if err != nil {
		return nil, Classify(err, m.MessageID)
	}
	atts := make([]wss.Attachment, 0, len(m.Parts))
	for _, pi := range m.Parts {
		atts = append(atts, wss.Attachment{ContentID: pi.ContentID(), Data: plain[pi.ContentID()]})
	}
	from := m.From.ID
	v, err := wss.NewVerifier(func(leaf *smpki.Certificate, path []*smpki.Certificate) error {
		return r.CheckSigner(from, leaf, path)
	}, r.VerifierOptions...)
	if err != nil {
		return nil, Classify(err, m.MessageID)
	}
	res, err := v.Verify(doc, atts)
	if err != nil {
		return nil, Classify(err, m.MessageID)
	}
	out := &Opened{Message: m, Signer: res.Certificate, References: res.References}
	for _, a := range atts {
		data, err := Decompress(a.Data, r.MaxPayload, m.MessageID)
		if err != nil {
			return nil, Classify(err, m.MessageID)
		}
		out.Payloads = append(out.Payloads, Payload{ContentID: a.ContentID, Data: data})
	}
	return out, nil
}

// SealReceipt returns the signed NRR receipt for an opened message (Profil §2.2.5), to send as the
// HTTP response.
func SealReceipt(o *Opened, receiptID string, ts time.Time, signer *wss.Signer) (*Sealed, error) {
	doc := BuildReceipt(receiptID, o.Message.MessageID, ts, o.References)
	refs, err := signer.Sign(doc, nil)
	if err != nil {
		return nil, err
	}
	return pack(doc, receiptID, nil, refs)
}

// ErrorResponse returns the (unsigned) ebMS error signal for a refused message.
func ErrorResponse(e *Error, signalID string, ts time.Time) (*Sealed, error) {
	return pack(BuildErrorSignal(signalID, ts, e), signalID, nil, nil)
}

// ReadResponse interprets the synchronous HTTP response to a sealed message: a receipt must be
// signed by the receiver (checked with check for party to) and repeat our references, else
// EBMS:0302 InvalidReceipt; an error signal is returned as its first *Error; a body that is
// neither is EBMS:0302 too. On success it returns the receipt signal.
func ReadResponse(sent *Sealed, to string, contentType string, body io.Reader, check CheckSigner, maxSize int64) (*SignalMessage, *Error) {
	env, _, err := ReadMultipart(contentType, body, maxSize)
	if err != nil {
		return nil, NewError(CodeInvalidReceipt, sent.MessageID, err.Error())
	}
	doc, err := x.Parse(env)
	if err != nil {
		return nil, NewError(CodeInvalidReceipt, sent.MessageID, err.Error())
	}
	sig, err := ParseSignalMessage(doc)
	if err != nil {
		return nil, NewError(CodeInvalidReceipt, sent.MessageID, err.Error())
	}
	if len(sig.Errors) > 0 {
		return sig, sig.Errors[0]
	}
	v, err := wss.NewVerifier(func(leaf *smpki.Certificate, path []*smpki.Certificate) error { return check(to, leaf, path) })
	if err != nil {
		return nil, NewError(CodeInvalidReceipt, sent.MessageID, err.Error())
	}
	if _, err := v.Verify(doc, nil); err != nil {
		e := NewError(CodeInvalidReceipt, sent.MessageID, "receipt signature: "+err.Error())
		e.Cause = err
		return sig, e
	}
	if err := CheckReceipt(sig, sent.MessageID, sent.References); err != nil {
		return sig, Classify(err, sent.MessageID)
	}
	return sig, nil
}
