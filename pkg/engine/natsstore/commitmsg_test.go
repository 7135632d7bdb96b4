package natsstore

import (
	"context"
	"errors"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// TestEnvelopesFromMsgMatchesLoad reads commits with a plain consumer, as
// the relay does, and decodes them to the envelopes Load returns.
func TestEnvelopesFromMsgMatchesLoad(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores.Events
	s := enginetest.NewStream()
	if _, err := st.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c1", 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, s, engine.Exact(2), enginetest.NewEvents(s, "c2", 1)); err != nil {
		t.Fatal(err)
	}
	want, err := st.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	_, js := e.srv.JetStream()
	cons, err := js.OrderedConsumer(ctx, DefaultEventStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{st.Subject(s)}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	var got []engine.EventEnvelope
	for m := range batch.Messages() {
		md, _ := m.Metadata()
		envs, err := EnvelopesFromMsg(DefaultEventStream, DefaultSubjectPrefix, m.Subject(), md.Sequence.Stream, m.Data())
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, envs...)
	}
	if len(got) != len(want) {
		t.Fatalf("%d envelopes, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].EventID != want[i].EventID || got[i].Sequence != want[i].Sequence || !got[i].Timestamp.Equal(want[i].Timestamp) {
			t.Fatalf("envelope %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	_, err = EnvelopesFromMsg(DefaultEventStream, DefaultSubjectPrefix, "mako.evt.x", 7, nil)
	var se *StoreError
	if !errors.Is(err, engine.ErrInvalidID) || !errors.As(err, &se) || se.Sequence != 7 {
		t.Fatalf("foreign subject: %v", err)
	}
	_, err = EnvelopesFromMsg(DefaultEventStream, DefaultSubjectPrefix, st.Subject(s), 9, []byte("junk"))
	if !errors.Is(err, engine.ErrDecode) || !errors.As(err, &se) || se.Sequence != 9 {
		t.Fatalf("junk payload: %v", err)
	}
}

// TestCommitOf reads commits as a consumer receives them: a stored commit
// decodes to the envelopes Load returns with the message's stream
// sequence; a foreign payload on the stream keeps its metadata and fails
// with a decode error.
func TestCommitOf(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores.Events
	s := enginetest.NewStream()
	if _, err := st.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c1", 2)); err != nil {
		t.Fatal(err)
	}
	want, err := st.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	_, js := e.srv.JetStream()
	junk, err := js.Publish(ctx, st.Subject(enginetest.NewStream()), []byte("junk"))
	if err != nil {
		t.Fatal(err)
	}
	cons, err := js.OrderedConsumer(ctx, DefaultEventStream, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := cons.Fetch(2)
	if err != nil {
		t.Fatal(err)
	}
	var msgs []jetstream.Msg
	for m := range batch.Messages() {
		msgs = append(msgs, m)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	envs, md, err := CommitOf(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	if md == nil || md.Sequence.Stream != 1 || len(envs) != len(want) || envs[1].EventID != want[1].EventID {
		t.Fatalf("commit: %+v, metadata %+v, want %d envelopes at stream seq 1", envs, md, len(want))
	}
	envs, md, err = CommitOf(msgs[1])
	var se *StoreError
	if !errors.Is(err, engine.ErrDecode) || !errors.As(err, &se) || se.Sequence != junk.Sequence || envs != nil {
		t.Fatalf("junk payload: %v, %v", envs, err)
	}
	if md == nil || md.Sequence.Stream != junk.Sequence {
		t.Fatalf("junk payload: metadata %+v, want stream seq %d", md, junk.Sequence)
	}
}
