package engine_test

import (
	"testing"

	"github.com/mako-engine/mako/pkg/engine/enginetest"
	"github.com/mako-engine/mako/pkg/engine/memstore"
)

func memBackend(testing.TB) enginetest.Backend {
	return enginetest.Backend{Events: memstore.NewEventStore(), Snapshots: memstore.NewSnapshotStore()}
}

// BenchmarkExecuteHot: Execute on a cached process over the in-memory store
// (the engine's own overhead: decide, encode, append, decode, apply).
func BenchmarkExecuteHot(b *testing.B) { enginetest.BenchExecuteHot(b, memBackend) }

// BenchmarkReplay: state rebuild for 10..10000 events, full and from a
// snapshot, over the in-memory stores.
func BenchmarkReplay(b *testing.B) { enginetest.RunReplayBenchmarks(b, memBackend) }
