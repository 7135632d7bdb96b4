package malo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
)

// BenchmarkApply applies a supplier switch to a record with a year of history.
func BenchmarkApply(b *testing.B) {
	r := malo.Record{MaLo: maloA}
	for m := 1; m <= 12; m++ {
		sup := lfA
		if m%2 == 0 {
			sup = lfB
		}
		r = malo.Apply(r, malo.AssignSupplier(maloA, sup, time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC)))
	}
	c := malo.AssignSupplier(maloA, lfA, day("2026-12-01"))
	b.ReportAllocs()
	for b.Loop() {
		_ = malo.Apply(r, c)
	}
}

// BenchmarkApplyChangeNATS applies one change per op through the KV store
// (read, apply, compare-and-set write) on an embedded server.
func BenchmarkApplyChangeNATS(b *testing.B) {
	s := natstest.Start(b)
	_, js := s.JetStream()
	ctx := context.Background()
	st, err := malonats.OpenNATS(ctx, js, 0)
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	start := time.Now()
	for b.Loop() {
		// Two assignments taking turns: the record stays small (two
		// periods, the last 64 applied ids), as a MaLo's record does.
		sup, from := lfA, day("2026-01-01")
		if i%2 == 0 {
			sup, from = lfB, day("2026-06-01")
		}
		if _, err := malo.ApplyChange(ctx, st, "nb", fmt.Sprint(i), malo.AssignSupplier(maloA, sup, from)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(i)/time.Since(start).Seconds(), "changes/s")
}
