package console_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/bench"
	"github.com/mako-engine/mako/pkg/console"
)

// benchReceived is the receipt time of bench.Interchange: 2026-11-20 10:15 CET.
var benchReceived = time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)

// renderEDI validates each message against its AHB for the FV of the
// receipt time and places the findings at their segments.
func TestRenderEDIAHB(t *testing.T) {
	v := console.RenderEDI(bench.Interchange("R1", "TX1"), benchReceived)
	if len(v.AHB) != 1 || v.AHB[0].FV != "FV2610" || v.AHB[0].Summary() != "AHB: einwandfrei" || v.AHBCount != 0 {
		t.Fatalf("clean 55001: %+v", v.AHB)
	}
	bad := strings.Replace(string(bench.Interchange("R2", "TX2")), "DTM+92:202611232300?+00:303'", "", 1)
	bad = strings.Replace(bad, "UNT+23+1'", "UNT+22+1'", 1)
	v = console.RenderEDI([]byte(bad), benchReceived)
	if v.AHBCount == 0 || v.AHB[0].Findings != v.AHBCount || !strings.HasSuffix(v.AHB[0].Summary(), "AHB-Befunde") && v.AHB[0].Summary() != "1 AHB-Befund" {
		t.Fatalf("55001 without DTM+92: %+v", v.AHB)
	}
	n := 0
	for _, s := range v.Segments {
		for _, f := range s.AHB {
			n++
			if f.FV != "FV2610" || f.Rule == "" || f.Text == "" {
				t.Errorf("finding at %s: %+v", s.Tag, f)
			}
			if f.APERAK == "Z29" && !strings.Contains(f.Rule, "DTM") {
				t.Errorf("Z29 finding %s, want the missing DTM", f.Rule)
			}
		}
	}
	if n != v.AHBCount {
		t.Errorf("%d findings at segments, %d counted", n, v.AHBCount)
	}
	// An interchange pkg/ahb has no data for: a neutral note.
	v = console.RenderEDI([]byte(strings.Replace(string(bench.Interchange("R3", "TX3")), "RFF+Z13:55001'", "RFF+Z13:55999'", 1)), benchReceived)
	if len(v.AHB) != 1 || v.AHB[0].Note == "" || v.AHBCount != 0 {
		t.Fatalf("unknown PID: %+v", v.AHB)
	}
}

// BenchmarkRenderEDI measures what the console spends per rendered
// message: parse, syntax check, AHB validation and explanation of the
// benchmark's UTILMD 55001.
//
//	go test -run '^$' -bench RenderEDI -count 3 ./pkg/console
func BenchmarkRenderEDI(b *testing.B) {
	data := bench.Interchange("R1", "TX1")
	console.RenderEDI(data, benchReceived) // compile the PID once, as a running console has
	b.ReportAllocs()
	for b.Loop() {
		if v := console.RenderEDI(data, benchReceived); v.AHBCount != 0 || len(v.AHB) != 1 {
			b.Fatal(v.AHB)
		}
	}
}
