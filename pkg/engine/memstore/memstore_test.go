package memstore_test

import (
	"context"
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
	enginetest.RunInbox(t, func(*testing.T) engine.Inbox { return memstore.NewInbox() })
	enginetest.RunOriginInbox(t, func(*testing.T) engine.OriginInbox { return memstore.NewInbox() })
}

func TestInboxRetention(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	in := memstore.NewInbox(memstore.WithClock(func() time.Time { return now }))
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
