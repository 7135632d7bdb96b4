package gpke

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Every GPKE process binds its MaLo as a business key (inbound.KeyMaLo) in
// the decision in which it learns it, and only then: the LFN's from the ERP
// command, the NB's and the LFA's from the received request.
func TestProcessesBindTheirMaLoOnce(t *testing.T) {
	maloKeys := func(d engine.Decision) int {
		n := 0
		for _, k := range d.Correlate {
			if k.Kind == inbound.KeyMaLo {
				if k.Value != maloID {
					t.Fatalf("MaLo key %q, want %s", k.Value, maloID)
				}
				n++
			}
		}
		return n
	}
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d0 := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-1", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	if n := maloKeys(d0); n != 1 {
		t.Fatalf("LFN: %d MaLo keys in its first decision, want 1", n)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d := nb.Exec(t0.Add(time.Minute), enriched(deliver(t, out(t, d0, mpNB, "UTILMD", PIDAnmeldung)), mdNB()))
	if n := maloKeys(d); n != 1 {
		t.Fatalf("NB: %d MaLo keys in its first decision, want 1", n)
	}
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung)
	dl := lfa.Exec(t0.Add(3*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	if n := maloKeys(dl); n != 1 {
		t.Fatalf("LFA: %d MaLo keys in its first decision, want 1", n)
	}
	if n := maloKeys(lfa.Exec(t0.Add(10*time.Minute), Decide{Object: false})); n != 0 {
		t.Fatalf("LFA: MaLo bound again in a later decision (%d)", n)
	}
}
