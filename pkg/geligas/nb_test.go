package geligas

import (
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
)

// anmeldung returns the LFN's 44001 for start, sent at at.
func anmeldung(t *testing.T, at, start time.Time, mod ...func(*RegisterSupplyStart)) engine.Outbound {
	t.Helper()
	c := reg(RegisterSupplyStart{Start: start})
	for _, m := range mod {
		m(&c)
	}
	d := newParty(t, "lfn").start(WorkflowLFNLieferbeginn).exec(at, c)
	return out(t, d, mpNB, "UTILMD", PIDAnmeldung)
}

// TestNBDirectRejections walks the E_3005 outcomes the master data allow:
// each answer's code, code list and AHB-dependent content.
func TestNBDirectRejections(t *testing.T) {
	other := nbMD()
	other.InGrid, other.SuccessorNB = false, mpLFA
	pending := nbMD()
	pending.PendingRegistration, pending.PendingStart, pending.NextProcessing = true, gas(2026, 12, 15), gas(2026, 11, 3)
	for _, c := range []struct {
		name      string
		md        MasterData
		start     time.Time
		code      string
		hasMaLo   bool
		party     string
		remark    bool
		z07, z08  time.Time
		otherDate bool
	}{
		{name: "unknown MaLo: A03 without LOC ([362])", md: MasterData{}, start: start, code: "A03"},
		{name: "MaLo of another NB: A04 with the successor in NAD+VY ([367]/[643])", md: other, start: start, code: "A04", hasMaLo: true, party: mpLFA},
		{name: "lead time (10 WT): E14 with FTX+ACB", md: nbMD(), start: gas(2026, 11, 16), code: "E14", hasMaLo: true, remark: true},
		{name: "Anmeldung in process: ZC5 with DTM+Z07/Z08 ([36])", md: pending, start: start, code: "ZC5", hasMaLo: true, z07: gas(2026, 12, 15), z08: gas(2026, 11, 3)},
	} {
		t.Run(c.name, func(t *testing.T) {
			nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
			d := nb.exec(t0, enriched(deliver(t, anmeldung(t, t0, c.start)), c.md))
			o := out(t, d, mpLFN, "UTILMD", PIDAnmeldungAbl)
			if code, list := answerOf(t, o); code != c.code || list != "G_0011" {
				t.Fatalf("answer %s:%s, want %s:G_0011", code, list, c.code)
			}
			tx := view(t, o)
			if _, ok := maloOf(tx); ok != c.hasMaLo {
				t.Errorf("LOC present %v, want %v", ok, c.hasMaLo)
			}
			var vy string
			for _, s := range tx.Segments {
				if s.Is("NAD", "VY") {
					vy = s.Value(1, 0)
				}
			}
			if vy != c.party {
				t.Errorf("NAD+VY %q, want %q", vy, c.party)
			}
			if _, ok := tx.Date("Z07"); ok != !c.z07.IsZero() {
				t.Errorf("DTM+Z07 present %v", ok)
			}
			if !c.z07.IsZero() && (!dateOf(tx, "Z07").Equal(c.z07) || !dateOf(tx, "Z08").Equal(c.z08)) {
				t.Errorf("Z07/Z08 %s %s", dateOf(tx, "Z07"), dateOf(tx, "Z08"))
			}
			if len(d.Outbound) != 1 || outcome(nb) != OutcomeRejected || !keyBound(nb, AnsweredKey(maloID)) {
				t.Fatalf("outbound %v outcome %s", pids(t, d), outcome(nb))
			}
		})
	}
}

// TestNBLeadTimeGastag: the lead time counts from the Gastag of receipt —
// an Anmeldung received at 05:30 local belongs to the previous Gastag and
// may start a day earlier than one received at 06:00 (fristen.GeLiGas).
func TestNBLeadTimeGastag(t *testing.T) {
	g, _ := fristen.NewGeLiGas(nil)
	early, late := berlin(2026, 11, 3, 5, 30), berlin(2026, 11, 3, 6, 0) // Tue; 05:30 is Gastag Mon 2nd
	first := g.EarliestStart(early, false)
	if !first.Before(g.EarliestStart(late, false)) {
		t.Fatalf("05:30 does not belong to the previous Gastag: %s", first)
	}
	for _, c := range []struct {
		at   time.Time
		want string
	}{{early, PIDAnmeldungBest}, {late, PIDAnmeldungAbl}} {
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		md := nbMD()
		md.Supplier = ""
		d := nb.exec(c.at, enriched(deliver(t, anmeldung(t, c.at, first)), md))
		out(t, d, mpLFN, "UTILMD", c.want)
		if rr := nb.s.Request; !rr.Gastag.Equal(fristen.GasDate(c.at).Add(6 * time.Hour)) {
			t.Errorf("Gastag of %s recorded as %s", c.at, rr.Gastag)
		}
	}
}

