package ahb

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/fv"
)

// BenchmarkValidate55001 validates the realistic UTILMD 55001 (FV2610) after
// warm-up (data loaded and compiled). Goal (issue 11): ≤ 20 µs, ≤ 20 allocs.
func BenchmarkValidate55001(b *testing.B) {
	ix, err := edifact.Parse([]byte(utilmd55001(b)))
	if err != nil {
		b.Fatal(err)
	}
	m := &ix.Messages[0]
	if rep, err := Validate(m); err != nil || !rep.Clean() {
		b.Fatalf("warm-up: %v %+v", err, rep)
	}
	b.ReportAllocs()
	start := cpuUsed()
	for b.Loop() {
		if _, err := Validate(m); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkLoadFV decodes and compiles all data files of FV2610 (every
// message type), bypassing the memo. Goal (issue 11): ≤ 50 ms.
func BenchmarkLoadFV(b *testing.B) {
	v := fv.MustParse("FV2610")
	keys := Keys(v)
	if len(keys) < 18 {
		b.Fatalf("%d data files", len(keys))
	}
	b.ReportAllocs()
	start := cpuUsed()
	for b.Loop() {
		for _, k := range keys {
			if _, err := compile(k); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start)
}

// BenchmarkCompileFVEager decodes FV2610 and compiles every PID of every
// message type (what the first validation of each PID costs in total).
func BenchmarkCompileFVEager(b *testing.B) {
	v := fv.MustParse("FV2610")
	keys := Keys(v)
	b.ReportAllocs()
	for b.Loop() {
		for _, k := range keys {
			s, err := compile(k)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range s.PIDs() {
				if _, err := s.pid(p); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
