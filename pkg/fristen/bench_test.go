package fristen

import (
	"context"
	"testing"
	"time"
)

var (
	sinkBool bool
	sinkTime time.Time
)

// instants spread over 2024–2026 in mixed locations, so the benchmark does not
// hit one cached day.
func benchInstants() []time.Time {
	out := make([]time.Time, 1024)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = base.Add(time.Duration(i) * 25 * time.Hour)
		if i%2 == 0 {
			out[i] = out[i].In(Berlin())
		}
	}
	return out
}

// BenchmarkIsWerktag measures IsWerktag on an instant (German local date
// lookup plus table), target ≤ 20 ns (issue 4).
func BenchmarkIsWerktag(b *testing.B) {
	c := Default()
	ts := benchInstants()
	for i := 0; b.Loop(); i++ {
		sinkBool = c.IsWerktag(ts[i&1023])
	}
}

// BenchmarkIsWerktagSlowPath is the same question answered by the rules and
// time.Time.In, for comparison (a calendar whose table excludes the dates).
func BenchmarkIsWerktagSlowPath(b *testing.B) {
	c, _ := New(WithTableRange(2000, 2000))
	ts := benchInstants()
	for i := 0; b.Loop(); i++ {
		sinkBool = c.IsWerktag(ts[i&1023])
	}
}

// BenchmarkAddWerktage measures AddWerktage(t, 10), result as time.Time.
func BenchmarkAddWerktage(b *testing.B) {
	c := Default()
	ts := benchInstants()
	for i := 0; b.Loop(); i++ {
		sinkTime = c.AddWerktage(ts[i&1023], 10)
	}
}

// BenchmarkAddPeriod42 measures a 42-WT exclusive period (MaBiS size).
func BenchmarkAddPeriod42(b *testing.B) {
	c := Default()
	ts := benchInstants()
	p := Period{N: 42, Unit: WT, End: Exclusive}
	for i := 0; b.Loop(); i++ {
		sinkTime = c.AddPeriod(ts[i&1023], p)
	}
}

// BenchmarkAPERAKDue measures one APERAK deadline (rule match + due time).
func BenchmarkAPERAKDue(b *testing.B) {
	a, _ := NewAPERAKClock(nil)
	ts := benchInstants()
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		d, _ := a.Due(ctx, APERAKRequest{Received: ts[i&1023], Sparte: Strom, MessageType: "MSCONS"})
		sinkTime = d.Due
	}
}

// BenchmarkNew measures building the default 2000–2100 calendar.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		c, _ := New()
		sinkBool = c.IsWerktag(time.Time{})
	}
}
