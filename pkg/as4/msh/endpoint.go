package msh

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/streams"
)

// Defaults of the endpoint.
const (
	// DefaultDedupWindow is how long a MessageId is remembered (and how old a message may be):
	// 96 h, above the senders' 72 h retry window (as4.md §6.3: the profile demands only that
	// it is configurable; 72 h / 96 h are the anchor implementation's values, a project choice).
	DefaultDedupWindow = 96 * time.Hour
	// DefaultMaxBody bounds the HTTP request body; DefaultMaxPayload each decompressed payload.
	DefaultMaxBody    = 32 << 20
	DefaultMaxPayload = 64 << 20
	// HeaderNatsMsgID is JetStream's dedup header.
	HeaderNatsMsgID = jetstream.MsgIDHeader
)

// PeerCertificate returns the TLS client certificate of a request (nil when the request has
// none). See FromTLS and FromHeader.
type PeerCertificate func(r *http.Request) (*smpki.Certificate, error)

// Endpoint is the inbound MSH: an http.Handler for ebMS3 one-way push (Profil §2.2.1). For
// every POST it opens the message (MIME, BDEW header values, decryption, signature with the
// sender's SM-PKI chain, EMT.MAK and OU = From/PartyId, gzip), checks the addressee is a tenant
// of this deployment and the sender a partner with an AS4 relationship, and then:
//
//   - a business message: publishes each payload to mako.ingest.<tenant> (headers
//     Mako-Transport-Id = MessageId, Nats-Msg-Id derived from it) and answers with the signed
//     receipt only after JetStream acknowledged every publish;
//   - a test-service or path-switch message: answers with the receipt, publishes nothing (the
//     test service never reaches a workflow, Profil §2.3.6);
//   - a MessageId seen before (KV mako_as4_receipts, within the dedup window): the same
//     message gets the stored receipt again and is not published; a different message under a
//     used MessageId is refused (EBMS:0003).
//
// A refusal is an ebMS error signal with the profile's code (ebms.Classify, doc.go choice 12).
// Build it with NewEndpoint.
type Endpoint struct {
	js         jetstream.JetStream
	receipts   jetstream.KeyValue
	ids        *Identities
	trust      *Trust
	partners   partner.Store
	tenants    map[string]engine.TenantID
	window     time.Duration
	maxBody    int64
	maxPayload int64
	peer       PeerCertificate
	peerNeeded bool
	requireRel bool
	verifyOpts []wss.VerifierOption
	log        zerolog.Logger
	counter    *prometheus.CounterVec
	switcher   *Transport
	check      ebms.CheckSigner
	newID      func() string
}

// EndpointOption configures an Endpoint.
type EndpointOption func(*Endpoint)

// WithDedupWindow sets how long MessageIds are remembered and how old an inbound message may be
// (default 96 h).
func WithDedupWindow(d time.Duration) EndpointOption {
	return func(e *Endpoint) {
		if d > 0 {
			e.window = d
		}
	}
}

// WithLimits bounds the request body and each decompressed payload (bytes).
func WithLimits(maxBody, maxPayload int64) EndpointOption {
	return func(e *Endpoint) {
		if maxBody > 0 {
			e.maxBody = maxBody
		}
		if maxPayload > 0 {
			e.maxPayload = maxPayload
		}
	}
}

// WithPeerCertificate sets where the TLS client certificate comes from (FromTLS, FromHeader).
// With required, a request without one is refused (HTTP 403). A present certificate must be
// an SM-PKI EMT.MAK certificate whose OU equals From/PartyId (as4.md §8), else EBMS:0101.
func WithPeerCertificate(src PeerCertificate, required bool) EndpointOption {
	return func(e *Endpoint) { e.peer, e.peerNeeded = src, required }
}

// WithoutRelationshipCheck accepts business messages from partners whose path switch is not
// confirmed (default: EBMS:0010).
func WithoutRelationshipCheck() EndpointOption { return func(e *Endpoint) { e.requireRel = false } }

