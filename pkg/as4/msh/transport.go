package msh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
)

// Receipt states of an outbound message (as4.md §15): only StatusPositive counts as delivered.
// They appear in deliverer.Receipt.Status and SendError.Receipt.Status, and from there in the
// delivery.Confirmed / delivery.Failed reports of the sending process.
const (
	// StatusPositive: a signed receipt arrived, verified, repeating our references (NRR).
	StatusPositive = "positive"
	// StatusNegative: the partner answered with an ebMS error (followed by its code), or its
	// receipt did not verify ("negative EBMS:0302").
	StatusNegative = "negative"
	// StatusPending: the partner accepted the request without a receipt (the profile demands a
	// synchronous receipt; retried).
	StatusPending = "pending"
	// StatusMissing: no answer, or no ebMS answer (EBMS:0301 MissingReceipt; retried).
	StatusMissing = "missing"
)

// DefaultMaxResponse bounds the response body read by the transport.
const DefaultMaxResponse = 1 << 20

// ContentIDFor returns the payload Content-ID of an AS4 message id.
func ContentIDFor(messageID string) string { return "payload-1." + messageID }

// MessageIDFor returns the AS4 MessageId of an outbox message: a name-based UUID (RFC 9562
// version 8, SHA-256 of the outbox id) on the left-hand side as the profile recommends (Profil
// §2.2.3.1) and the sender's MP-ID on the right. It is the same for every attempt, so the
// receiver's duplicate detection sees a retry as the same message.
func MessageIDFor(outboxID, senderMPID string) string {
	h := sha256.Sum256([]byte("mako-as4-message\x00" + outboxID))
	h[6] = h[6]&0x0f | 0x80 // version 8
	h[8] = h[8]&0x3f | 0x80 // RFC 9562 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x@%s.mako", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16], senderMPID)
}

// Transport is the deliverer's as4 transport: it seals the interchange as a BDEW UserMessage
// (gzip, signed by the sender's identity, encrypted for the partner's encryption certificate),
// POSTs it to the channel's URL and accepts it as delivered only on a valid signed receipt from
// the recipient that repeats the digests of what was signed. Build it with NewTransport.
type Transport struct {
	ids         *Identities
	trust       *Trust
	clients     func(partner.Channel) (*http.Client, error)
	maxResponse int64
	encOpts     *xmlenc.Options
	requireRel  bool
	switches    partner.Store
	check       ebms.CheckSigner
}

// TransportOption configures a Transport.
type TransportOption func(*Transport)

// WithHTTPClients sets how the HTTP client of a channel is made (default: the deliverer's
// HTTPTransport clients, honouring the channel's CertFile, KeyFile and CAFile).
func WithHTTPClients(f func(partner.Channel) (*http.Client, error)) TransportOption {
	return func(t *Transport) { t.clients = f }
}

// WithEncryptionOptions sets the XMLEnc options of outbound messages (e.g. the recipient
// reference shape, doc.go choice 7).
func WithEncryptionOptions(o *xmlenc.Options) TransportOption {
	return func(t *Transport) { t.encOpts = o }
}

// WithPathSwitch lets the transport start the path switch (Profil §2.3.7) itself: a business
// message to a partner with no relationship yet sends a requestSwitch first and records the
// relationship as requested in partners (the partner's confirmSwitch, received by the endpoint
// with WithPathSwitchConfirm, confirms it; the business message is retried until then).
func WithPathSwitch(partners partner.Store) TransportOption {
	return func(t *Transport) { t.switches = partners }
}

// WithoutRelationshipGate lets business messages go to partners whose path switch is not
// confirmed (default: refused, as4.md §15 "relationship whitelist").
func WithoutRelationshipGate() TransportOption { return func(t *Transport) { t.requireRel = false } }

