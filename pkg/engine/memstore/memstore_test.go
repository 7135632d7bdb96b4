package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/memstore"
)

func TestEventStoreConformance(t *testing.T) {
	enginetest.RunEventStore(t, func(*testing.T) engine.EventStore { return memstore.NewEventStore() })
}

func TestSnapshotStoreConformance(t *testing.T) {
	enginetest.RunSnapshotStore(t, func(*testing.T) engine.SnapshotStore { return memstore.NewSnapshotStore() })
}

func TestRegistryConformance(t *testing.T) {
	enginetest.RunRegistry(t, func(*testing.T) engine.Registry { return memstore.NewRegistry() })
}

func TestInboxConformance(t *testing.T) {
	enginetest.RunInbox(t, func(t *testing.T) engine.Inbox { return newInbox(t) })
	enginetest.RunOriginInbox(t, func(t *testing.T) engine.OriginInbox { return newInbox(t) })
}

// newInbox returns a memstore inbox with opts or fails t.
func newInbox(t *testing.T, opts ...memstore.InboxOption) *memstore.Inbox {
	t.Helper()
	in, err := memstore.NewInbox(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestInvalidInboxOptionsAreRefused: NewInbox returns the error of an
// invalid option instead of ignoring it.
func TestInvalidInboxOptionsAreRefused(t *testing.T) {
	for name, o := range map[string]memstore.InboxOption{
		"zero retention":     memstore.WithRetention(0),
		"negative retention": memstore.WithRetention(-time.Hour),
		"nil clock":          memstore.WithClock(nil),
	} {
		if in, err := memstore.NewInbox(o); !errors.Is(err, engine.ErrInvalidArgument) || in != nil {
			t.Errorf("%s: inbox %v, err %v; want ErrInvalidArgument", name, in, err)
		}
	}
	if _, err := memstore.NewInbox(memstore.WithRetention(time.Hour), memstore.WithClock(time.Now)); err != nil {
		t.Errorf("valid options: %v", err)
	}
}

func TestInboxRetention(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	in := newInbox(t, memstore.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	for _, step := range []struct {
		advance time.Duration
		want    bool
	}{{0, true}, {95 * time.Hour, false}, {time.Hour, true}, {time.Hour, false}} {
		now = now.Add(step.advance)
		got, err := in.Accept(ctx, "t", "s:r")
		if err != nil || got != step.want {
			t.Fatalf("after +%v: Accept = %v, %v; want %v", step.advance, got, err, step.want)
		}
	}
}

func TestEngineConformance(t *testing.T) {
	enginetest.RunEngine(t, func(*testing.T) enginetest.Backend {
		return enginetest.Backend{Events: memstore.NewEventStore(), Snapshots: memstore.NewSnapshotStore(), Registry: memstore.NewRegistry()}
	})
}