// WithVerifierOptions passes options to the signature verifier (e.g. wss.WithRequireBodySignature).
func WithVerifierOptions(o ...wss.VerifierOption) EndpointOption {
	return func(e *Endpoint) { e.verifyOpts = append(e.verifyOpts, o...) }
}

// WithPathSwitchConfirm answers a partner's requestSwitch (after its receipt) with a
// confirmSwitch sent by tr (Profil §2.3.7 step 2) and, on its positive receipt, confirms the
// relationship; and a confirmSwitch for our request confirms it at once. Without it path-switch
// messages are only receipted and the relationship is the operator's (partner data).
func WithPathSwitchConfirm(tr *Transport) EndpointOption {
	return func(e *Endpoint) { e.switcher = tr }
}

// WithEndpointLogger sets the logger.
func WithEndpointLogger(l zerolog.Logger) EndpointOption { return func(e *Endpoint) { e.log = l } }

// WithRegisterer registers the endpoint's counter mako_as4_inbound_messages_total{result}
// (receipt, duplicate, test, pathswitch or the ebMS error code).
func WithRegisterer(r prometheus.Registerer) EndpointOption {
	return func(e *Endpoint) {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mako", Name: "as4_inbound_messages_total",
			Help: "Inbound AS4 messages by result: receipt, duplicate, test, pathswitch or the ebMS error code."}, []string{"result"})
		if err := r.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				c = are.ExistingCollector.(*prometheus.CounterVec)
			}
		}
		e.counter = c
	}
}

// WithIDGenerator sets how receipt and error signal MessageIds are made (default: random UUID
// v4 @ the receiving MP-ID).
func WithIDGenerator(f func() string) EndpointOption { return func(e *Endpoint) { e.newID = f } }

// NewEndpoint returns the endpoint of a deployment: it publishes with js, remembers receipts in
// KV mako_as4_receipts (created by streams.Ensure), receives for the tenants' MP-IDs with ids,
// trusts per trust and reads the relationships from partners.
func NewEndpoint(ctx context.Context, js jetstream.JetStream, ids *Identities, trust *Trust, partners partner.Store, tenants []ingest.Tenant, opts ...EndpointOption) (*Endpoint, error) {
	kv, err := js.KeyValue(ctx, streams.BucketAS4Receipts)
	if err != nil {
		return nil, fmt.Errorf("as4/msh: bucket %s: %w", streams.BucketAS4Receipts, err)
	}
	e := &Endpoint{js: js, receipts: kv, ids: ids, trust: trust, partners: partners, tenants: map[string]engine.TenantID{},
		window: DefaultDedupWindow, maxBody: DefaultMaxBody, maxPayload: DefaultMaxPayload, requireRel: true, log: zerolog.Nop(), newID: newUUID}
	for _, t := range tenants {
		for _, mp := range t.MPIDs {
			if _, ok := ids.ByMPID(mp); ok {
				e.tenants[mp] = t.ID
			}
		}
	}
	for _, o := range opts {
		o(e)
	}
	e.check = trust.SignerPolicy() // one signature cache for all requests
	if len(e.tenants) == 0 {
		return nil, fmt.Errorf("%w: no tenant MP-ID has an AS4 identity", ErrConfig)
	}
	return e, nil
}

// receiptRecord is the value stored per accepted MessageId.
type receiptRecord struct {
	MessageID   string    `json:"message_id"`
	From        string    `json:"from"`
	Digest      []byte    `json:"digest"`
	ContentType string    `json:"content_type"`
	Receipt     []byte    `json:"receipt"`
	ReceivedAt  time.Time `json:"received_at"`
	Published   []string  `json:"published,omitempty"`
}

// ReceiptKey is the KV key of a MessageId: `<tenant>.<base64url MessageId>` (KV keys allow
// only A-Za-z0-9-_=/.).
func ReceiptKey(tenant engine.TenantID, messageID string) string {
	return string(tenant) + "." + base64.RawURLEncoding.EncodeToString([]byte(messageID))
}

