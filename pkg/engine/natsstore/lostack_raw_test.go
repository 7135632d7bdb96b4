package natsstore

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"
)

// TestR1RetrySameMsgIDIsWrongLastSequence verifies nats.md §12 item 1 on R1:
// republishing the same Nats-Msg-Id with the same expected subject sequence
// after the first publish succeeded fails the OCC check (10071) instead of
// returning a duplicate ack, because on R1 the OCC check runs before dedup.
// The event store's lost-ack handling depends on this order being handled.
func TestR1RetrySameMsgIDIsWrongLastSequence(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t) // MAKO_EVENTS as defined in streams/
	_, js := e.srv.JetStream()
	ack, err := js.Publish(ctx, "mako.evt.t.p1", []byte("x"),
		jetstream.WithMsgID("cmd-1"), jetstream.WithExpectLastSequencePerSubject(0))
	if err != nil {
		t.Fatal(err)
	}
	if ack.Duplicate || ack.Sequence != 1 {
		t.Fatalf("first ack = %+v", ack)
	}
	_, err = js.Publish(ctx, "mako.evt.t.p1", []byte("x"),
		jetstream.WithMsgID("cmd-1"), jetstream.WithExpectLastSequencePerSubject(0))
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamWrongLastSequence {
		t.Fatalf("retry err = %v, want APIError 10071", err)
	}
	// Without the OCC header the same id is a duplicate with the original sequence.
	ack, err = js.Publish(ctx, "mako.evt.t.p1", []byte("x"), jetstream.WithMsgID("cmd-1"))
	if err != nil {
		t.Fatal(err)
	}
	if !ack.Duplicate || ack.Sequence != 1 {
		t.Fatalf("plain retry ack = %+v, want duplicate of seq 1", ack)
	}
	info, err := js.Stream(ctx, DefaultEventStream)
	if err != nil {
		t.Fatal(err)
	}
	if n := info.CachedInfo().State.Msgs; n != 1 {
		t.Fatalf("stream holds %d messages, want 1", n)
	}
}
