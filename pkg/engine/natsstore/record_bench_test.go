package natsstore

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// BenchmarkDecodeCommit measures decoding one single-event commit record
// (200-byte payload) into envelopes, the per-message CPU cost of a replay.
func BenchmarkDecodeCommit(b *testing.B) {
	s := enginetest.NewStream()
	evs := benchEvents(s, "c", 200)
	rec := newCommitRecord(s, 1, time.Now(), evs)
	m, err := rec.message("mako.evt.x.y", "id")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		r, err := decodeCommit(s, DefaultEventStream, "mako.evt.x.y", 1, m.Data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.envelopes(s); err != nil {
			b.Fatal(err)
		}
	}
}