// TestNBMoveInRetro: an Einzug (E01) may start up to 42 days back, a
// Wechsel may not.
func TestNBMoveInRetro(t *testing.T) {
	md := nbMD()
	md.Supplier = ""
	back := gas(2026, 10, 1)
	for _, c := range []struct {
		reason, want string
	}{{"E01", PIDAnmeldungBest}, {"E03", PIDAnmeldungAbl}} {
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		d := nb.exec(t0, enriched(deliver(t, anmeldung(t, t0, back, func(r *RegisterSupplyStart) { r.Reason = c.reason })), md))
		out(t, d, mpLFN, "UTILMD", c.want)
	}
}

// TestNBLFARejects: the LFA's 44012 rejects the Anmeldung with Z35, the
// LFA's code in STS+Z35 and the LFA in NAD+VY ([84], [566]); no
// assignment changes.
func TestNBLFARejects(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	a := out(t, lfn.exec(t0, reg(RegisterSupplyStart{Start: start})), mpNB, "UTILMD", PIDAnmeldung)
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d := nb.exec(t0, enriched(deliver(t, a), nbMD()))
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	lfa := newParty(t, "lfa", WithERPDecision(0)).start(WorkflowLFAAbmeldeanfrage)
	d = lfa.exec(t0.Add(time.Hour), enriched(deliver(t, req), MasterData{Known: true, Supplied: true, ContractBinding: true}))
	rej := out(t, d, mpNB, "UTILMD", PIDAbmeldeanfrageAbl)
	if c, l := answerOf(t, rej); c != "Z12" || l != "G_0009" {
		t.Fatalf("44012 %s:%s", c, l)
	}
	if _, ok := has[SupplyEnded](lfa.all); ok {
		t.Fatal("LFA ended its supply although it objected")
	}
	d = nb.exec(t0.Add(2*time.Hour), deliver(t, rej))
	o := out(t, d, mpLFN, "UTILMD", PIDAnmeldungAbl)
	code, third := "", ""
	for _, s := range view(t, o).Statuses {
		switch s.Category {
		case "E01":
			code = s.Reasons[0].Value
		case "Z35":
			third = s.Reasons[0].Value
		}
	}
	if code != "Z35" || third != "Z12" {
		t.Fatalf("44003 %s / Z35 %s", code, third)
	}
	if _, ok := has[SupplierAssigned](nb.all); ok || outcome(nb) != OutcomeRejected {
		t.Fatalf("outcome %s", outcome(nb))
	}
	// The LFN learns the rejection and the LFA's code (STS+Z35).
	lfn.exec(t0.Add(150*time.Minute), deliver(t, o))
	if outcome(lfn) != OutcomeRejected || lfn.s.Answer == nil || lfn.s.Answer.Code != "Z35" || lfn.s.Answer.ThirdCode != "Z12" {
		t.Fatalf("LFN: %s %+v", outcome(lfn), lfn.s.Answer)
	}
	if _, ok := has[SupplierAssigned](lfn.all); ok {
		t.Fatal("LFN assigned after a rejection")
	}
	// A late second answer is recorded, nothing sent.
	d = nb.exec(t0.Add(3*time.Hour), deliver(t, rej))
	if len(d.Outbound) != 0 {
		t.Fatalf("late answer sent %v", pids(t, d))
	}
}

