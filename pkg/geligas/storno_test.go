package geligas

import (
	"encoding/hex"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// TestStorno: the LFN's Anmeldung process cancels its 44001 while the NB
// waits for the LFA (the ERP's geligas.request_cancellation is routed to
// it): 44022 with the 44001's category, the NB confirms (44023, process
// cancelled, LFA deadline cancelled) and cancels its open 44010, the LFA
// confirms without ending its supply, the NB records the LFA's 44023, the
// LFN's process ends cancelled on the 44023 and a later 44002 changes
// nothing; a Stornierung after the answer is refused (44024 E14 with
// FTX+ACB); WithStornoAccept(false) refuses and both processes go on.
func TestStorno(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{Start: start}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	anm := lfn.S.Out[0].TransactionID
	cancel := RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: anm, Category: "E01", MaLo: maloID}

	// Before the answer.
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0.Add(time.Minute), enriched(deliver(t, a), nbMD()))
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	lfa := newParty(t, "lfa").Start(WorkflowLFAAbmeldeanfrage)
	lfa.Exec(t0.Add(2*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	if _, err := lfn.Try(t0.Add(time.Hour), RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: anm, Category: "E99"}); err == nil {
		t.Fatal("category E99 accepted")
	}
	for _, c := range []RequestCancellation{
		{Sender: mpLFN, Recipient: mpNB, TransactionID: "unknown", Category: "E01"},
		{Sender: mpLFN, Recipient: mpLFA, TransactionID: anm, Category: "E01"},
	} {
		if d = lfn.Exec(t0.Add(time.Hour), c); len(d.Outbound) != 0 {
			t.Fatalf("44022 sent for %+v", c)
		}
		if _, ok := has[Noted](d.Events); !ok {
			t.Fatalf("refused %+v without a note", c)
		}
	}
	wrong := cancel
	wrong.Category = "E02"
	d = lfn.Exec(t0.Add(time.Hour), wrong)
	st := out(t, d, mpNB, "UTILMD", PIDStorno)
	if n, ok := has[Noted](d.Events); !ok || !contains(n.What, "replaced by E01") {
		t.Fatalf("the ERP's category E02 for a 44001 is not replaced and noted: %+v", d.Events)
	}
	if !contains(string(st.Payload), "BGM+E01+") {
		t.Fatalf("44022 BGM is not E01 (the 44001's category, AHB [500]):\n%s", st.Payload)
	}
	if ref, _ := view(t, st).Reference("ACW"); ref.Value != anm {
		t.Fatalf("44022 cancels %s, want %s", ref.Value, anm)
	}
	stTx := deliver(t, st)
	if !slices.Contains(d.Correlate, inbound.TransactionKey(mpLFN, stTx.TransactionID)) {
		t.Fatalf("the 44022's answer cannot find the LFN's process: %v", d.Correlate)
	}
	if lfn.S.Done {
		t.Fatal("LFN process ended before the answer")
	}
	d = nb.Exec(t0.Add(61*time.Minute), stTx)
	conf := out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	// The unanswered 44010 is cancelled too; the LFA confirms and ends its
	// decision without ending its supply; the NB records the answer.
	st2 := out(t, d, mpLFA, "UTILMD", PIDStorno)
	if ref, _ := view(t, st2).Reference("ACW"); ref.Value != nb.S.LFATx {
		t.Fatalf("44022 to the LFA cancels %s, want %s", ref.Value, nb.S.LFATx)
	}
	if !contains(string(st2.Payload), "BGM+E02+") {
		t.Fatalf("44022 to the LFA: BGM is not E02 (the 44010's category, AHB [500]):\n%s", st2.Payload)
	}
	d2 := lfa.Exec(t0.Add(62*time.Minute), deliver(t, st2))
	if outcome(lfa) != OutcomeCancelled {
		t.Fatalf("LFA outcome %s", outcome(lfa))
	}
	if _, ok := has[SupplyEnded](lfa.All); ok {
		t.Fatal("LFA ended its supply for a cancelled switch")
	}
	d = nb.Exec(t0.Add(63*time.Minute), deliver(t, out(t, d2, mpNB, "UTILMD", PIDStornoBest)))
	if ar, ok := has[AnswerReceived](d.Events); !ok || ar.PID != PIDStornoBest || !ar.Timely || len(d.Outbound) != 0 {
		t.Fatalf("NB did not record the LFA's 44023: %+v", d.Events)
	}
	if n, ok := has[Noted](d.Events); ok {
		t.Fatalf("NB: %s", n.What)
	}
	if c, l := answerOf(t, conf); c != "E15" || l != "G_0004" {
		t.Fatalf("44023 %s:%s", c, l)
	}
	if outcome(nb) != OutcomeCancelled || !keyBound(nb, AnsweredKey(maloID)) {
		t.Fatalf("NB outcome %s", outcome(nb))
	}
	if _, ok := nb.Deadlines[labelLFA]; ok {
		t.Fatal("LFA deadline not cancelled")
	}
	d = lfn.Exec(t0.Add(64*time.Minute), deliver(t, conf))
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeCancelled || outcome(lfn) != OutcomeCancelled {
		t.Fatalf("LFN events %+v", d.Events)
	}
	if len(d.Outbound) != 0 {
		t.Fatalf("LFN sent %d messages for the 44023 (Gas: no positive APERAK)", len(d.Outbound))
	}

	// After the answer: refused as late. The LFN records the 44002 of the
	// cancelled Anmeldung and stays cancelled.
	nb2 := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	md := nbMD()
	md.Supplier = ""
	d = nb2.Exec(t0.Add(time.Minute), enriched(deliver(t, a), md))
	late := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
	d = nb2.Exec(t0.Add(61*time.Minute), stTx)
	rej := out(t, d, mpLFN, "UTILMD", PIDStornoAbl)
	if c, l := answerOf(t, rej); c != "E14" || l != "G_0003" {
		t.Fatalf("44024 %s:%s", c, l)
	}
	if outcome(nb2) != OutcomeConfirmed {
		t.Fatalf("late storno changed the outcome: %s", outcome(nb2))
	}
	d = lfn.Exec(t0.Add(2*time.Hour), deliver(t, late))
	if ar, ok := has[AnswerReceived](d.Events); !ok || ar.Timely || len(d.Outbound) != 0 {
		t.Fatalf("late 44002: %+v, %d sent", d.Events, len(d.Outbound))
	}
	if _, ok := has[SupplierAssigned](lfn.All); ok || outcome(lfn) != OutcomeCancelled {
		t.Fatalf("LFN outcome %s after the late 44002", outcome(lfn))
	}

	// Refused by configuration: the NB's and the LFN's process go on; the
	// LFN completes with the 44002.
	lfn3 := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	a3 := out(t, lfn3.Exec(t0, reg(RegisterSupplyStart{Start: start})), mpNB, "UTILMD", PIDAnmeldung)
	nb3 := newParty(t, "nb", WithStornoAccept(false)).Start(WorkflowNBLieferbeginn)
	nb3.Exec(t0.Add(time.Minute), enriched(deliver(t, a3), nbMD()))
	d = lfn3.Exec(t0.Add(time.Hour), RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: lfn3.S.Out[0].TransactionID, Category: "E01"})
	d = nb3.Exec(t0.Add(61*time.Minute), deliver(t, out(t, d, mpNB, "UTILMD", PIDStorno)))
	lfn3.Exec(t0.Add(62*time.Minute), deliver(t, out(t, d, mpLFN, "UTILMD", PIDStornoAbl)))
	if nb3.S.Done || lfn3.S.Done {
		t.Fatalf("refused storno ended a process: NB %s, LFN %s", outcome(nb3), outcome(lfn3))
	}
	d = nb3.Fire(labelLFA)
	lfn3.Exec(t0.Add(time.Hour*80), deliver(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)))
	if outcome(lfn3) != OutcomeConfirmed {
		t.Fatalf("LFN outcome %s", outcome(lfn3))
	}

	// The LFA's Kündigung process: the LFN's Kündigung process cancels its
	// 44016 before the ERP decided; both end cancelled.
	lfnK, lfaK, _ := kuendigung(t, lfaMD)
	d = lfnK.Exec(t0.Add(2*time.Hour), RequestCancellation{Sender: mpLFN, Recipient: mpLFA, TransactionID: lfaK.S.Request.TransactionID, Category: "E35"})
	d = lfaK.Exec(t0.Add(121*time.Minute), deliver(t, out(t, d, mpLFA, "UTILMD", PIDStorno)))
	lfnK.Exec(t0.Add(122*time.Minute), deliver(t, out(t, d, mpLFN, "UTILMD", PIDStornoBest)))
	if outcome(lfaK) != OutcomeCancelled || outcome(lfnK) != OutcomeCancelled {
		t.Fatalf("LFA outcome %s, LFN outcome %s", outcome(lfaK), outcome(lfnK))
	}
	if _, ok := lfaK.Deadlines[labelDecision]; ok {
		t.Fatal("decision deadline not cancelled")
	}
}

