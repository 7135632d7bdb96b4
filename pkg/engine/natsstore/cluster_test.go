package natsstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// TestR3 runs the store on a 3-node cluster with R3 streams: the
// conformance suites, the duplicate-ack path of a lost-ack retry (on R>1
// dedup precedes the OCC check, nats.md §3.2), and concurrent appends that
// the leader may reject with 10164.
func TestR3(t *testing.T) {
	if testing.Short() {
		t.Skip("cluster test")
	}
	ctx := context.Background()
	c := natstest.StartCluster(t, 3)
	_, js := c.JetStream()
	st, err := Open(ctx, js, WithEnsure(3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	codes := map[jetstream.ErrorCode]int{}

	t.Run("server: same Nats-Msg-Id and expected sequence is a duplicate ack on R3", func(t *testing.T) {
		subj := "mako.evt.r3raw.p1"
		ack, err := js.Publish(ctx, subj, []byte("x"), jetstream.WithMsgID("r3-cmd-1"), jetstream.WithExpectLastSequencePerSubject(0))
		if err != nil {
			t.Fatal(err)
		}
		again, err := js.Publish(ctx, subj, []byte("x"), jetstream.WithMsgID("r3-cmd-1"), jetstream.WithExpectLastSequencePerSubject(0))
		if err != nil || !again.Duplicate || again.Sequence != ack.Sequence {
			t.Fatalf("retry = %+v, %v; want duplicate of %d", again, err, ack.Sequence)
		}
	})
	t.Run("server: racing OCC publishes on R3 fail with 10071 or 10164, both conflicts", func(t *testing.T) {
		for round := range 5 {
			subj := fmt.Sprintf("mako.evt.r3race.p%d", round)
			const n = 10
			var wg sync.WaitGroup
			results := make(chan error, n)
			for i := range n {
				wg.Go(func() {
					_, err := js.Publish(ctx, subj, []byte("x"), jetstream.WithMsgID(fmt.Sprint(subj, i)), jetstream.WithExpectLastSequencePerSubject(0))
					results <- err
				})
			}
			wg.Wait()
			close(results)
			ok := 0
			for err := range results {
				if err == nil {
					ok++
					continue
				}
				var apiErr *jetstream.APIError
				if !errors.As(err, &apiErr) || !isConflict(err) {
					t.Fatalf("racing publish failed with %v, want 10071/10164", err)
				}
				codes[apiErr.ErrorCode]++
			}
			if ok != 1 {
				t.Fatalf("%d racing publishes succeeded, want 1", ok)
			}
		}
		t.Logf("conflict codes seen: %v", codes)
	})
	t.Run("lost ack on R3 is answered by a duplicate ack and written once", func(t *testing.T) {
		s := enginetest.NewStream()
		if _, err := st.Events.Append(ctx, s, engine.NoStream(), enginetest.NewEvents(s, "c0", 1)); err != nil {
			t.Fatal(err)
		}
		st.Events.loseAck = func(attempt int) bool { return attempt == 0 }
		out, err := st.Events.Append(ctx, s, engine.Exact(1), enginetest.NewEvents(s, "c1", 2))
		st.Events.loseAck = nil
		if err != nil || len(out) != 2 || out[0].Sequence != 2 {
			t.Fatalf("append = %+v, %v", out, err)
		}
		evs, err := st.Events.Load(ctx, s)
		if err != nil || len(evs) != 3 {
			t.Fatalf("load = %d events, %v", len(evs), err)
		}
	})
	t.Run("concurrent appends to one process: conflicts (10071/10164) only, gap-free", func(t *testing.T) {
		s := enginetest.NewStream()
		const writers = 20
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for attempt := 0; attempt < 50*writers; attempt++ {
					v, err := st.Events.Version(ctx, s)
					if err != nil {
						errs <- err
						return
					}
					_, err = st.Events.Append(ctx, s, engine.Exact(v), enginetest.NewEvents(s, engine.CommandID(fmt.Sprint("w", w)), 1))
					if errors.Is(err, engine.ErrConflict) {
						time.Sleep(time.Duration(attempt%5) * time.Millisecond)
						continue
					}
					if err != nil {
						errs <- err
					}
					return
				}
				errs <- fmt.Errorf("writer %d gave up", w)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		evs, err := st.Events.Load(ctx, s)
		if err != nil || len(evs) != writers {
			t.Fatalf("load = %d events, %v", len(evs), err)
		}
		for i, e := range evs {
			if e.Sequence != uint64(i+1) {
				t.Fatalf("gap at %d: %d", i, e.Sequence)
			}
		}
	})
	t.Run("event store conformance", func(t *testing.T) {
		enginetest.RunEventStore(t, func(*testing.T) engine.EventStore { return st.Events })
	})
	t.Run("snapshot store conformance", func(t *testing.T) {
		enginetest.RunSnapshotStore(t, func(*testing.T) engine.SnapshotStore { return st.Snapshots })
	})
	t.Run("registry conformance", func(t *testing.T) {
		enginetest.RunRegistry(t, func(*testing.T) engine.Registry { return st.Registry })
	})
	t.Run("inbox conformance", func(t *testing.T) {
		enginetest.RunInbox(t, func(*testing.T) engine.Inbox { return st.Inbox })
	})
}
