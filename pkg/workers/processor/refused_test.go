package processor

import (
	"errors"
	"fmt"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/metrics"
)

// TestRefusedCountsAHBRefusals: a decision refused because its outbound
// message violates the AHB (an ahb.Refusal anywhere in the error chain, as
// the engine wraps it) is counted per PID in
// mako_ahb_refused_total{direction="outbound"}; other failures are not.
func TestRefusedCountsAHBRefusals(t *testing.T) {
	m := metrics.New()
	p := &Processor{metrics: m}
	refusal := &gpke.NonConformantError{Workflow: "gpke.nb", FV: "FV2610", MessageType: "UTILMD", PIDs: []string{"55002", "55007"}}
	p.refused(fmt.Errorf("processor: command c1: %w", fmt.Errorf("%w: %w", engine.ErrDecision, refusal)))
	p.refused(fmt.Errorf("processor: command c2: %w", engine.ErrConflict))
	p.refused(errors.New("some other failure"))
	got := map[string]float64{}
	fams, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "mako_ahb_refused_total" {
			continue
		}
		for _, mt := range f.GetMetric() {
			labels := map[string]string{}
			for _, lp := range mt.GetLabel() {
				labels[lp.GetName()] = lp.GetValue()
			}
			got[labels["direction"]+"/"+labels["pid"]] += mt.GetCounter().GetValue()
		}
	}
	if len(got) != 2 || got["outbound/55002"] != 1 || got["outbound/55007"] != 1 {
		t.Fatalf("mako_ahb_refused_total %v, want outbound/55002 and outbound/55007 once each", got)
	}
}