// TestStornoRequestWorkflow: geligas.storno.request, which the ERP command
// started before it went to the sending process (streams stored then
// replay), still sends the 44022 when started directly and completes with
// the answer.
func TestStornoRequestWorkflow(t *testing.T) {
	_, lfa, _ := kuendigung(t, lfaMD)
	sr := newParty(t, "lfn").Start(WorkflowStornoRequest)
	d := sr.Exec(t0.Add(2*time.Hour), RequestCancellation{Sender: mpLFN, Recipient: mpLFA, TransactionID: lfa.S.Request.TransactionID, Category: "E35"})
	d = lfa.Exec(t0.Add(121*time.Minute), deliver(t, out(t, d, mpLFA, "UTILMD", PIDStorno)))
	sr.Exec(t0.Add(122*time.Minute), deliver(t, out(t, d, mpLFN, "UTILMD", PIDStornoBest)))
	if outcome(sr) != OutcomeConfirmed || outcome(lfa) != OutcomeCancelled {
		t.Fatalf("storno request outcome %s, LFA %s", outcome(sr), outcome(lfa))
	}
}

// TestSentBeforeCancelTx: a geligas.sent event stored before Sent had
// CancelTx (the msgpack of the earlier testdata/wire.golden) decodes with
// it empty.
func TestSentBeforeCancelTx(t *testing.T) {
	old, err := hex.DecodeString("89a3504944a3504944ad5472616e73616374696f6e4944ad5472616e73616374696f6e4944a8446f63756d656e74a8446f63756d656e74ae496e7465726368616e6765526566ae496e7465726368616e6765526566a9526563697069656e74a9526563697069656e74a4436f6465a4436f6465a44c697374a44c697374a941706572616b447565d6ff69c90630a24174d6ff69c8a3c0")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := flow{name: WorkflowLFNLieferbeginn}.Codec().DecodeEvent("geligas.sent", old)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := ev.(Sent); !ok || s.PID != "PID" || s.List != "List" || s.CancelTx != "" {
		t.Fatalf("decoded %#v", ev)
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
		lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
		d := lfn.Exec(c.received, reg(RegisterSupplyStart{Start: c.start}))
		a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
		if tx := view(t, a); !dateOf(tx, "92").Equal(c.start) {
			t.Fatalf("DTM+92 %s", dateOf(tx, "92"))
		}
		if !contains(string(a.Payload), "DTM+92:"+c.utc[:12]+"?+00:303") {
			t.Fatalf("DTM+92 not %s:\n%s", c.utc, a.Payload)
		}
		nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
		md := nbMD()
		md.Supplier = ""
		d = nb.Exec(c.received.Add(time.Minute), enriched(deliver(t, a), md))
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
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(at, reg(RegisterSupplyStart{Start: gas(2026, 10, 1)}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	if tx := deliver(t, a); tx.FormatVersion != "FV2604" {
		t.Fatalf("sent in %s", tx.FormatVersion)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(at.Add(time.Minute), enriched(deliver(t, a), nbMD()))
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	d = nb.Fire(labelLFA) // 3 WT later, still in September: FV2604
	conf := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBest)
	if tx := deliver(t, conf); tx.FormatVersion != "FV2604" {
		t.Fatalf("44002 in %s", tx.FormatVersion)
	}
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFAAbmeldeanfrage)
	d = lfa.Exec(berlin(2026, 10, 1, 9, 0), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	if tx := deliver(t, out(t, d, mpNB, "UTILMD", PIDAbmeldeanfrageBest)); tx.FormatVersion != "FV2610" {
		t.Fatalf("answer after the changeover in %s", tx.FormatVersion)
	}
}

// TestNBStornoOfItsAbmeldung: the NB's ERP cancels its own 44007 while the
// LF's ERP has not decided; the command reaches the NB's Abmeldung process,
// which sends the 44022 (BGM E02, the 44007's category) and ends cancelled
// on the LF's 44023 without sending anything; the LF's process ends
// cancelled too and neither side ends the LF's supply. A 44022 of its own
// is not cancelled again.
func TestNBStornoOfItsAbmeldung(t *testing.T) {
	nb := newParty(t, "nb").Start(WorkflowNBAbmeldung)
	d := nb.Exec(t0, DeregisterSupply{MaLo: maloID, End: gas(2027, 2, 1), NB: mpNB, LF: mpLFA})
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldungNB)
	lf := newParty(t, "lfa", WithERPDecision(time.Hour, PIDAbmeldungNB)).Start(WorkflowLFAbmeldungNB)
	if d = lf.Exec(t0.Add(time.Minute), enriched(deliver(t, req), MasterData{Known: true, Supplied: true})); len(d.Outbound) != 0 {
		t.Fatal("LF answered before its ERP decided")
	}
	d = nb.Exec(t0.Add(2*time.Minute), RequestCancellation{Sender: mpNB, Recipient: mpLFA, TransactionID: nb.S.Out[0].TransactionID, Category: "E02"})
	st := out(t, d, mpLFA, "UTILMD", PIDStorno)
	if !contains(string(st.Payload), "BGM+E02+") {
		t.Fatalf("44022 BGM is not E02:\n%s", st.Payload)
	}
	if _, ok := has[Noted](d.Events); ok {
		t.Fatalf("matching category noted: %+v", d.Events)
	}
	d = nb.Exec(t0.Add(2*time.Minute), RequestCancellation{Sender: mpNB, Recipient: mpLFA, TransactionID: nb.S.Out[1].TransactionID, Category: "E02"})
	if len(d.Outbound) != 0 {
		t.Fatal("a 44022 cancelled by a 44022")
	}
	d = lf.Exec(t0.Add(3*time.Minute), deliver(t, st))
	d = nb.Exec(t0.Add(4*time.Minute), deliver(t, out(t, d, mpNB, "UTILMD", PIDStornoBest)))
	if len(d.Outbound) != 0 || outcome(nb) != OutcomeCancelled || outcome(lf) != OutcomeCancelled {
		t.Fatalf("NB sent %d, NB %s, LF %s", len(d.Outbound), outcome(nb), outcome(lf))
	}
	for _, p := range []*proc{nb, lf} {
		if _, ok := has[SupplyEnded](p.All); ok {
			t.Fatal("supply ended for a cancelled Abmeldung")
		}
	}
}
