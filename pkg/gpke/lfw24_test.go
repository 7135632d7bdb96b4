package gpke

import (
	"context"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Issue 13: the LFW24 decisions added to the switch.

// A confirmed Stornierung of the Anmeldung stops the NB's process: 55023,
// its deadlines cancelled, no 55002/55007 and no master-data change when
// the LFA's consent arrives afterwards; a second (late) one is refused.
func TestStornoStopsTheCancelledAnmeldung(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	anm := nb.S.Request
	if !slices.Contains(d.Correlate, inbound.TransactionKey(mpLFN, anm.TransactionID)) || !slices.Contains(d.Correlate, MaLoKey(maloID)) {
		t.Fatalf("the NB's process is not findable by the Anmeldung or the MaLo: %v", d.Correlate)
	}
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	lfn := newParty(t, "lfn").Start(WorkflowStornoRequest)
	ds := lfn.Exec(t0.Add(2*time.Minute), RequestCancellation{RequestID: "erp-s", Sender: mpLFN, Recipient: mpNB, TransactionID: anm.TransactionID, Category: "E01"})
	storno := out(t, ds, mpNB, "UTILMD", PIDStorno)

	d = nb.Exec(t0.Add(3*time.Minute), deliver(t, storno))
	out(t, d, mpLFN, "APERAK", "")
	best := out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	if c, e := answerOf(t, best); c != "A01" || e != "S_0086" {
		t.Fatalf("55023 %s:%s", c, e)
	}
	if ref, _ := view(t, best).Reference("TN"); ref.Value != deliver(t, storno).TransactionID {
		t.Fatalf("55023 RFF+TN %q", ref.Value)
	}
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeCancelled {
		t.Fatalf("events %+v", d.Events)
	}
	for _, l := range []string{labelLFA, labelDecision, labelAnswer} {
		if !slices.Contains(d.CancelDeadlines, l) {
			t.Fatalf("deadline %s not cancelled: %v", l, d.CancelDeadlines)
		}
	}
	if !slices.Contains(d.Correlate, AnsweredKey(maloID)) {
		t.Fatalf("cancelled Anmeldung still pending: %v", d.Correlate)
	}
	// The LFA consents afterwards: APERAK only.
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFABeendigung)
	dl := lfa.Exec(t0.Add(4*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	d = nb.Exec(t0.Add(5*time.Minute), deliver(t, out(t, dl, mpNB, "UTILMD", PIDAnfrageBest)))
	if len(d.Outbound) != 1 || d.Outbound[0].MessageType != "APERAK" {
		t.Fatalf("after the Stornierung the NB sent %d messages", len(d.Outbound))
	}
	if _, ok := has[SupplierAssigned](d.Events); ok {
		t.Fatal("master data changed after the Stornierung")
	}
	// A second Stornierung is too late: 55024 with the Late code.
	ds = newParty(t, "lfn2").Start(WorkflowStornoRequest).Exec(t0.Add(6*time.Minute), RequestCancellation{RequestID: "erp-s2", Sender: mpLFN, Recipient: mpNB, TransactionID: anm.TransactionID, Category: "E01"})
	d = nb.Exec(t0.Add(7*time.Minute), deliver(t, out(t, ds, mpNB, "UTILMD", PIDStorno)))
	if c, e := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDStornoAbl)); c != "A14" || e != "S_0087" {
		t.Fatalf("late 55024 %s:%s", c, e)
	}
	if sr, ok := has[StornoReceived](d.Events); !ok || !sr.Late {
		t.Fatalf("events %+v", d.Events)
	}
}

// A Stornierung after the answer (55002 sent) is refused and changes nothing.
func TestStornoAfterTheAnswerIsRefused(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	d = nb.FireAt(labelLFA, deadline(t, d, labelLFA))
	out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)
	ds := newParty(t, "lfn").Start(WorkflowStornoRequest).Exec(t0.Add(time.Hour), RequestCancellation{RequestID: "erp-s", Sender: mpLFN, Recipient: mpNB, TransactionID: nb.S.Request.TransactionID, Category: "E01"})
	d = nb.Exec(t0.Add(2*time.Hour), deliver(t, out(t, ds, mpNB, "UTILMD", PIDStorno)))
	out(t, d, mpLFN, "UTILMD", PIDStornoAbl)
	if nb.S.Outcome != OutcomeConfirmed || len(d.CancelDeadlines) != 0 {
		t.Fatalf("outcome %s, cancelled %v", nb.S.Outcome, d.CancelDeadlines)
	}
}