// IngestMsgID is the Nats-Msg-Id of the i-th payload of an AS4 message published to a tenant.
func IngestMsgID(tenant engine.TenantID, messageID string, i int) string {
	h := sha256.Sum256([]byte("mako-as4-ingest\x00" + string(tenant) + "\x00" + messageID + "\x00" + strconv.Itoa(i)))
	return "as4-" + hex.EncodeToString(h[:16])
}

// ServeHTTP implements http.Handler.
func (e *Endpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "AS4 endpoint: POST an ebMS3 message", http.StatusMethodNotAllowed)
		return
	}
	var peer *smpki.Certificate
	if e.peer != nil {
		c, err := e.peer(r)
		if err != nil || (c == nil && e.peerNeeded) {
			e.count("tls")
			e.log.Warn().Err(err).Str("remote", r.RemoteAddr).Msg("AS4 request without a usable TLS client certificate")
			http.Error(w, "TLS client certificate required", http.StatusForbidden)
			return
		}
		peer = c
	}
	body := http.MaxBytesReader(w, r.Body, e.maxBody)
	var after func()
	status, sealed := e.handle(r.Context(), r.Header.Get("Content-Type"), body, peer, &after)
	w.Header().Set("Content-Type", sealed.ContentType)
	w.Header().Set("MIME-Version", "1.0")
	w.WriteHeader(status)
	_, _ = w.Write(sealed.Body)
	if after != nil {
		go after()
	}
}

// handle processes one message and returns the HTTP status and the signal to answer with;
// *after is set to work that follows the answer (a path-switch confirmation).
func (e *Endpoint) handle(ctx context.Context, contentType string, body io.Reader, peer *smpki.Certificate, after *func()) (int, *ebms.Sealed) {
	rcv := &ebms.Receiver{Keys: e.ids.DecryptionKeys(), CheckSigner: e.check, VerifierOptions: e.verifyOpts,
		MaxPart: e.maxBody, MaxPayload: e.maxPayload}
	o, ee := rcv.Open(contentType, body)
	if ee != nil {
		return e.refuse(ee, "")
	}
	m := o.Message
	tenant, ok := e.tenants[m.To.ID]
	if !ok {
		return e.refuse(ebms.NewError(ebms.CodeProcessingModeMismatch, m.MessageID, fmt.Sprintf("To/PartyId %s is no party of this endpoint", m.To.ID)), "")
	}
	id, _ := e.ids.ByMPID(m.To.ID)
	if peer != nil {
		if err := smpki.CheckMarketPartner(peer, m.From.ID); err != nil {
			return e.refuse(ebms.NewError(ebms.CodeFailedAuthentication, m.MessageID, "TLS client certificate: "+err.Error()), m.To.ID)
		}
	}
	if ee := e.checkPartner(ctx, tenant, o); ee != nil {
		return e.refuse(ee, m.To.ID)
	}
	now := e.trust.now()
	if now.Sub(m.Timestamp) > e.window {
		return e.refuse(ebms.NewError(ebms.CodeValueInconsistent, m.MessageID,
			fmt.Sprintf("Timestamp %s is older than the duplicate-detection window %s", m.Timestamp.UTC().Format(time.RFC3339), e.window)), m.To.ID)
	}
	digest := messageDigest(o)
	key := ReceiptKey(tenant, m.MessageID)
	if st, ok := e.stored(ctx, key); ok {
		return e.duplicate(st, digest, m)
	}
	rc, err := ebms.SealReceipt(o, e.newID()+"@"+m.To.ID, now, id.Signer)
	if err != nil {
		return e.refuse(ebms.NewError(ebms.CodeOther, m.MessageID, "receipt: "+err.Error()), m.To.ID)
	}
	rec := receiptRecord{MessageID: m.MessageID, From: m.From.ID, Digest: digest, ContentType: rc.ContentType, Receipt: rc.Body, ReceivedAt: now}
	result := "receipt"
	switch {
	case m.IsTest():
		result = "test"
	case m.IsPathSwitch():
		result = "pathswitch"
		e.pathSwitch(ctx, tenant, m, after)
	default:
		for i, p := range o.Payloads {
			msg := nats.NewMsg(inbound.Subject(tenant))
			msg.Data = p.Data
			msg.Header.Set(inbound.HeaderTransportID, m.MessageID)
			msg.Header.Set(inbound.HeaderReceivedAt, now.UTC().Format(time.RFC3339))
			msg.Header.Set(HeaderNatsMsgID, IngestMsgID(tenant, m.MessageID, i))
			ack, err := e.js.PublishMsg(ctx, msg)
			if err != nil {
				e.log.Error().Err(err).Str("tenant", string(tenant)).Str("message_id", m.MessageID).Msg("AS4 hand-off to ingest failed")
				return e.refuse(ebms.NewError(ebms.CodeDeliveryFailure, m.MessageID, "hand-off to the application failed; send again"), m.To.ID)
			}
			rec.Published = append(rec.Published, fmt.Sprintf("%s:%d", ack.Stream, ack.Sequence))
		}
	}
	val, _ := json.Marshal(rec)
	if _, err := e.receipts.Create(ctx, key, val, jetstream.KeyTTL(e.window)); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			// A concurrent request with the same MessageId won; answer as it did.
			if st, ok := e.stored(ctx, key); ok {
				return e.duplicate(st, digest, m)
			}
		}
		// The payload is stored in MAKO_INGEST; the receipt is owed. A redelivery within the
		// stream's duplicate window is still deduplicated by Nats-Msg-Id, and ingest's inbox
		// accepts an interchange once.
		e.log.Error().Err(err).Str("message_id", m.MessageID).Msg("AS4 receipt not stored for dedup")
	}
	e.count(result)
	e.log.Info().Str("tenant", string(tenant)).Str("from", m.From.ID).Str("message_id", m.MessageID).Str("result", result).
		Strs("published", rec.Published).Msg("AS4 message received")
	return http.StatusOK, rc
}