// NewTransport returns the as4 transport sending as the identities ids, trusting partner
// certificates per trust.
func NewTransport(ids *Identities, trust *Trust, opts ...TransportOption) *Transport {
	t := &Transport{ids: ids, trust: trust, clients: deliverer.NewHTTPTransport().Client, maxResponse: DefaultMaxResponse, requireRel: true}
	for _, o := range opts {
		o(t)
	}
	t.check = trust.SignerPolicy() // one signature cache for all receipts
	return t
}

// Kind implements deliverer.Transport.
func (t *Transport) Kind() partner.Transport { return partner.TransportAS4 }

// retryable lists the ebMS codes after which a retry within the window may succeed: faults at
// the receiver (0004, 0005, 0201, 0202), damage in transit or certificates the partner has not
// yet configured (0101, 0102; RzÜ §8: such a file counts as not delivered) and receipt
// problems (0301, 0302). Every other code refuses the message itself: a retry sends the same.
var retryable = map[string]bool{
	ebms.CodeOther: true, ebms.CodeConnectionFailure: true, ebms.CodeDysfunctionalReliability: true,
	ebms.CodeDeliveryFailure: true, ebms.CodeFailedAuthentication: true, ebms.CodeFailedDecryption: true,
	ebms.CodeMissingReceipt: true, ebms.CodeInvalidReceipt: true,
}

// PartyTypeFor returns the PartyId type of an MP-ID by its issuer prefix: 99… BDEW code,
// 98… DVGW code, anything else a GLN (iso6523:0088). The prefixes follow the code-number
// conventions of the BDEW and DVGW Codenummerndatenbanken; unverified against a BDEW text, so a
// partner's channel may override the type (partner.AS4.PartyType). All four types are accepted
// inbound (as4.md §10.1).
func PartyTypeFor(mpID string) string {
	switch {
	case strings.HasPrefix(mpID, "99"):
		return ebms.PartyTypeBDEW
	case strings.HasPrefix(mpID, "98"):
		return ebms.PartyTypeDVGW
	}
	return ebms.PartyTypeGLN
}

// Retryable reports whether a message refused with the ebMS error code may be sent again.
func Retryable(code string) bool { return retryable[code] }

// Send implements deliverer.Transport.
func (t *Transport) Send(ctx context.Context, d deliverer.Delivery) (deliverer.Receipt, error) {
	m := d.Message
	msgID := MessageIDFor(m.ID, m.Sender)
	fail := func(permanent bool, status string, err error) (deliverer.Receipt, error) {
		return deliverer.Receipt{}, &deliverer.SendError{Transport: partner.TransportAS4, Recipient: m.Recipient, Permanent: permanent,
			Receipt: deliverer.Receipt{Status: status, RemoteID: msgID}, Err: err}
	}
	ch := d.Channel
	if ch.AS4 == nil {
		return fail(false, "", fmt.Errorf("%w: partner %s: channel without as4 settings", ErrConfig, m.Recipient))
	}
	if t.requireRel && ch.AS4.Relationship != partner.RelationshipConfirmed {
		err := fmt.Errorf("%w: partner %s: AS4 relationship %q, not confirmed by a path switch", ErrConfig, m.Recipient, ch.AS4.Relationship)
		if t.switches != nil {
			err = fmt.Errorf("%w; %s", err, t.maybeRequest(ctx, m.Tenant, m.Sender, m.Recipient))
		}
		return fail(false, "", err)
	}
	ts := d.CreatedAt
	if ts.IsZero() {
		ts = t.trust.now()
	}
	um := ebms.NewBDEWUserMessage(msgID, ts.UTC(), ebms.Party{}, ebms.Party{}, ebms.ServiceMP,
		ebms.EDIFACTPart(ContentIDFor(msgID), m.MessageType, m.InterchangeRef, ts.In(germany), ""))
	sig, status, permanent, err := t.exchange(ctx, m.Sender, m.Recipient, ch, um, []ebms.Payload{{ContentID: ContentIDFor(msgID), Data: m.Payload}})
	if err != nil {
		return fail(permanent, status, err)
	}
	return deliverer.Receipt{Status: StatusPositive, RemoteID: msgID,
		Body: excerpt([]byte(fmt.Sprintf("receipt %s for %s at %s, %d references", sig.MessageID, sig.RefToMessageID, sig.Timestamp.UTC().Format(time.RFC3339), len(sig.Receipt.References))))}, nil
}

