package geligas

import (
	"testing"
	"time"
)

// TestStorno: the LFN cancels its Anmeldung while the NB waits for the LFA
// (44023, process cancelled, LFA deadline cancelled); a Stornierung after
// the answer is refused (44024 E14 with FTX+ACB); WithStornoAccept(false)
// refuses and the process goes on; the LFN's 44022 process completes with
// the answer.
func TestStorno(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(t0, reg(RegisterSupplyStart{Start: start}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	cancel := RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: lfn.s.Out[0].TransactionID, Category: "E01", MaLo: maloID}

	// Before the answer.
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d = nb.exec(t0.Add(time.Minute), enriched(deliver(t, a), nbMD()))
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	lfa := newParty(t, "lfa").start(WorkflowLFAAbmeldeanfrage)
	lfa.exec(t0.Add(2*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	sr := newParty(t, "lfn").start(WorkflowStornoRequest)
	d = sr.exec(t0.Add(time.Hour), cancel)
	st := out(t, d, mpNB, "UTILMD", PIDStorno)
	d = nb.exec(t0.Add(61*time.Minute), deliver(t, st))
	conf := out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	// The unanswered 44010 is cancelled too; the LFA confirms and ends its
	// decision without ending its supply; the NB records the answer.
	st2 := out(t, d, mpLFA, "UTILMD", PIDStorno)
	if ref, _ := view(t, st2).Reference("ACW"); ref.Value != nb.s.LFATx {
		t.Fatalf("44022 to the LFA cancels %s, want %s", ref.Value, nb.s.LFATx)
	}
	d2 := lfa.exec(t0.Add(62*time.Minute), deliver(t, st2))
	if outcome(lfa) != OutcomeCancelled {
		t.Fatalf("LFA outcome %s", outcome(lfa))
	}
	if _, ok := has[SupplyEnded](lfa.all); ok {
		t.Fatal("LFA ended its supply for a cancelled switch")
	}
	nb.exec(t0.Add(63*time.Minute), deliver(t, out(t, d2, mpNB, "UTILMD", PIDStornoBest)))
	if outcome(nb) != OutcomeCancelled {
		t.Fatalf("NB outcome after the LFA's 44023: %s", outcome(nb))
	}
	if c, l := answerOf(t, conf); c != "E15" || l != "G_0004" {
		t.Fatalf("44023 %s:%s", c, l)
	}
	if outcome(nb) != OutcomeCancelled || !keyBound(nb, AnsweredKey(maloID)) {
		t.Fatalf("NB outcome %s", outcome(nb))
	}
	if _, ok := nb.dl[labelLFA]; ok {
		t.Fatal("LFA deadline not cancelled")
	}
	sr.exec(t0.Add(62*time.Minute), deliver(t, conf))
	if outcome(sr) != OutcomeConfirmed {
		t.Fatalf("storno request outcome %s", outcome(sr))
	}

	// After the answer: refused as late.
	nb2 := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	md := nbMD()
	md.Supplier = ""
	nb2.exec(t0.Add(time.Minute), enriched(deliver(t, a), md))
	d = nb2.exec(t0.Add(61*time.Minute), deliver(t, st))
	rej := out(t, d, mpLFN, "UTILMD", PIDStornoAbl)
	if c, l := answerOf(t, rej); c != "E14" || l != "G_0003" {
		t.Fatalf("44024 %s:%s", c, l)
	}
	if outcome(nb2) != OutcomeConfirmed {
		t.Fatalf("late storno changed the outcome: %s", outcome(nb2))
	}

	// Refused by configuration: the process goes on.
	nb3 := newParty(t, "nb", WithStornoAccept(false)).start(WorkflowNBLieferbeginn)
	nb3.exec(t0.Add(time.Minute), enriched(deliver(t, a), nbMD()))
	d = nb3.exec(t0.Add(61*time.Minute), deliver(t, st))
	out(t, d, mpLFN, "UTILMD", PIDStornoAbl)
	if nb3.s.Done {
		t.Fatal("refused storno ended the process")
	}

	// The LFA's Kündigung process: the LFN cancels before the ERP decided.
	_, lfa, _ = kuendigung(t, lfaMD)
	ks := newParty(t, "lfn").start(WorkflowStornoRequest)
	d = ks.exec(t0.Add(2*time.Hour), RequestCancellation{Sender: mpLFN, Recipient: mpLFA, TransactionID: lfa.s.Request.TransactionID, Category: "E35"})
	d = lfa.exec(t0.Add(121*time.Minute), deliver(t, out(t, d, mpLFA, "UTILMD", PIDStorno)))
	out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	if outcome(lfa) != OutcomeCancelled {
		t.Fatalf("LFA outcome %s", outcome(lfa))
	}
	if _, ok := lfa.dl[labelDecision]; ok {
		t.Fatal("decision deadline not cancelled")
	}
}

// TestDSTNight: a switch whose Lieferbeginn is the Gastag after the DST
// change (2027-03-28 06:00 CEST = 04:00Z; 2026-10-25 06:00 CET = 05:00Z):
// DTM+92 carries the UTC instant of 06:00 local, the answers echo it, and
// the lead time counts Werktage across the night.
func TestDSTNight(t *testing.T) {
	for _, c := range []struct {
		received, start time.Time
		utc             string
	}{
		{berlin(2027, 3, 5, 9, 0), gas(2027, 3, 28), "202703280400+00"},
		{berlin(2026, 10, 2, 9, 0), gas(2026, 10, 25), "202610250500+00"},
	} {
		lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
		d := lfn.exec(c.received, reg(RegisterSupplyStart{Start: c.start}))
		a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
		if tx := view(t, a); !dateOf(tx, "92").Equal(c.start) {
			t.Fatalf("DTM+92 %s", dateOf(tx, "92"))
		}
		if !contains(string(a.Payload), "DTM+92:"+c.utc[:12]+"?+00:303") {
			t.Fatalf("DTM+92 not %s:\n%s", c.utc, a.Payload)
		}
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		md := nbMD()
		md.Supplier = ""
		d = nb.exec(c.received.Add(time.Minute), enriched(deliver(t, a), md))
		conf := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
		if !dateOf(view(t, conf), "92").Equal(c.start) {
			t.Fatal("44002 date")
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestFV2604: a process started before 2026-10-01 sends in FV2604 (UTILMD
// Gas of that version, AHB-clean); its answer after the changeover is sent
// in FV2610.
func TestFV2604(t *testing.T) {
	at := berlin(2026, 9, 10, 9, 0)
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(at, reg(RegisterSupplyStart{Start: gas(2026, 10, 1)}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	if tx := deliver(t, a); tx.FormatVersion != "FV2604" {
		t.Fatalf("sent in %s", tx.FormatVersion)
	}
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d = nb.exec(at.Add(time.Minute), enriched(deliver(t, a), nbMD()))
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	d = nb.fire(labelLFA) // 3 WT later, still in September: FV2604
	conf := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
	if tx := deliver(t, conf); tx.FormatVersion != "FV2604" {
		t.Fatalf("44002 in %s", tx.FormatVersion)
	}
	lfa := newParty(t, "lfa", WithERPDecision(0)).start(WorkflowLFAAbmeldeanfrage)
	d = lfa.exec(berlin(2026, 10, 1, 9, 0), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	if tx := deliver(t, out(t, d, mpNB, "UTILMD", PIDAbmeldeanfrageBest)); tx.FormatVersion != "FV2610" {
		t.Fatalf("answer after the changeover in %s", tx.FormatVersion)
	}
}