// checkPartner checks the sender is a partner of tenant with AS4 data, the relationship allows
// the message and pinned signing certificates (if any) include the signer.
func (e *Endpoint) checkPartner(ctx context.Context, tenant engine.TenantID, o *ebms.Opened) *ebms.Error {
	m := o.Message
	ent, err := e.partners.Get(ctx, string(tenant), m.From.ID)
	if err != nil {
		if errors.Is(err, partner.ErrNotFound) {
			return ebms.NewError(ebms.CodeProcessingModeMismatch, m.MessageID, fmt.Sprintf("%s is no AS4 partner of %s", m.From.ID, m.To.ID))
		}
		return ebms.NewError(ebms.CodeOther, m.MessageID, "partner data unavailable")
	}
	var as4 *partner.AS4
	for _, ch := range ent.Partner.Channels {
		if ch.Transport == partner.TransportAS4 && ch.AS4 != nil {
			as4 = ch.AS4
			break
		}
	}
	if as4 == nil {
		return ebms.NewError(ebms.CodeProcessingModeMismatch, m.MessageID, fmt.Sprintf("%s has no AS4 channel with %s", m.From.ID, m.To.ID))
	}
	if len(as4.SigningCerts) > 0 {
		pinned := false
		for _, p := range as4.SigningCerts {
			if cs, err := ParseCertificates(p); err == nil && bytes.Equal(cs[0].Raw, o.Signer.Raw) {
				pinned = true
			}
		}
		if !pinned {
			return ebms.NewError(ebms.CodeFailedAuthentication, m.MessageID, "signature certificate is not among the partner's agreed certificates")
		}
	}
	if e.requireRel && !m.IsTest() && !m.IsPathSwitch() && as4.Relationship != partner.RelationshipConfirmed {
		return ebms.NewError(ebms.CodeProcessingModeMismatch, m.MessageID, fmt.Sprintf("AS4 relationship with %s is not confirmed by a path switch", m.From.ID))
	}
	return nil
}

func (e *Endpoint) stored(ctx context.Context, key string) (receiptRecord, bool) {
	ent, err := e.receipts.Get(ctx, key)
	if err != nil {
		return receiptRecord{}, false
	}
	var rec receiptRecord
	if json.Unmarshal(ent.Value(), &rec) != nil {
		return receiptRecord{}, false
	}
	return rec, true
}

