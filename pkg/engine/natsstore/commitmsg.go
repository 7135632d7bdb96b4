package natsstore

import (
	"github.com/mako-engine/mako/pkg/engine"
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