// E_0624 step 60: the LFA consents (A34) with its own end date, which the
// 55011 carries in DTM+93.
func TestA34WithOwnEndDate(t *testing.T) {
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung)
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-1", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN, Reason: "E01"}))
	d = nb.Exec(t0.Add(time.Minute), enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB()))
	d = lfa.Exec(t0.Add(2*time.Minute), enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)), MasterData{Known: true, Supplied: true}))
	if req, ok := has[DecisionRequested](d.Events); !ok || req.Step != "E_0624/60" || req.ConsentCode != "A34" {
		t.Fatalf("decision request %+v", d.Events)
	}
	own := fristen.AddDays(start, -1)
	if _, err := lfa.Try(t0.Add(3*time.Minute), Decide{End: own.Add(time.Hour)}); err == nil {
		t.Fatal("an end date that is not 00:00 German time was accepted")
	}
	d = lfa.Exec(t0.Add(3*time.Minute), Decide{End: own})
	best := out(t, d, mpNB, "UTILMD", PIDAnfrageBest)
	if c, _ := answerOf(t, best); c != "A34" {
		t.Fatalf("55011 code %s", c)
	}
	if end, ok := view(t, best).Date("93"); !ok || end.Value != own.UTC().Format("200601021504")+"+00" {
		t.Fatalf("55011 DTM+93 %+v, want %s", end, own.UTC())
	}
	if dd, _ := has[Decided](d.Events); !dd.End.Equal(own) {
		t.Fatalf("decided %+v", dd)
	}
}

// E_0609 step 40: a Vorlauffrist rule (WithBeendigungLeadTime) that fails
// answers 55009 A03; without a rule the step passes (A10).
func TestE0609Step40(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	d = nb.FireAt(labelLFA, deadline(t, d, labelLFA))
	bee := deliver(t, out(t, d, mpLFA, "UTILMD", PIDBeendigungNB))
	maxYear := func(_ *fristen.Calendar, received, end time.Time) bool { return !end.After(received.AddDate(1, 0, 0)) }
	for _, tc := range []struct {
		name string
		opts []Option
		at   time.Time
		pid  string
		code string
	}{
		{"no rule", nil, t0.Add(time.Hour), PIDBeendigungNBBest, "A10"},
		{"rule met", []Option{WithBeendigungLeadTime(maxYear)}, t0.Add(time.Hour), PIDBeendigungNBBest, "A10"},
		{"rule not met", []Option{WithBeendigungLeadTime(func(_ *fristen.Calendar, received, end time.Time) bool { return end.After(received.AddDate(0, 0, 3)) })}, t0.Add(time.Hour), PIDBeendigungNBAbl, "A03"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lf := newParty(t, "lf", tc.opts...).Start(WorkflowLFAbmeldung)
			d := lf.Exec(tc.at, enriched(bee, MasterData{Known: true, Supplied: true}))
			if c, e := answerOf(t, out(t, d, mpNB, "UTILMD", tc.pid)); c != tc.code || e != EBDAbmeldungLF {
				t.Fatalf("%s %s:%s", tc.pid, c, e)
			}
		})
	}
}

