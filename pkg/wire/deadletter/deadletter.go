// Package deadletter records messages that mako cannot process.
//
// A dead letter is never a silent drop: it carries the reason, the original
// bytes (up to MaxExcerpt of them; the letter's Source names the stream and
// sequence of the original, which MAKO_INGEST keeps for 90 days) and an audit
// context (§147 AO / GoBD: message type, release, PID,
// sender, receiver, references, process, tenant, correlation and a German
// local timestamp) so an operator can see what happened and replay it.
// Dead letters are JSON messages on `mako.dlq.<tenant>` in stream MAKO_DLQ,
// readable with `nats stream view MAKO_DLQ`.
package deadletter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Berlin on hosts without a zoneinfo database

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Reason says why a message was dead-lettered. The values are stable and
// used as metric labels.
type Reason string

// The reasons a message can be dead-lettered.
const (
	// ReasonSyntax: the interchange failed the syntax checks (a CONTRL went back).
	ReasonSyntax Reason = "syntax_error"
	// ReasonUnknownPID: no workflow is registered for the Prüfidentifikator.
	ReasonUnknownPID Reason = "unknown_pid"
	// ReasonUnknownConversation: a follow-up message whose referenced process does not exist.
	ReasonUnknownConversation Reason = "unknown_conversation"
	// ReasonVersionMismatch: no workflow version accepts the message's format version.
	ReasonVersionMismatch Reason = "version_mismatch"
	// ReasonDuplicate: the interchange was already accepted (inbox).
	ReasonDuplicate Reason = "duplicate"
	// ReasonProcessing: a command kept failing in its workflow.
	ReasonProcessing Reason = "processing_error"
	// ReasonTestMessage: a test interchange (UNB 0035 = 1) arrived where test data is refused.
	ReasonTestMessage Reason = "test_message"
	// ReasonOutboxExhausted: an outbound message could not be delivered within the retry window.
	ReasonOutboxExhausted Reason = "outbox_exhausted"
	// ReasonMalformed: a message on a mako subject could not be decoded at all.
	ReasonMalformed Reason = "malformed"
	// ReasonAHB: an inbound transaction violates the AHB of its PID and
	// format version (pkg/ahb); an APERAK 313 went back, the letter's
	// detail lists the findings.
	ReasonAHB Reason = "ahb_violation"
)

// Audit is the audit context of a dead letter. Empty fields are omitted.
type Audit struct {
	Tenant         string `json:"tenant"`
	MessageType    string `json:"message_type,omitempty"`
	Release        string `json:"release,omitempty"`
	PID            string `json:"pid,omitempty"`
	Sender         string `json:"sender,omitempty"`
	Receiver       string `json:"receiver,omitempty"`
	InterchangeRef string `json:"interchange_ref,omitempty"`
	MessageRef     string `json:"message_ref,omitempty"`
	TransactionID  string `json:"transaction_id,omitempty"`
	Process        string `json:"process,omitempty"`
	Correlation    string `json:"correlation,omitempty"`
}