// TestNBLFASilent: no 44011/44012 by the deadline (end of the 3rd WT):
// the NB confirms (44002) and tells the LFA (44037 ZC8, DTM+93/159); a
// late answer is only noted.
func TestNBLFASilent(t *testing.T) {
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d := nb.exec(t0, enriched(deliver(t, anmeldung(t, t0, start)), nbMD()))
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	if due := nb.dl[labelLFA]; !due.Equal(berlin(2026, 11, 6, 0, 0)) { // Mon 2nd + 3 WT = Thu 5th, end of day
		t.Fatalf("LFA deadline %s", due.In(fristen.Berlin()))
	}
	d = nb.fire(labelLFA)
	if got := pids(t, d); len(got) != 2 || got[0] != PIDAnmeldungBest || got[1] != PIDInfoBeendigung {
		t.Fatalf("NB sent %v", got)
	}
	info := out(t, d, mpLFA, "UTILMD", PIDInfoBeendigung)
	if tx := view(t, info); !dateOf(tx, "93").Equal(start) || statusReason(tx) != "ZC8" {
		t.Fatalf("44037 %+v", tx.Statuses)
	}
	if e, ok := has[SupplyEnded](nb.all); !ok || e.Supplier != mpLFA {
		t.Fatal("LFA's supply not ended")
	}
	lfa := newParty(t, "lfa").start(WorkflowLFAAbmeldeanfrage)
	d = lfa.exec(berlin(2026, 11, 9, 9, 0), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	d = nb.exec(berlin(2026, 11, 9, 10, 0), deliver(t, out(t, lfa.exec(berlin(2026, 11, 9, 9, 30), Decide{Partner: mpNB, TransactionID: lfa.s.Request.TransactionID}), mpNB, "UTILMD", PIDAbmeldeanfrageBest)))
	if len(d.Outbound) != 0 || len(nb.s.Notes) == 0 {
		t.Fatalf("late answer: %v notes %v", pids(t, d), nb.s.Notes)
	}
	// The LFA records the 44037 in a geligas.lf.info process.
	li := newParty(t, "lfa").start(WorkflowLFInfo)
	d = li.exec(berlin(2026, 11, 6, 1, 0), deliver(t, info))
	if len(d.Outbound) != 0 || outcome(li) != OutcomeInformed {
		t.Fatalf("info: %v %s", pids(t, d), outcome(li))
	}
	if e, ok := has[SupplyEnded](li.all); !ok || e.Supplier != mpLFA || !e.Until.Equal(start) {
		t.Fatalf("LFA info supply end %+v", e)
	}
}

// TestNBNoLocation: without the NB's gas master data the Anmeldung is not
// confirmed with incomplete data: the process fails with the reason.
func TestNBNoLocation(t *testing.T) {
	md := nbMD()
	md.Supplier, md.Location = "", nil
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d := nb.exec(t0, enriched(deliver(t, anmeldung(t, t0, start)), md))
	if len(d.Outbound) != 0 || outcome(nb) != OutcomeFailed {
		t.Fatalf("%v %s", pids(t, d), outcome(nb))
	}
}

// TestNBAbmeldung walks E_3019: confirmation (44005 with DTM+93/159,
// supply ended), end already recorded, sender not the LF, and a confirmed
// Auszug that cancels a future assignment (44038 ZG9 with the LFA in
// NAD+VY, [571]).
func TestNBAbmeldung(t *testing.T) {
	end := gas(2027, 1, 1)
	future := gas(2027, 2, 1)
	for _, c := range []struct {
		name, reason string
		md           MasterData
		want, code   string
		info         bool
	}{
		{"confirmed", "Z33", MasterData{Known: true, InGrid: true, Supplier: mpLFA}, PIDAbmeldungBest, "E15", false},
		{"already ended", "E01", MasterData{Known: true, InGrid: true, Supplier: mpLFA, ConfirmedEnd: true}, PIDAbmeldungAbl, "E14", false},
		{"not the supplier", "E01", MasterData{Known: true, InGrid: true, Supplier: mpLFN}, PIDAbmeldungAbl, "E14", false},
		{"Auszug with a future supplier", "E01", MasterData{Known: true, InGrid: true, Supplier: mpLFA, FutureSupplier: mpLFN, FutureStart: future}, PIDAbmeldungBest, "E15", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			lf := newParty(t, "lfa").start(WorkflowLFLieferende)
			d := lf.exec(t0, RegisterSupplyEnd{MaLo: maloID, End: end, NB: mpNB, LF: mpLFA, Reason: c.reason})
			nb := newParty(t, "nb").start(WorkflowNBLieferende)
			d = nb.exec(t0.Add(time.Hour), enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAbmeldung)), c.md))
			o := out(t, d, mpLFA, "UTILMD", c.want)
			if code, _ := answerOf(t, o); code != c.code {
				t.Fatalf("code %s", code)
			}
			_, ended := has[SupplyEnded](nb.all)
			if ended != (c.want == PIDAbmeldungBest) {
				t.Fatalf("supply ended %v", ended)
			}
			if c.info {
				i := out(t, d, mpLFN, "UTILMD", PIDInfoAufhebung)
				if tx := view(t, i); !dateOf(tx, "92").Equal(future) || statusReason(tx) != "ZG9" {
					t.Fatalf("44038 %v", tx.Statuses)
				}
				if r, ok := has[AssignmentRevoked](nb.all); !ok || r.Supplier != mpLFN {
					t.Fatal("future assignment not revoked")
				}
				li := newParty(t, "lfn").start(WorkflowLFInfo)
				li.exec(t0.Add(2*time.Hour), deliver(t, i))
				if r, ok := has[AssignmentRevoked](li.all); !ok || r.Supplier != mpLFN || !r.From.Equal(future) || outcome(li) != OutcomeInformed {
					t.Fatalf("LFN info: %+v %s", r, outcome(li))
				}
			} else if len(d.Outbound) != 1 {
				t.Fatalf("sent %v", pids(t, d))
			}
			lf.exec(t0.Add(2*time.Hour), deliver(t, o))
			_, lfEnded := has[SupplyEnded](lf.all)
			if lfEnded != (c.want == PIDAbmeldungBest) || !lf.s.Done {
				t.Fatalf("LF side: ended %v done %v", lfEnded, lf.s.Done)
			}
		})
	}
}