// exchange sends um (parties filled in here) from the own MP-ID from to the partner to over
// ch: seal (sign; encrypt the payloads for the partner's encryption certificate), POST, read
// the answer. It returns the verified receipt, or the receipt status, whether a retry is futile,
// and the error.
func (t *Transport) exchange(ctx context.Context, from, to string, ch partner.Channel, um *ebms.UserMessage, payloads []ebms.Payload) (*ebms.SignalMessage, string, bool, error) {
	id, ok := t.ids.ByMPID(from)
	if !ok {
		return nil, "", false, fmt.Errorf("%w %s", ErrNoIdentity, from)
	}
	var encCert *smpki.Certificate
	if len(payloads) > 0 {
		var err error
		if encCert, err = t.trust.EncryptionCertificate(to, ch.AS4.EncryptionCerts); err != nil {
			return nil, "", false, err
		}
	}
	client, err := t.clients(ch)
	if err != nil {
		return nil, "", false, err
	}
	partyType := ch.AS4.PartyType
	if partyType == "" {
		partyType = PartyTypeFor(to)
	}
	um.From, um.To = ebms.Party{ID: from, Type: PartyTypeFor(from)}, ebms.Party{ID: to, Type: partyType}
	msgID := um.MessageID
	sealed, err := ebms.Seal(um, payloads, id.Signer, encCert, t.encOpts)
	if err != nil {
		return nil, "", false, fmt.Errorf("as4: seal %s: %w", msgID, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ch.URL, bytes.NewReader(sealed.Body))
	if err != nil {
		return nil, "", false, fmt.Errorf("as4: request: %w", err)
	}
	req.Header.Set("Content-Type", sealed.ContentType)
	req.Header.Set("MIME-Version", "1.0")
	missing := func(status string, e *ebms.Error) (*ebms.SignalMessage, string, bool, error) {
		return nil, status, false, fmt.Errorf("as4: receipt status %s: %w", status, e)
	}
	resp, err := client.Do(req)
	if err != nil {
		return missing(StatusMissing, ebmsErr(ebms.CodeMissingReceipt, msgID, fmt.Sprintf("POST %s: %v", ch.URL, err), err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, t.maxResponse+1))
	if err != nil {
		return missing(StatusMissing, ebmsErr(ebms.CodeMissingReceipt, msgID, fmt.Sprintf("POST %s: reading the answer: %v", ch.URL, err), err))
	}
	ct := resp.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(ct); mt != "multipart/related" && mt != "application/soap+xml" {
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 && len(bytes.TrimSpace(body)) == 0 {
			return missing(StatusPending, ebmsErr(ebms.CodeMissingReceipt, msgID, fmt.Sprintf("POST %s: %s without a receipt", ch.URL, resp.Status), nil))
		}
		return missing(StatusMissing, ebmsErr(ebms.CodeMissingReceipt, msgID, fmt.Sprintf("POST %s: %s, no ebMS answer (%s)", ch.URL, resp.Status, excerpt(body)), nil))
	}
	sig, e := ebms.ReadResponse(sealed, to, ct, bytes.NewReader(body), t.check, t.maxResponse)
	if e != nil {
		status := StatusNegative + " " + e.Code
		return nil, status, !Retryable(e.Code), fmt.Errorf("as4: %s: receipt status %s: %w", msgID, status, e)
	}
	return sig, StatusPositive, false, nil
}
func ebmsErr(code, ref, detail string, cause error) *ebms.Error {
	e := ebms.NewError(code, ref, detail)
	e.Cause = cause
	return e
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > deliverer.MaxBodyExcerpt {
		s = s[:deliverer.MaxBodyExcerpt]
	}
	return s
}

// germany is the zone of BDEWDocumentDate (a German business date).
var germany = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return l
}()