// E_0622 step 70: Enrich reports a pending registration when another
// gpke.nb.lieferbeginn process of the MaLo is bound under the MaLo and not
// yet under AnsweredKey.
func TestEnrichPendingAnmeldung(t *testing.T) {
	lfn := newParty(t, "lfn2").Start(WorkflowLFNLieferbeginn)
	d0 := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-2", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	second := deliver(t, out(t, d0, mpNB, "UTILMD", PIDAnmeldung))

	wf := engine.WorkflowID{Name: WorkflowNBLieferbeginn, FormatVersion: mustFV(t0)}
	first := engine.ProcessIdentity{Tenant: "nb", Process: "p-first", Workflow: wf}
	self := engine.ProcessIdentity{Tenant: "nb", Process: "p-second", Workflow: wf}
	other := engine.ProcessIdentity{Tenant: "nb", Process: "p-abm", Workflow: engine.WorkflowID{Name: WorkflowNBLieferende, FormatVersion: mustFV(t0)}}
	sets := map[engine.BusinessKey][]engine.ProcessIdentity{MaLoKey(maloID): {other, first}}
	ix := ProcessIndexFunc(func(_ context.Context, _ engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
		return sets[k], nil
	})
	src := MasterDataFunc(func(context.Context, Query) (MasterData, error) { return mdNB(), nil })
	run := func() MasterData {
		t.Helper()
		cmd := engine.Command{ID: "c2", ReceivedAt: t0.Add(time.Minute), Payload: second}
		if err := enrich(src, ix, false)(context.Background(), self, &cmd); err != nil {
			t.Fatal(err)
		}
		return cmd.Payload.(Enriched).MasterData
	}
	if !run().PendingRegistration {
		t.Fatal("open Anmeldung of the MaLo not reported")
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	// The registry tells that another Anmeldung is pending, not its dates:
	// the 55003 with A06 needs DTM+Z07/Z08 (AHB [358]/[355]), which come from
	// the master data (pendingMD); without them the outbound guard refuses.
	md := run()
	md.PendingStart, md.NextProcessing = pendingMD.PendingStart, pendingMD.NextProcessing
	d := nb.Exec(t0.Add(time.Minute), enriched(second, md))
	if c, e := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungAblehnung)); c != "A06" || e != EBDLieferbeginnDirekt {
		t.Fatalf("55003 %s:%s", c, e)
	}
	if !slices.Contains(d.Correlate, AnsweredKey(maloID)) {
		t.Fatalf("the rejected Anmeldung is not recorded as answered: %v", d.Correlate)
	}
	sets[AnsweredKey(maloID)] = []engine.ProcessIdentity{first}
	if run().PendingRegistration {
		t.Fatal("answered Anmeldung still reported as pending")
	}
	sets[MaLoKey(maloID)] = []engine.ProcessIdentity{self}
	if run().PendingRegistration {
		t.Fatal("the process itself counted as pending")
	}
}

// A 55007 for a MaLo the LF does not supply: APERAK 313 Z18 by default, the
// E_0609 answer (A10) with WithUnsuppliedBeendigung(false).
func TestBeendigungForUnsuppliedMaLo(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	d = nb.FireAt(labelLFA, deadline(t, d, labelLFA))
	bee := deliver(t, out(t, d, mpLFA, "UTILMD", PIDBeendigungNB))
	notOurs := MasterData{Known: true, Supplier: mpLFN}
	lf := newParty(t, "lf").Start(WorkflowLFAbmeldung)
	d = lf.Exec(t0.Add(time.Hour), enriched(bee, notOurs))
	if code, ercs := aperakOf(t, out(t, d, mpNB, "APERAK", "")); code != "313" || !slices.Equal(ercs, []string{"Z18"}) {
		t.Fatalf("APERAK %s %v, want 313 Z18", code, ercs)
	}
	if len(d.Outbound) != 1 {
		t.Fatalf("%d messages, want the APERAK only", len(d.Outbound))
	}
	lf = newParty(t, "lf2", WithUnsuppliedBeendigung(false)).Start(WorkflowLFAbmeldung)
	d = lf.Exec(t0.Add(time.Hour), enriched(bee, notOurs))
	if c, _ := answerOf(t, out(t, d, mpNB, "UTILMD", PIDBeendigungNBBest)); c != "A10" {
		t.Fatalf("55008 %s", c)
	}
	// Supplied, or the supplier the day before: no Zuordnung problem.
	lf = newParty(t, "lf3").Start(WorkflowLFAbmeldung)
	d = lf.Exec(t0.Add(time.Hour), enriched(bee, MasterData{Known: true, Supplier: mpLFA}))
	out(t, d, mpNB, "UTILMD", PIDBeendigungNBBest)
}