// duplicate answers a MessageId seen before: the stored receipt for the same message, EBMS:0003
// for another message under the same id.
func (e *Endpoint) duplicate(st receiptRecord, digest []byte, m *ebms.UserMessage) (int, *ebms.Sealed) {
	if st.From != m.From.ID || !bytes.Equal(st.Digest, digest) {
		return e.refuse(ebms.NewError(ebms.CodeValueInconsistent, m.MessageID, "MessageId already used for a different message"), m.To.ID)
	}
	e.count("duplicate")
	e.log.Info().Str("from", m.From.ID).Str("message_id", m.MessageID).Msg("AS4 duplicate answered with its receipt")
	return http.StatusOK, &ebms.Sealed{MessageID: m.MessageID, ContentType: st.ContentType, Body: st.Receipt}
}

// refuse answers with an ebMS error signal: HTTP 503 for faults at this endpoint the sender
// should retry (EBMS:0004, EBMS:0202), else 200 with the error (the ebMS answer is the signal).
func (e *Endpoint) refuse(ee *ebms.Error, ownMPID string) (int, *ebms.Sealed) {
	e.count(ee.Code)
	e.log.Warn().Str("code", ee.Code).Str("message_id", ee.RefToMessageInError).Str("detail", ee.Detail).Msg("AS4 message refused")
	id := e.newID()
	if ownMPID != "" {
		id += "@" + ownMPID
	} else {
		id += "@mako"
	}
	s, err := ebms.ErrorResponse(ee, id, e.trust.now())
	if err != nil {
		return http.StatusInternalServerError, &ebms.Sealed{ContentType: "text/plain", Body: []byte(err.Error())}
	}
	status := http.StatusOK
	if ee.Code == ebms.CodeDeliveryFailure || ee.Code == ebms.CodeOther {
		status = http.StatusServiceUnavailable
	}
	return status, s
}

func (e *Endpoint) count(result string) {
	if e.counter != nil {
		e.counter.WithLabelValues(result).Inc()
	}
}

// messageDigest identifies a message's content for duplicate detection: parties, service,
// action and the decompressed payloads (not the signature or encryption, which differ between
// attempts).
func messageDigest(o *ebms.Opened) []byte {
	h := sha256.New()
	m := o.Message
	for _, s := range []string{m.From.ID, m.To.ID, m.Service, m.Action} {
		_ = binary.Write(h, binary.BigEndian, uint32(len(s)))
		h.Write([]byte(s))
	}
	for _, p := range o.Payloads {
		_ = binary.Write(h, binary.BigEndian, uint64(len(p.Data)))
		h.Write(p.Data)
	}
	return h.Sum(nil)
}

// pathSwitch handles a received path-switch message (WithPathSwitchConfirm).
func (e *Endpoint) pathSwitch(ctx context.Context, tenant engine.TenantID, m *ebms.UserMessage, after *func()) {
	if e.switcher == nil {
		return
	}
	log := e.log.With().Str("tenant", string(tenant)).Str("partner", m.From.ID).Str("message_id", m.MessageID).Logger()
	switch m.Action {
	case ebms.ActionConfirmSwitch:
		if err := setRelationship(ctx, e.partners, string(tenant), m.From.ID, partner.RelationshipConfirmed, partner.RelationshipRequested); err != nil {
			log.Error().Err(err).Msg("path switch: confirmation not recorded")
			return
		}
		log.Info().Msg("path switch confirmed by the partner")
	case ebms.ActionRequestSwitch:
		own := m.To.ID
		*after = func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			delay := time.Second
			for attempt := 1; ; attempt++ {
				err := e.switcher.ConfirmPathSwitch(ctx, string(tenant), own, m.From.ID)
				if err == nil {
					log.Info().Msg("path switch confirmed to the partner")
					return
				}
				log.Warn().Err(err).Int("attempt", attempt).Msg("path switch: confirmSwitch failed")
				select {
				case <-ctx.Done():
					log.Error().Msg("path switch: giving up; the partner requests again")
					return
				case <-time.After(delay):
				}
				delay = min(2*delay, time.Minute)
			}
		}
	}
}
