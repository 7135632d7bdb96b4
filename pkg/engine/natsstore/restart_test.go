package natsstore

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// TestRestartKeepsEverything stops the embedded server and starts it again
// on the same store directory: every commit, snapshot, registry entry and
// inbox key written before must still be there, and the OCC chain continues.
func TestRestartKeepsEverything(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	st := e.stores
	s := enginetest.NewStream()
	var v uint64
	for i, n := range []int{1, 3, 2} {
		out, err := st.Events.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, engine.CommandID(rune('a'+i)), n))
		if err != nil {
			t.Fatal(err)
		}
		v = out[len(out)-1].Sequence
	}
	before, err := st.Events.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	snap := engine.Snapshot{Stream: s, Sequence: 4, SchemaVersion: 2, State: []byte("state\x00")}
	if err := st.Snapshots.Save(ctx, snap); err != nil {
		t.Fatal(err)
	}
	id := enginetest.NewIdentity()
	key := engine.CorrelationKey("corr-1")
	if _, err := st.Registry.Register(ctx, enginetest.Tenant, key, id); err != nil {
		t.Fatal(err)
	}
	malo := engine.BusinessKey{Kind: inbound.KeyMaLo, Value: "51238696781"}
	if err := st.Registry.Correlate(ctx, enginetest.Tenant, malo, id); err != nil {
		t.Fatal(err)
	}
	inboxKey := "9900000000003:MSG-4711"
	if ok, err := st.Inbox.Accept(ctx, enginetest.Tenant, inboxKey); !ok || err != nil {
		t.Fatalf("accept = %v, %v", ok, err)
	}

	e.srv.Restart()
	_, js := e.srv.JetStream()
	re, err := Open(ctx, js) // bind only: everything must exist after restart
	if err != nil {
		t.Fatalf("open after restart: %v", err)
	}
	defer re.Close()

	after, err := re.Events.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("%d events after restart, %d before", len(after), len(before))
	}
	for i := range before {
		b, a := before[i], after[i]
		if a.EventID != b.EventID || a.Sequence != b.Sequence || !a.Timestamp.Equal(b.Timestamp) || !bytes.Equal(a.Payload, b.Payload) || a.Workflow != b.Workflow || a.CommandID != b.CommandID {
			t.Fatalf("event %d changed across restart: %+v vs %+v", i, a, b)
		}
	}
	if got, err := re.Events.Version(ctx, s); err != nil || got != v {
		t.Fatalf("version after restart = %d, %v; want %d", got, err, v)
	}
	// The OCC chain continues (a fresh store instance reads its anchor).
	if _, err := re.Events.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, "after", 1)); err != nil {
		t.Fatalf("append after restart: %v", err)
	}
	if _, err := re.Events.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, "stale", 1)); !errors.Is(err, engine.ErrConflict) {
		t.Fatalf("stale append after restart: %v, want conflict", err)
	}
	gotSnap, ok, err := re.Snapshots.Load(ctx, s)
	if err != nil || !ok || gotSnap.Sequence != 4 || gotSnap.SchemaVersion != 2 || !bytes.Equal(gotSnap.State, snap.State) {
		t.Fatalf("snapshot after restart = %+v, %v, %v", gotSnap, ok, err)
	}
	if got, ok, err := re.Registry.Lookup(ctx, enginetest.Tenant, key); err != nil || !ok || got != id {
		t.Fatalf("registry after restart = %v, %v, %v", got, ok, err)
	}
	if all, err := re.Registry.LookupAll(ctx, enginetest.Tenant, malo); err != nil || len(all) != 1 || all[0] != id {
		t.Fatalf("business key after restart = %v, %v", all, err)
	}
	if ok, err := re.Inbox.Accept(ctx, enginetest.Tenant, inboxKey); ok || err != nil {
		t.Fatalf("inbox after restart accepted the key again: %v, %v", ok, err)
	}
}

// TestBindFailsOnMissingOrWrongStreams: without WithEnsure, Open only binds
// and names the missing stream; an inbox bucket without per-key TTL is
// refused at bind time instead of failing on the first Accept.
func TestBindFailsOnMissingOrWrongStreams(t *testing.T) {
	ctx := context.Background()
	s := natstest.Start(t)
	_, js := s.JetStream()
	_, err := Open(ctx, js)
	var se *StoreError
	if !errors.As(err, &se) || se.Stream != DefaultEventStream || se.Op != "bind" {
		t.Fatalf("open without streams: %v", err)
	}
	if _, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: "plain_inbox"}); err != nil {
		t.Fatal(err)
	}
	_, err = NewInbox(ctx, js, WithBuckets("", "", "plain_inbox"))
	if !errors.As(err, &se) || se.Stream != "KV_plain_inbox" {
		t.Fatalf("inbox without TTL: %v", err)
	}
}