// WithSecondAnmeldung(true): the LFN does not send a second 55001 for a MaLo
// whose first Anmeldung is unanswered; by default it does.
func TestSecondAnmeldungOnTheLFSide(t *testing.T) {
	wf := engine.WorkflowID{Name: WorkflowLFNLieferbeginn, FormatVersion: mustFV(t0)}
	first := engine.ProcessIdentity{Tenant: "lfn", Process: "p-1", Workflow: wf}
	second := engine.ProcessIdentity{Tenant: "lfn", Process: "p-2", Workflow: wf}
	ix := ProcessIndexFunc(func(_ context.Context, _ engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
		if k == MaLoKey(maloID) {
			return []engine.ProcessIdentity{first}, nil
		}
		return nil, nil
	})
	src := MasterDataFunc(func(context.Context, Query) (MasterData, error) { return MasterData{}, nil })
	req := reg(RegisterSupplyStart{RequestID: "erp-2", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN})
	for _, suppress := range []bool{false, true} {
		cmd := engine.Command{ID: "c2", ReceivedAt: t0, Payload: req}
		if err := enrich(src, ix, suppress)(context.Background(), second, &cmd); err != nil {
			t.Fatal(err)
		}
		lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
		d := lfn.Exec(t0, cmd.Payload)
		if suppress {
			if f, ok := has[Failed](d.Events); !ok || len(d.Outbound) != 0 || !slices.Contains(d.Correlate, AnsweredKey(maloID)) {
				t.Fatalf("suppressed: %+v, %d outbound, keys %v (%v)", d.Events, len(d.Outbound), d.Correlate, f)
			}
			continue
		}
		out(t, d, mpNB, "UTILMD", PIDAnmeldung)
		if !slices.Contains(d.Correlate, MaLoKey(maloID)) {
			t.Fatalf("LFN Anmeldung not bound under the MaLo: %v", d.Correlate)
		}
	}
}

// On the LF side too a Stornierung reaches the process of the cancelled
// request: the LFA waiting for its ERP's decision on a 55010 answers 55023,
// its decision deadline is cancelled and a later Decide sends nothing.
func TestStornoOfAPendingAnfrageAtTheLFA(t *testing.T) {
	_, _, d := switchUntilAnfrage(t, mdNB())
	anfrage := deliver(t, out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung))
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung)
	d = lfa.Exec(t0.Add(2*time.Minute), enriched(anfrage, MasterData{Known: true, Supplied: true}))
	if !slices.Contains(d.Correlate, inbound.TransactionKey(mpNB, anfrage.TransactionID)) {
		t.Fatalf("the LFA's process is not findable by the Anfrage: %v", d.Correlate)
	}
	// The NB cancels its Anfrage (built like any 55022 of a sender).
	nbs := newParty(t, "nbs").Start(WorkflowStornoRequest)
	ds := nbs.Exec(t0.Add(3*time.Minute), RequestCancellation{RequestID: "erp-s", Sender: mpNB, Recipient: mpLFA, TransactionID: anfrage.TransactionID, Category: "E02"})
	d = lfa.Exec(t0.Add(4*time.Minute), deliver(t, out(t, ds, mpLFA, "UTILMD", PIDStorno)))
	out(t, d, mpNB, "UTILMD", PIDStornoBest)
	if !slices.Contains(d.CancelDeadlines, labelDecision) || lfa.S.Outcome != OutcomeCancelled {
		t.Fatalf("cancelled %v, outcome %s", d.CancelDeadlines, lfa.S.Outcome)
	}
	d = lfa.Exec(t0.Add(5*time.Minute), Decide{Object: false})
	if len(d.Outbound) != 0 {
		t.Fatalf("a Decide after the Stornierung sent %d messages", len(d.Outbound))
	}
}