// TestNBLeadTimeHolidays: the lead time counts Werktage of the BDEW
// calendar — Christmas, New Year and 06.01. are no Werktage: received on Fri
// 2026-12-18, the 10th WT is Fri 2027-01-08, so 2027-01-08 06:00 is refused
// and 2027-01-09 06:00 accepted.
func TestNBLeadTimeHolidays(t *testing.T) {
	at := berlin(2026, 12, 18, 9, 0)
	md := nbMD()
	md.Supplier = ""
	for _, c := range []struct {
		start time.Time
		want  string
	}{{gas(2027, 1, 8), PIDAnmeldungAbl}, {gas(2027, 1, 9), PIDAnmeldungBest}} {
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		d := nb.exec(at, enriched(deliver(t, anmeldung(t, at, c.start)), md))
		out(t, d, mpLFN, "UTILMD", c.want)
	}
}

// BenchmarkNBAnmeldung measures the NB's decision on a 44001: with an LFA
// (E_3005/E_3006, two UTILMDs built — 44036, 44010 — and each validated
// against its AHB by the outbound guard) and without one (the 44002 with
// the full master data, built and validated).
func BenchmarkNBAnmeldung(b *testing.B) {
	ws, err := Workflows()
	if err != nil {
		b.Fatal(err)
	}
	var nb flow
	for _, w := range ws {
		if w.Name() == WorkflowNBLieferbeginn {
			nb = w.(flow)
		}
	}
	c := reg(RegisterSupplyStart{Start: start})
	lfn, _ := newParty(b, "lfn").wfs[WorkflowLFNLieferbeginn]
	d, err := lfn.Handle(lfn.Initial(), engine.Command{ID: "b", ReceivedAt: t0.UTC(), Payload: c})
	if err != nil {
		b.Fatal(err)
	}
	tx := deliver(b, out(b, d, mpNB, "UTILMD", PIDAnmeldung))
	direct := nbMD()
	direct.Supplier = ""
	for _, c := range []struct {
		name string
		md   MasterData
	}{{"44036+44010", nbMD()}, {"44002", direct}} {
		cmd := engine.Command{ID: "c", ReceivedAt: t0.UTC(), FormatVersion: fv.MustParse("FV2610"), Payload: enriched(tx, c.md)}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := nb.Handle(nb.Initial(), cmd); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
