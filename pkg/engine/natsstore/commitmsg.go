package natsstore

import (
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/nats-io/nats.go/jetstream"
)

// EnvelopesFromMsg decodes one commit message of the events stream, as a
// consumer on MAKO_EVENTS receives it (the effect relay, projections), into
// its committed envelopes. subject is the message subject
// (`<prefix>.<tenant>.<process>`), jsStream and seq its stream and stream
// sequence, used in errors. Failures are *StoreError wrapping an
// *engine.DecodeError (or engine.ErrInvalidID for a foreign subject), as for
// the store's own reads.
func EnvelopesFromMsg(jsStream, prefix, subject string, seq uint64, data []byte) ([]engine.EventEnvelope, error) {
	stream, err := engine.StreamFromSubject(prefix, subject)
	if err != nil {
		return nil, &StoreError{Op: "decode", Stream: jsStream, Subject: subject, Sequence: seq, Err: err}
	}
	rec, err := decodeCommit(stream, jsStream, subject, seq, data)
	if err != nil {
		return nil, err
	}
	envs, err := rec.envelopes(stream)
	if err != nil {
		return nil, &StoreError{Op: "decode", Stream: jsStream, Subject: subject, Sequence: seq, Err: err}
	}
	return envs, nil
}

// CommitOf decodes a commit message as a consumer on the events stream
// (DefaultEventStream, subjects under DefaultSubjectPrefix) receives it:
// its envelopes, and its JetStream metadata (stream sequence, timestamp).
// A message without metadata returns nil metadata and a *StoreError with
// Op "metadata"; an undecodable commit returns the metadata and the
// *StoreError of EnvelopesFromMsg. Both are faults of the message, not of
// the infrastructure: retrying does not help, so consumers classify them
// as permanent (or, like the projector, record them).
func CommitOf(msg jetstream.Msg) ([]engine.EventEnvelope, *jetstream.MsgMetadata, error) {
	md, err := msg.Metadata()
	if err != nil {
		return nil, nil, &StoreError{Op: "metadata", Stream: DefaultEventStream, Subject: msg.Subject(), Err: err}
	}
	envs, err := EnvelopesFromMsg(DefaultEventStream, DefaultSubjectPrefix, msg.Subject(), md.Sequence.Stream, msg.Data())
	if err != nil {
		return nil, md, err
	}
	return envs, md, nil
}