// Source names the message that was dead-lettered.
type Source struct {
	Stream   string `json:"stream,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Sequence uint64 `json:"sequence,omitempty"`
}

// Letter is one dead letter.
type Letter struct {
	Reason Reason `json:"reason"`
	Detail string `json:"detail"`
	Audit  Audit  `json:"audit"`
	Source Source `json:"source"`
	// At is when the letter was written, in German local time (RFC 3339 with offset).
	At string `json:"at"`
	// Payload holds the original bytes (base64 in JSON), at most
	// MaxExcerpt of them: Write cuts a longer payload to its first
	// MaxExcerpt bytes and sets PayloadTruncated; the whole original is the
	// message Source names.
	Payload []byte `json:"payload,omitempty"`
	// PayloadSize is the size of the original bytes (also when truncated).
	PayloadSize int `json:"payload_size,omitempty"`
	// PayloadTruncated is true when Payload is only an excerpt.
	PayloadTruncated bool `json:"payload_truncated,omitempty"`
}

// MaxExcerpt bounds the original bytes a letter embeds (64 KiB), and
// MaxDetail its Detail (16 KiB): a letter stays far below any NATS payload
// limit, so that it can always be written, whatever the size of the message
// it reports.
const (
	MaxExcerpt = 64 << 10
	MaxDetail  = 16 << 10
)

// bound cuts the payload and detail of l to MaxExcerpt and MaxDetail.
func bound(l Letter) Letter {
	if l.PayloadSize == 0 {
		l.PayloadSize = len(l.Payload)
	}
	if len(l.Payload) > MaxExcerpt {
		l.Payload, l.PayloadTruncated = l.Payload[:MaxExcerpt], true
	}
	if len(l.Detail) > MaxDetail {
		l.Detail = strings.ToValidUTF8(l.Detail[:MaxDetail], "") + fmt.Sprintf(" … (%d bytes of detail cut)", len(l.Detail)-MaxDetail)
	}
	return l
}

// Stream, subject prefix and headers of dead letters (streams/MAKO_DLQ.json).
const (
	// Stream holds the dead letters.
	Stream = "MAKO_DLQ"
	// SubjectPrefix + ".<tenant>" is the subject of a tenant's dead letters.
	SubjectPrefix = "mako.dlq"
	// HeaderReason is the letter's Reason.
	HeaderReason = "Mako-Dlq-Reason"
	// HeaderTenant is the letter's tenant.
	HeaderTenant = wire.HeaderTenant
	// HeaderProcess is the letter's process, if any.
	HeaderProcess = wire.HeaderProcess
)

// UnknownTenant is the tenant of a letter about a message whose tenant
// cannot be told (a malformed subject, no tenant header): its letter goes to
// `mako.dlq.unknown`.
const UnknownTenant = "unknown"

// Subject returns the dead-letter subject of a tenant.
func Subject(tenant string) string { return SubjectPrefix + "." + tenant }

// TenantFromSubject returns the tenant token of `mako.dlq.<tenant>`
// (UnknownTenant included, so the token is not validated as a tenant id);
// it fails unless the subject is exactly that.
func TenantFromSubject(subject string) (engine.TenantID, error) {
	tenant, err := wire.SoleTenantToken(SubjectPrefix, subject)
	return engine.TenantID(tenant), err
}

// Sink writes dead letters to MAKO_DLQ.
type Sink struct {
	js      jetstream.JetStream
	loc     *time.Location
	now     func() time.Time
	written func(Letter)
}

// SinkOption configures a Sink. An invalid option returns an error, which
// NewSink returns.
type SinkOption func(*Sink) error

// OnWrite calls f after every letter the stream acknowledged (metrics); f
// must not be nil.
func OnWrite(f func(Letter)) SinkOption {
	return func(s *Sink) error {
		if f == nil {
			return errors.New("deadletter: OnWrite with a nil function")
		}
		s.written = f
		return nil
	}
}

// NewSink returns a sink publishing with js. now may be nil (time.Now). It
// fails if an option is invalid.
func NewSink(js jetstream.JetStream, now func() time.Time, opts ...SinkOption) (*Sink, error) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, fmt.Errorf("deadletter: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	s := &Sink{js: js, loc: loc, now: now}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Write publishes l to `mako.dlq.<tenant>` and waits for the stream's ack.
// The message id is derived from the source, reason, message and
// transaction, so writing the same letter again (after a redelivery) stores
// it once. The payload is cut to MaxExcerpt and the detail to MaxDetail; if
// the server still refuses the letter as too large (a server configured with
// a tiny max_payload), it is written without the excerpt — the size of a
// message never keeps its dead letter from being written.
func (s *Sink) Write(ctx context.Context, l Letter) error {
	if l.Audit.Tenant == "" {
		return fmt.Errorf("deadletter: letter without tenant (reason %s)", l.Reason)
	}
	if l.At == "" {
		l.At = s.now().In(s.loc).Format(time.RFC3339)
	}
	l = bound(l)
	err := s.publish(ctx, l)
	if errors.Is(err, nats.ErrMaxPayload) && len(l.Payload) > 0 {
		l.Payload, l.PayloadTruncated = nil, true
		err = s.publish(ctx, l)
	}
	return err
}

func (s *Sink) publish(ctx context.Context, l Letter) error {
	b, err := json.Marshal(l)
	if err != nil {
		return fmt.Errorf("deadletter: encode: %w", err)
	}
	msg := nats.NewMsg(Subject(l.Audit.Tenant))
	msg.Data = b
	msg.Header.Set(HeaderReason, string(l.Reason))
	msg.Header.Set(HeaderTenant, l.Audit.Tenant)
	if l.Audit.Process != "" {
		msg.Header.Set(HeaderProcess, l.Audit.Process)
	}
	opts := []jetstream.PublishOpt{}
	if l.Source.Stream != "" && l.Source.Sequence != 0 {
		// One ingest message can yield several letters (one per rejected
		// transaction): the id names the message and transaction too.
		opts = append(opts, jetstream.WithMsgID(fmt.Sprintf("dlq.%s.%d.%s.%s.%s", l.Source.Stream, l.Source.Sequence, l.Reason, l.Audit.MessageRef, l.Audit.TransactionID)))
	}
	ack, err := s.js.PublishMsg(ctx, msg, opts...)
	if err != nil {
		return fmt.Errorf("deadletter: publish to %s: %w", msg.Subject, err)
	}
	if s.written != nil && !ack.Duplicate {
		s.written(l)
	}
	return nil
}

// Decode parses a dead letter read from MAKO_DLQ.
func Decode(b []byte) (Letter, error) {
	var l Letter
	if err := json.Unmarshal(b, &l); err != nil {
		return Letter{}, fmt.Errorf("deadletter: decode: %w", err)
	}
	return l, nil
}
