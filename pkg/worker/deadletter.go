package worker

import (
	"context"
	"strings"

	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/nats-io/nats.go/jetstream"
)

// LetterWriter writes dead letters (deadletter.Sink).
type LetterWriter interface {
	Write(ctx context.Context, l deadletter.Letter) error
}

// Describe says what the dead letter of a message that will not be retried
// holds: reason, detail, audit context and, where useful, the payload. It
// must not do I/O; the message's source is filled in by DeadLetter.
type Describe func(msg jetstream.Msg, cause error) deadletter.Letter

// DeadLetter returns the Exhausted callback every mako worker uses
// (WithExhausted): it writes the letter describe gives for the message to
// MAKO_DLQ, with Source set to stream, the message's subject and its stream
// sequence, and the tenant deadletter.UnknownTenant when describe could not
// tell it. If the write fails the message is kept for redelivery (see Run).
func DeadLetter(w LetterWriter, stream string, describe Describe) ExhaustedFunc {
	return func(ctx context.Context, msg jetstream.Msg, cause error) error {
		l := describe(msg, cause)
		var seq uint64
		if md, err := msg.Metadata(); err == nil {
			seq = md.Sequence.Stream
		}
		l.Source = deadletter.Source{Stream: stream, Subject: msg.Subject(), Sequence: seq}
		if strings.TrimSpace(l.Audit.Tenant) == "" {
			l.Audit.Tenant = deadletter.UnknownTenant
		}
		return w.Write(ctx, l)
	}
}
