// Package delivery holds the commands with which the deliverer reports the
// outcome of an outbound message to the process that sent it.
//
// A workflow that wants to know register the types in its codec:
//
//	engine.NewCodec().…Command(delivery.Confirmed{}).Command(delivery.Failed{})
//
// The deliverer sends a report only to processes whose workflow codec
// registers the type; other workflows never see it (and the processor never
// dead-letters an unknown command because of it). Reports are commands on
// MAKO_COMMANDS with deterministic ids (ConfirmedID, FailedID), so a
// repeated report is a no-op in the engine.
//
// The package depends only on the engine, so workflow modules can import it
// without pulling in transports.
package delivery

import (
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// Command type names (stable; they are on the wire).
const (
	TypeConfirmed = "delivery.confirmed"
	TypeFailed    = "delivery.failed"
)

// Confirmed reports that a transport accepted an outbound message.
type Confirmed struct {
	// MessageID is the outbox message id (engine.MessageIDFor).
	MessageID string
	// InterchangeRef is the UNB 0020 of the delivered interchange.
	InterchangeRef string
	// Recipient is the partner's MP-ID.
	Recipient string
	// Transport is the channel kind used: http, file or nats.
	Transport string
	// Status is what the transport returned: the HTTP status line, "stored"
	// for a file, the JetStream ack for nats.
	Status string
	// RemoteID is the partner-side id, if any: a gateway message id, the file
	// name, "<stream>:<sequence>".
	RemoteID string
	// Body is an excerpt of the transport's answer (at most 512 bytes).
	Body string
	// Attempts is how many deliveries of the outbox message it took.
	Attempts int
	// At is when the transport accepted the message (the command's
	// ReceivedAt too). Decoded in the local zone; compare with Equal.
	At time.Time
}

// CommandType implements engine.CommandData.
func (Confirmed) CommandType() string { return TypeConfirmed }

// Failed reports that an outbound message was given up (dead-lettered with
// reason outbox_exhausted).
type Failed struct {
	MessageID      string
	InterchangeRef string
	Recipient      string
	// Reason says why: the retry window elapsed (with the last error), or
	// the transport refused the message permanently.
	Reason string
	// Attempts is how many deliveries were made.
	Attempts int
	At       time.Time
}

// CommandType implements engine.CommandData.
func (Failed) CommandType() string { return TypeFailed }

// ConfirmedID is the command id of the confirmation of outbox message id.
func ConfirmedID(messageID string) engine.CommandID {
	return engine.CommandID("delivery-confirmed." + messageID)
}

// FailedID is the command id of the failure report of outbox message id.
func FailedID(messageID string) engine.CommandID {
	return engine.CommandID("delivery-failed." + messageID)
}
