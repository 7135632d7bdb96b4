package geligas

import (
	"testing"
)

// Test times: the LFN registers on Mon 2026-11-02 for 2026-12-01 (lead time
// 10 WT → earliest 2026-11-17).
var (
	t0    = berlin(2026, 11, 2, 9, 0)
	start = gas(2026, 12, 1)
)

// nbMD is the NB's master data of a MaLo supplied by the LFA.
func nbMD() MasterData {
	return MasterData{Known: true, InGrid: true, Supplier: mpLFA, Location: testLocation()}
}

// TestLieferbeginnHappyPath: LFN 44001 → NB 44036 (LFN) + 44010 (LFA) →
// LFA 44011 (no contract binding) → NB 44002 → LFN; master data on both
// sides; every message AHB-clean; positive CONTRL and silence make the
// transactions received and processed.
func TestLieferbeginnHappyPath(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{Start: start}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)

	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0.Add(5*60e9), enriched(deliver(t, a), nbMD()))
	if got := pids(t, d); len(got) != 2 || got[0] != PIDInfoZuordnung || got[1] != PIDAbmeldeanfrage {
		t.Fatalf("NB sent %v, want 44036, 44010", got)
	}
	info := out(t, d, mpLFN, "UTILMD", PIDInfoZuordnung)
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	if _, ok := nb.Deadlines[labelLFA]; !ok {
		t.Fatal("no LFA deadline")
	}

	// LFN records the 44036 (follow-up of its Anmeldung).
	lfn.Exec(t0.Add(10*60e9), deliver(t, info))
	if len(lfn.S.Info) != 1 || lfn.S.Info[0].Party != mpLFA || lfn.S.Done {
		t.Fatalf("LFN info: %+v done=%v", lfn.S.Info, lfn.S.Done)
	}

	// LFA: supplied, no binding; decides at once (no ERP).
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFAAbmeldeanfrage)
	d = lfa.Exec(t0.Add(10*60e9), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	ans := out(t, d, mpNB, "UTILMD", PIDAbmeldeanfrageBest)
	if c, l := answerOf(t, ans); c != "E15" || l != "G_0010" {
		t.Fatalf("44011 answer %s:%s", c, l)
	}
	if e, ok := has[SupplyEnded](lfa.All); !ok || e.Supplier != mpLFA || !e.Until.Equal(start) {
		t.Fatalf("LFA supply end %+v", e)
	}

	d = nb.Exec(t0.Add(20*60e9), deliver(t, ans))
	conf := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
	if c, l := answerOf(t, conf); c != "E15" || l != "G_0012" {
		t.Fatalf("44002 answer %s:%s", c, l)
	}
	// The LFN's Bilanzkreis and billing interval of the 44001 and the NB's
	// master data (Marktgebiet, MeLo) are in the 44002.
	var z20, z19, z21 string
	for _, s := range view(t, conf).Segments {
		switch {
		case s.Is("DTM", "Z20"):
			z20 = s.Value(0, 1)
		case s.Is("CCI", "Z19"):
			z19 = s.Value(2, 0)
		case s.Is("CCI", "Z21"):
			z21 = s.Value(2, 0)
		}
	}
	if z20 != "12" || z19 != "THE0BFH026380000" || z21 != "37Y005053MH0000R" {
		t.Fatalf("44002 data: Z20 %q Z19 %q Z21 %q", z20, z19, z21)
	}
	if outcome(nb) != OutcomeConfirmed || !keyBound(nb, AnsweredKey(maloID)) || !keyBound(nb, MaLoKey(maloID)) {
		t.Fatalf("NB outcome %s keys %v", outcome(nb), nb.Keys)
	}
	if e, ok := has[SupplierAssigned](nb.All); !ok || e.Supplier != mpLFN || !e.From.Equal(start) {
		t.Fatalf("NB assignment %+v", e)
	}
	if _, ok := has[SupplyEnded](nb.All); !ok {
		t.Fatal("NB: LFA's supply not ended")
	}
	if got := pids(t, d); len(got) != 1 {
		t.Fatalf("NB sent %v after a timely 44011 (no 44037 expected)", got)
	}

	d = lfn.Exec(t0.Add(30*60e9), deliver(t, conf))
	if len(d.Outbound) != 0 {
		t.Fatalf("LFN answered the 44002 (Gas: no positive APERAK): %v", pids(t, d))
	}
	if outcome(lfn) != OutcomeConfirmed {
		t.Fatalf("LFN outcome %s", outcome(lfn))
	}
	if e, ok := has[SupplierAssigned](lfn.All); !ok || e.Supplier != mpLFN {
		t.Fatalf("LFN assignment %+v", e)
	}

	// Positive CONTRL: received; silence until the APERAK deadline: processed.
	lfn.Exec(t0.Add(31*60e9), contrl(t, a, t0.Add(31*60e9), true))
	if !lfn.S.Out[0].Received || lfn.S.Out[0].Aperak != "" {
		t.Fatalf("after positive CONTRL: %+v", lfn.S.Out[0])
	}
	lfn.Fire(labelAperak + lfn.S.Out[0].TransactionID)
	if p, ok := has[Processed](lfn.All); !ok || p.PID != PIDAnmeldung || lfn.S.Out[0].Aperak != "processed" {
		t.Fatalf("not processed: %+v %+v", p, lfn.S.Out[0])
	}
}

// TestRejectedInfoKeepsAnmeldung: the NB's first transaction in its
// Lieferbeginn is the 44036 to the LFN; an error APERAK (or a rejecting
// CONTRL) for it is recorded but does not fail the process — the NB still
// answers the 44001 once the LFA has answered its 44010.
func TestRejectedInfoKeepsAnmeldung(t *testing.T) {
	for _, viaContrl := range []bool{false, true} {
		lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
		a := out(t, lfn.Exec(t0, reg(RegisterSupplyStart{Start: start})), mpNB, "UTILMD", PIDAnmeldung)
		nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
		d := nb.Exec(t0.Add(5*60e9), enriched(deliver(t, a), nbMD()))
		info := out(t, d, mpLFN, "UTILMD", PIDInfoZuordnung)
		req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
		if viaContrl {
			nb.Exec(t0.Add(6*60e9), contrl(t, info, t0.Add(6*60e9), false))
		} else {
			nb.Exec(t0.Add(6*60e9), errorAperak(t, info, t0.Add(6*60e9), "Z14"))
		}
		if nb.S.Done || nb.S.Out[0].PID != PIDInfoZuordnung || nb.S.Out[0].Aperak == "" {
			t.Fatalf("contrl=%v: rejected 44036 ended the Anmeldung (%s) or was not recorded: %+v", viaContrl, outcome(nb), nb.S.Out[0])
		}
		lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFAAbmeldeanfrage)
		ans := out(t, lfa.Exec(t0.Add(10*60e9), enriched(deliver(t, req), MasterData{Known: true, Supplied: true})), mpNB, "UTILMD", PIDAbmeldeanfrageBest)
		out(t, nb.Exec(t0.Add(20*60e9), deliver(t, ans)), mpLFN, "UTILMD", PIDAnmeldungBest)
		if outcome(nb) != OutcomeConfirmed {
			t.Fatalf("contrl=%v: NB outcome %s", viaContrl, outcome(nb))
		}
	}
}
