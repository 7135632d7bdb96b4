package natsstore

import (
	"context"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// env is one embedded server with the engine streams and all four stores.
type env struct {
	srv    *natstest.Server
	stores *Stores
}

func newEnv(t testing.TB, opts ...Option) *env {
	t.Helper()
	s := natstest.Start(t)
	_, js := s.JetStream()
	st, err := Open(context.Background(), js, append([]Option{WithEnsure(0)}, opts...)...)
	if err != nil {
		t.Fatalf("open stores: %v", err)
	}
	t.Cleanup(st.Close)
	return &env{srv: s, stores: st}
}

func TestEventStoreConformance(t *testing.T) {
	e := newEnv(t)
	enginetest.RunEventStore(t, func(*testing.T) engine.EventStore { return e.stores.Events })
}

func TestEventStoreConformanceWithoutCache(t *testing.T) {
	e := newEnv(t, WithCacheSize(0), WithReadBatch(2), WithConsumerThreshold(3))
	enginetest.RunEventStore(t, func(*testing.T) engine.EventStore { return e.stores.Events })
}

func TestSnapshotStoreConformance(t *testing.T) {
	e := newEnv(t)
	enginetest.RunSnapshotStore(t, func(*testing.T) engine.SnapshotStore { return e.stores.Snapshots })
}

func TestRegistryConformance(t *testing.T) {
	e := newEnv(t)
	enginetest.RunRegistry(t, func(*testing.T) engine.Registry { return e.stores.Registry })
}

func TestInboxConformance(t *testing.T) {
	e := newEnv(t)
	enginetest.RunInbox(t, func(*testing.T) engine.Inbox { return e.stores.Inbox })
	enginetest.RunOriginInbox(t, func(*testing.T) engine.OriginInbox { return e.stores.Inbox })
}

// The engine's end-to-end guarantees hold on the JetStream stores too (the
// same suite memstore runs).
func TestEngineConformance(t *testing.T) {
	e := newEnv(t)
	enginetest.RunEngine(t, func(*testing.T) enginetest.Backend {
		return enginetest.Backend{Events: e.stores.Events, Snapshots: e.stores.Snapshots, Registry: e.stores.Registry}
	})
}