// A confirmed Stornierung of the Anmeldung cancels the NB's unanswered
// 55010 too (55022 E02/E05 with RFF+ACW = the 55010 to the LFA, AHB 55022
// [500]): the LFA whose ERP has not decided confirms (55023), ends its
// process as cancelled without ending its supply, and a later decision of
// its ERP sends nothing; the NB records the LFA's answer. An LFA that has
// answered already refuses the late Stornierung (55024).
func TestStornoRevokesTheOpenAnfrage(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	anm := nb.S.Request
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung) // the ERP is asked (default WithERPDecision)
	dl := lfa.Exec(t0.Add(2*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	if _, ok := has[DecisionRequested](dl.Events); !ok {
		t.Fatalf("LFA events %+v", dl.Events)
	}
	ds := newParty(t, "lfn").Start(WorkflowStornoRequest).Exec(t0.Add(3*time.Minute),
		RequestCancellation{RequestID: "erp-s", Sender: mpLFN, Recipient: mpNB, TransactionID: anm.TransactionID, Category: "E01"})
	d = nb.Exec(t0.Add(4*time.Minute), deliver(t, out(t, ds, mpNB, "UTILMD", PIDStorno)))
	out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	revoke := out(t, d, mpLFA, "UTILMD", PIDStorno)
	rv := view(t, revoke)
	if ref, _ := rv.Reference("ACW"); ref.Value != nb.S.LFATx || ref.Value != deliver(t, anfrage).TransactionID {
		t.Fatalf("55022 to the LFA cancels %q, want the 55010 %s", ref.Value, nb.S.LFATx)
	}
	if st, _ := rv.Status("7"); len(st.Reasons) != 1 || st.Reasons[0].Value != "E05" {
		t.Fatalf("55022 STS+7 %+v, want E05", st)
	}
	if !strings.Contains(string(revoke.Payload), "BGM+E02+") {
		t.Fatalf("55022 to the LFA: BGM is not E02 (the 55010's category, AHB [500]):\n%s", revoke.Payload)
	}
	if code, _ := has[Completed](d.Events); code.Outcome != OutcomeCancelled {
		t.Fatalf("NB events %+v", d.Events)
	}

	// The LFA confirms; its pending decision and its deadline are cancelled.
	dl = lfa.Exec(t0.Add(5*time.Minute), deliver(t, revoke))
	out(t, dl, mpNB, "APERAK", "")
	conf := out(t, dl, mpNB, "UTILMD", PIDStornoBest)
	if c, e := answerOf(t, conf); c != "A01" || e != "S_0086" {
		t.Fatalf("LFA 55023 %s:%s", c, e)
	}
	if lfa.S.Outcome != OutcomeCancelled || !slices.Contains(dl.CancelDeadlines, labelDecision) {
		t.Fatalf("LFA outcome %s, cancelled %v", lfa.S.Outcome, dl.CancelDeadlines)
	}
	dl = lfa.Exec(t0.Add(6*time.Minute), Decide{Object: false})
	if len(dl.Outbound) != 0 {
		t.Fatalf("the LFA's ERP decision after the Stornierung sent %d messages", len(dl.Outbound))
	}
	if _, ok := has[SupplyEnded](lfa.All); ok {
		t.Fatal("LFA ended its supply for a cancelled switch")
	}
	// The NB records the LFA's 55023 (APERAK 312), sends nothing else.
	d = nb.Exec(t0.Add(7*time.Minute), deliver(t, conf))
	if len(d.Outbound) != 1 || d.Outbound[0].MessageType != "APERAK" {
		t.Fatalf("NB sent %d messages for the LFA's 55023", len(d.Outbound))
	}
	if ar, ok := has[AnswerReceived](d.Events); !ok || ar.PID != PIDStornoBest || ar.Code != "A01" {
		t.Fatalf("NB events %+v", d.Events)
	}
	if _, ok := has[SupplierAssigned](nb.All); ok || nb.S.Outcome != OutcomeCancelled {
		t.Fatalf("NB outcome %s, events %+v", nb.S.Outcome, nb.All)
	}

	// The LFA answered before the Stornierung reached it: it refuses the
	// late 55022 (55024) and its answer stands; the NB acknowledges it.
	_, nb, d = switchUntilAnfrage(t, mdNB())
	anfrage = out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	lfa = newParty(t, "lfa2", WithERPDecision(0)).Start(WorkflowLFABeendigung)
	dl = lfa.Exec(t0.Add(2*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	consent := out(t, dl, mpNB, "UTILMD", PIDAnfrageBest)
	ds = newParty(t, "lfn2").Start(WorkflowStornoRequest).Exec(t0.Add(3*time.Minute),
		RequestCancellation{RequestID: "erp-s", Sender: mpLFN, Recipient: mpNB, TransactionID: nb.S.Request.TransactionID, Category: "E01"})
	d = nb.Exec(t0.Add(4*time.Minute), deliver(t, out(t, ds, mpNB, "UTILMD", PIDStorno)))
	dl = lfa.Exec(t0.Add(5*time.Minute), deliver(t, out(t, d, mpLFA, "UTILMD", PIDStorno)))
	if c, _ := answerOf(t, out(t, dl, mpNB, "UTILMD", PIDStornoAbl)); c != "A14" || lfa.S.Outcome != OutcomeConfirmed {
		t.Fatalf("LFA late 55024 %s, outcome %s", c, lfa.S.Outcome)
	}
	d = nb.Exec(t0.Add(6*time.Minute), deliver(t, consent))
	if len(d.Outbound) != 1 || d.Outbound[0].MessageType != "APERAK" {
		t.Fatalf("NB sent %d messages for the late consent", len(d.Outbound))
	}

}

// The LFN cancels its own Anmeldung (ERP gpke.request_cancellation, routed
// to its gpke.lfn.lieferbeginn process): that process sends the 55022 and,
// on the NB's 55023, ends as cancelled; a later answer to the cancelled
// Anmeldung gets APERAK 312 and changes nothing. A 55024 leaves the process
// waiting; a transaction the process did not send, its own 55022 or one
// named with another recipient is not cancelled.
func TestLFNStornoEndsItsAnmeldung(t *testing.T) {
	lfn, nb, d := switchUntilAnfrage(t, mdNB())
	anm := nb.S.Request
	if _, err := lfn.Try(t0.Add(2*time.Minute), RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: anm.TransactionID, Category: "E99"}); err == nil {
		t.Fatal("category E99 accepted")
	}
	dl := lfn.Exec(t0.Add(2*time.Minute), RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: "unknown", Category: "E01"})
	if len(dl.Outbound) != 0 {
		t.Fatal("55022 for a transaction the process did not send")
	}
	dl = lfn.Exec(t0.Add(2*time.Minute), RequestCancellation{RequestID: "erp-s", Sender: mpLFN, Recipient: mpNB, TransactionID: anm.TransactionID, Category: "E02"})
	storno := out(t, dl, mpNB, "UTILMD", PIDStorno)
	sv := view(t, storno)
	if ref, _ := sv.Reference("ACW"); ref.Value != anm.TransactionID {
		t.Fatalf("55022 cancels %q", ref.Value)
	}
	if n, ok := has[Noted](dl.Events); !ok || !strings.Contains(n.What, "replaced by E01") {
		t.Fatalf("the ERP's wrong category E02 for a 55001 is not replaced and noted: %+v", dl.Events)
	}
	if bgm, _ := aperakOf(t, storno); bgm != "E01" { // aperakOf reads BGM 1001 of any message
		t.Fatalf("55022 BGM %s, want E01 (the 55001's category, AHB [500])", bgm)
	}
	tx := deliver(t, storno)
	if !slices.Contains(dl.Correlate, inbound.TransactionKey(mpLFN, tx.TransactionID)) {
		t.Fatalf("the 55022's answer cannot find the LFN's process: %v", dl.Correlate)
	}
	if lfn.S.Done {
		t.Fatal("LFN process ended before the answer")
	}
	// Nothing is sent (a note says why) for the 55022 itself, or for the
	// Anmeldung named with another recipient than the one it went to.
	for _, c := range []struct{ tx, to, why string }{{tx.TransactionID, mpNB, "a Stornierung is not cancelled"}, {anm.TransactionID, mpLFA, "it went to " + mpNB}} {
		dl := lfn.Exec(t0.Add(2*time.Minute), RequestCancellation{Sender: mpLFN, Recipient: c.to, TransactionID: c.tx, Category: "E01"})
		if n, ok := has[Noted](dl.Events); len(dl.Outbound) != 0 || !ok || !strings.Contains(n.What, c.why) {
			t.Fatalf("Stornierung of %s to %s: sent %d, events %+v", c.tx, c.to, len(dl.Outbound), dl.Events)
		}
	}
	d = nb.Exec(t0.Add(3*time.Minute), tx)
	dl = lfn.Exec(t0.Add(4*time.Minute), deliver(t, out(t, d, mpLFN, "UTILMD", PIDStornoBest)))
	out(t, dl, mpNB, "APERAK", "")
	if c, ok := has[Completed](dl.Events); !ok || c.Outcome != OutcomeCancelled || lfn.S.Outcome != OutcomeCancelled {
		t.Fatalf("LFN events %+v", dl.Events)
	}
	if !slices.Contains(dl.Correlate, AnsweredKey(maloID)) {
		t.Fatalf("the cancelled Anmeldung still counts as pending: %v", dl.Correlate)
	}
	// An NB that did not see the Stornierung answers the Anmeldung later
	// (its LFA wait expired): acknowledged, nothing else.
	_, nb2, d2 := switchUntilAnfrage(t, mdNB())
	d2 = nb2.FireAt(labelLFA, deadline(t, d2, labelLFA))
	late := out(t, d2, mpLFN, "UTILMD", PIDAnmeldungBestaetig)
	lt := deliver(t, late)
	if ref, _ := view(t, late).Reference("TN"); ref.Value != anm.TransactionID {
		t.Fatalf("the second NB answers %s, not the cancelled %s", ref.Value, anm.TransactionID)
	}
	dl = lfn.Exec(t0.Add(time.Hour), lt)
	if len(dl.Outbound) != 1 || dl.Outbound[0].MessageType != "APERAK" {
		t.Fatalf("LFN sent %d messages for the late answer", len(dl.Outbound))
	}
	if code, _ := aperakOf(t, dl.Outbound[0]); code != "312" {
		t.Fatalf("APERAK %s", code)
	}
	if _, ok := has[SupplierAssigned](lfn.All); ok || lfn.S.Outcome != OutcomeCancelled {
		t.Fatalf("LFN outcome %s after the late answer", lfn.S.Outcome)
	}

	// Refused (55024): the process goes on and completes with the answer.
	lfn, nb, _ = switchUntilAnfrage(t, mdNB(), WithStornoCodes(StornoCodes{Confirm: "A01", ConfirmList: "S_0086", Reject: "A14", RejectList: "S_0087"}, false))
	dl = lfn.Exec(t0.Add(2*time.Minute), RequestCancellation{Sender: mpLFN, Recipient: mpNB, TransactionID: nb.S.Request.TransactionID, Category: "E01"})
	d = nb.Exec(t0.Add(3*time.Minute), deliver(t, out(t, dl, mpNB, "UTILMD", PIDStorno)))
	dl = lfn.Exec(t0.Add(4*time.Minute), deliver(t, out(t, d, mpLFN, "UTILMD", PIDStornoAbl)))
	if lfn.S.Done {
		t.Fatalf("LFN process ended by a refused Stornierung: %s", lfn.S.Outcome)
	}
	d = nb.Fire(labelLFA)
	lfn.Exec(t0.Add(time.Hour), deliver(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)))
	if lfn.S.Outcome != OutcomeConfirmed {
		t.Fatalf("LFN outcome %s", lfn.S.Outcome)
	}
}

// A gpke.sent event stored before Sent had CancelTx decodes with it empty.
func TestSentBeforeCancelTx(t *testing.T) {
	old, err := hex.DecodeString("89a3504944a3504944ad5472616e73616374696f6e4944ad5472616e73616374696f6e4944a8446f63756d656e74a8446f63756d656e74ae496e7465726368616e6765526566ae496e7465726368616e6765526566a9526563697069656e74a9526563697069656e74a4436f6465a4436f6465a3454244a3454244a941706572616b447565d6ff69c90630a24174d6ff69c8a3c0")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := flow{name: WorkflowLFNLieferbeginn}.Codec().DecodeEvent("gpke.sent", old)
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := ev.(Sent); !ok || s.PID != "PID" || s.CancelTx != "" {
		t.Fatalf("decoded %#v", ev)
	}
}
