package deliverer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
)

// Delivery is one attempt to hand an outbox message to a partner.
type Delivery struct {
	// Message is the outbox message: id, tenant, sender, recipient, type,
	// interchange reference, process and the raw interchange bytes.
	Message outbox.Message
	// Channel is the partner channel chosen for this attempt.
	Channel partner.Channel
	// Attempt is the 1-based delivery count of the outbox message.
	Attempt int
	// CreatedAt is the outbox message's stream timestamp (the start of its
	// retry window).
	CreatedAt time.Time
}

// Receipt is what a transport returned for an accepted delivery. It is
// reported to the process (delivery.Confirmed) and logged. A synchronous AS4
// receipt fits here too: Status "receipt", RemoteID the ebMS MessageId,
// Body an excerpt of the signal.
type Receipt struct {
	// Status is the transport's verdict: an HTTP status line, "stored" or
	// "exists" for a file, "ack" or "duplicate" for nats.
	Status string
	// RemoteID is the partner-side id, if any.
	RemoteID string
	// Body is an excerpt of the answer (at most MaxBodyExcerpt bytes).
	Body string
}

// MaxBodyExcerpt bounds Receipt.Body and the body kept in errors.
const MaxBodyExcerpt = 512

// Transport hands a delivery to a partner.
//
// Contract: Send returns a Receipt only when the partner (or its gateway)
// has accepted the interchange; it must honour ctx (the deliverer bounds
// every call with the channel's timeout) and be idempotent for one
// Message.ID — a retry after a lost answer must not deliver twice where the
// transport can prevent it (HTTP: Idempotency-Key header; file: same name,
// same bytes; nats: Nats-Msg-Id). A failure is retried within the retry
// window unless the error is marked with Permanent (the partner refused this
// interchange itself; retrying cannot help).
type Transport interface {
	// Kind is the channel transport this implementation serves.
	Kind() partner.Transport
	// Send delivers d.
	Send(ctx context.Context, d Delivery) (Receipt, error)
}

// SendError is a failed send, with what the transport returned.
type SendError struct {
	// Transport is the channel kind.
	Transport partner.Transport
	// Recipient is the partner's MP-ID.
	Recipient string
	// Permanent is true when retrying cannot help.
	Permanent bool
	// Receipt holds what the partner answered, if it answered.
	Receipt Receipt
	// Err is the cause.
	Err error
}

func (e *SendError) Error() string {
	kind := "retryable"
	if e.Permanent {
		kind = "permanent"
	}
	s := fmt.Sprintf("deliverer: %s to %s failed (%s): %v", e.Transport, e.Recipient, kind, e.Err)
	if e.Receipt.Body != "" {
		s += ": " + e.Receipt.Body
	}
	return s
}

func (e *SendError) Unwrap() error { return e.Err }

// PermanentFailure reports whether retrying cannot help (the Permanent
// field), so worker.IsPermanent and worker.Classify see a refused send as
// permanent.
func (e *SendError) PermanentFailure() bool { return e.Permanent }

// Errors of the deliverer (wrapped with the message and partner concerned).
var (
	// ErrNoPartner: the recipient has no record in mako_partners for the
	// tenant. Retried within the window (an operator may add it).
	ErrNoPartner = errors.New("deliverer: no partner record")
	// ErrNoTransport: none of the partner's channels has a transport this
	// deliverer implements. Retried within the window.
	ErrNoTransport = errors.New("deliverer: no usable channel")
	// ErrWindowElapsed: the retry window of the message has passed.
	ErrWindowElapsed = errors.New("deliverer: retry window elapsed")
	// ErrCoolingDown: an earlier message to the same partner failed just
	// now; this one waits without trying.
	ErrCoolingDown = errors.New("deliverer: partner cooling down after a failure")
	// ErrBusy: a send to the same partner is running (in another lane);
	// this one waits without trying.
	ErrBusy = errors.New("deliverer: partner busy")
)
