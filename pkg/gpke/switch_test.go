package gpke

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// mdNB is the NB's master data of the MaLo with LFA assigned.
func mdNB() MasterData {
	return with(MasterData{Known: true, InGrid: true, Supplier: mpLFA}, metered)
}

// Tue 10.11.2026 10:00: ÜT; W = Wed 11.11.; earliest Zuordnungsbeginn Thu 12.11.
var (
	t0    = berlin(2026, 11, 10, 10, 0)
	start = berlin(2026, 11, 12, 0, 0)
)

// switchUntilAnfrage runs LFN → 55001 → NB and returns the processes and the
// NB's decision (APERAK + 55010 to the LFA).
func switchUntilAnfrage(t *testing.T, md MasterData, opts ...Option) (lfn, nb *proc, d engine.Decision) {
	t.Helper()
	lfn = newParty(t, "lfn", opts...).Start(WorkflowLFNLieferbeginn)
	d0 := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-1", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN, Customer: "Mustermann",
		Products: []Product{{Code: "9991000002008", Property: "9991000002107"}}}))
	anm := out(t, d0, mpNB, "UTILMD", PIDAnmeldung)
	tx := deliver(t, anm)
	if !slices.Contains(d0.Correlate, inbound.TransactionKey(mpLFN, tx.TransactionID)) {
		t.Fatalf("55001 sent without its TransactionKey: %v", d0.Correlate)
	}
	nb = newParty(t, "nb", opts...).Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0.Add(time.Minute), enriched(tx, md))
	return lfn, nb, d
}

func TestSwitchHappyPathWithLFA(t *testing.T) {
	lfn, nb, d := switchUntilAnfrage(t, mdNB())
	// NB: APERAK 312 to the LFN and the Anfrage 55010 to the LFA.
	ack := out(t, d, mpLFN, "APERAK", "")
	if code, _ := aperakOf(t, ack); code != "312" {
		t.Fatalf("APERAK %s, want 312", code)
	}
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	if rr, _ := has[RequestReceived](d.Events); !slices.Equal(rr.Packages, []string{"1"}) {
		t.Fatalf("product packages of the 55001 (two products, one package): %v", rr.Packages)
	}
	if end, ok := view(t, anfrage).Date("93"); !ok || end.Value != "202611112300+00" {
		t.Fatalf("55010 Ende zum %+v", end)
	}
	// The NB waits for the LFA until W (Wed 11.11.) 10:00 (configurable, unverified).
	if due := deadline(t, d, labelLFA); !due.Equal(berlin(2026, 11, 11, 10, 0)) {
		t.Fatalf("LFA deadline %s", due)
	}
	// LFN receives the APERAK 312.
	lfn.Exec(t0.Add(2*time.Minute), deliver(t, ack))
	if ar, ok := has[AperakReceived](lfn.Last.Events); !ok || !ar.Accepted || ar.PID != PIDAnmeldung {
		t.Fatalf("LFN APERAK: %+v", lfn.Last.Events)
	}
	if !slices.Contains(lfn.Last.CancelDeadlines, labelAperak+lfn.S.Out[0].TransactionID) {
		t.Fatalf("APERAK deadline not cancelled: %v", lfn.Last.CancelDeadlines)
	}

	// LFA: 55010 → APERAK 312 and an ERP decision request; the ERP consents.
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung)
	dl := lfa.Exec(t0.Add(3*time.Minute), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true}))
	out(t, dl, mpNB, "APERAK", "")
	req, ok := has[DecisionRequested](dl.Events)
	if !ok || req.Step != "E_0624/90" || req.ConsentCode != "A36" || req.ObjectCode != "A35" || req.DefaultObject {
		t.Fatalf("decision request %+v", req)
	}
	dl = lfa.Exec(t0.Add(10*time.Minute), Decide{Object: false})
	best := out(t, dl, mpNB, "UTILMD", PIDAnfrageBest)
	if c, e := answerOf(t, best); c != "A36" || e != EBDAnfrageBeendigung {
		t.Fatalf("55011 %s:%s", c, e)
	}

	// NB receives the 55011: APERAK, 55002 A51 to the LFN, 55007 to the LFA.
	d = nb.Exec(t0.Add(11*time.Minute), deliver(t, best))
	out(t, d, mpLFA, "APERAK", "")
	bestaetigung := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)
	if c, e := answerOf(t, bestaetigung); c != "A51" || e != EBDLieferbeginn {
		t.Fatalf("55002 %s:%s", c, e)
	}
	if ref, _ := view(t, bestaetigung).Reference("TN"); ref.Value != lfn.S.Out[0].TransactionID {
		t.Fatalf("55002 RFF+TN %q", ref.Value)
	}
	beendigung := out(t, d, mpLFA, "UTILMD", PIDBeendigungNB)
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeConfirmed || c.ProcessOutcome() != OutcomeConfirmed {
		t.Fatalf("NB completed %+v", d.Events)
	}
	sa, ok := has[SupplierAssigned](d.Events)
	if !ok || sa.Supplier != mpLFN || !sa.From.Equal(start) || sa.NB != mpNB {
		t.Fatalf("NB master data change %+v", sa)
	}
	if !slices.Contains(d.CancelDeadlines, labelLFA) {
		t.Fatalf("LFA deadline not cancelled")
	}

	// LFN receives the 55002: APERAK and the assignment from the start.
	d = lfn.Exec(t0.Add(12*time.Minute), deliver(t, bestaetigung))
	out(t, d, mpNB, "APERAK", "")
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeConfirmed || c.Code != "A51" {
		t.Fatalf("LFN completed %+v", d.Events)
	}
	if sa, ok := has[SupplierAssigned](d.Events); !ok || !sa.From.Equal(start) || sa.Supplier != mpLFN {
		t.Fatalf("LFN assignment %+v", sa)
	}

	// LFA receives the 55007 (its own process) and confirms with A10.
	lfa2 := newParty(t, "lfa2").Start(WorkflowLFAbmeldung)
	d = lfa2.Exec(t0.Add(13*time.Minute), enriched(deliver(t, beendigung), MasterData{Known: true, Supplied: true}))
	confirm := out(t, d, mpNB, "UTILMD", PIDBeendigungNBBest)
	if c, e := answerOf(t, confirm); c != "A10" || e != EBDAbmeldungLF {
		t.Fatalf("55008 %s:%s", c, e)
	}
	if se, ok := has[SupplyEnded](d.Events); !ok || se.Supplier != mpLFA || !se.Until.Equal(start) {
		t.Fatalf("LFA supply end %+v", d.Events)
	}
	// NB receives the 55008 and the APERAKs for its 55002 and 55007.
	d = nb.Exec(t0.Add(14*time.Minute), deliver(t, confirm))
	out(t, d, mpLFA, "APERAK", "")
	if ar, ok := has[AnswerReceived](d.Events); !ok || ar.PID != PIDBeendigungNBBest {
		t.Fatalf("NB 55008: %+v", d.Events)
	}
	for _, o := range []*proc{lfn, lfa2} {
		for _, a := range o.Last.Outbound {
			if a.MessageType == "APERAK" && a.Recipient == mpNB {
				nb.Exec(t0.Add(15*time.Minute), deliver(t, a))
			}
		}
	}
	for _, o := range nb.S.Out {
		if o.Recipient == mpLFA && o.PID == PIDAnfrageBeendigung {
			continue // the LFA's APERAK for 55010 was not delivered in this test
		}
		if o.Aperak != "312" {
			t.Fatalf("NB outgoing %s APERAK %q", o.PID, o.Aperak)
		}
	}
}

func TestLeadTimeNotMet(t *testing.T) {
	// Zuordnungsbeginn on W itself (Wed 11.11.) is one day too early.
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-2", MaLo: maloID, Start: berlin(2026, 11, 11, 0, 0), NB: mpNB, LFN: mpLFN}))
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB()))
	if c, _ := aperakOf(t, out(t, d, mpLFN, "APERAK", "")); c != "312" {
		t.Fatalf("late registration still gets APERAK 312, got %s", c)
	}
	abl := out(t, d, mpLFN, "UTILMD", PIDAnmeldungAblehnung)
	if c, e := answerOf(t, abl); c != "A07" || e != EBDLieferbeginnDirekt {
		t.Fatalf("55003 %s:%s", c, e)
	}
	for _, o := range d.Outbound {
		if o.Recipient == mpLFA {
			t.Fatal("no Anfrage to the LFA after a direct rejection")
		}
	}
	d = lfn.Exec(t0.Add(time.Minute), deliver(t, abl))
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeRejected || c.Code != "A07" {
		t.Fatalf("LFN: %+v", d.Events)
	}
	if _, ok := has[SupplierAssigned](d.Events); ok {
		t.Fatal("rejected switch changed master data")
	}
}

func TestLFAObjects(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFABeendigung)
	dl := lfa.Exec(t0.Add(time.Minute), enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)),
		MasterData{Known: true, Supplied: true, ContractBinding: true}))
	abl := out(t, dl, mpNB, "UTILMD", PIDAnfrageAbl)
	if c, _ := answerOf(t, abl); c != "A35" {
		t.Fatalf("55012 code %s", c)
	}
	d = nb.Exec(t0.Add(2*time.Minute), deliver(t, abl))
	ab := out(t, d, mpLFN, "UTILMD", PIDAnmeldungAblehnung)
	v := view(t, ab)
	if c, e, third := answerCodes(v); c != "A50" || e != EBDLieferbeginn || third != "A35" {
		t.Fatalf("55003 %s:%s third %s", c, e, third)
	}
	for _, o := range d.Outbound {
		if o.Recipient == mpLFA && o.MessageType == "UTILMD" {
			t.Fatal("no Beendigung (55007) after an objection")
		}
	}
	if _, ok := has[SupplierAssigned](d.Events); ok {
		t.Fatal("objection changed master data")
	}
}

func TestLFADoesNotAnswerInTime(t *testing.T) {
	_, nb, d := switchUntilAnfrage(t, mdNB())
	due := deadline(t, d, labelLFA)
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	// E_0623 step 30 "nein" → step 60 → A51, and the LFA gets the 55007.
	d = nb.FireAt(labelLFA, due)
	if _, ok := has[LFAWaitExpired](d.Events); !ok {
		t.Fatal("no LFAWaitExpired")
	}
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)); c != "A51" {
		t.Fatalf("55002 code %s", c)
	}
	out(t, d, mpLFA, "UTILMD", PIDBeendigungNB)
	// A late 55012 still gets APERAK 312 and changes nothing.
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFABeendigung)
	dl := lfa.Exec(due.Add(time.Hour), enriched(deliver(t, anfrage), MasterData{Known: true, Supplied: true, ContractBinding: true}))
	d = nb.Exec(due.Add(time.Hour), deliver(t, out(t, dl, mpNB, "UTILMD", PIDAnfrageAbl)))
	out(t, d, mpLFA, "APERAK", "")
	if ar, ok := has[AnswerReceived](d.Events); !ok || ar.Timely {
		t.Fatalf("late answer: %+v", d.Events)
	}
	if len(d.Outbound) != 1 || nb.S.Outcome != OutcomeConfirmed {
		t.Fatalf("late answer changed the process: %d outbound, outcome %s", len(d.Outbound), nb.S.Outcome)
	}
}

func TestZuordnungFails(t *testing.T) {
	cases := []struct {
		name string
		md   MasterData
		opts []Option
		erc  string
	}{
		{"unknown MaLo", MasterData{}, nil, "Z14"},
		{"unknown MaLo, Z10 configured", MasterData{}, []Option{WithUnknownMaLoERC("Z10")}, "Z10"},
		{"not in grid", MasterData{Known: true, SuccessorNB: mpNB2}, nil, "Z16"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lfn, nb, d := switchUntilAnfrage(t, c.md, c.opts...)
			a := out(t, d, mpLFN, "APERAK", "")
			code, ercs := aperakOf(t, a)
			if code != "313" || len(ercs) != 1 || ercs[0] != c.erc {
				t.Fatalf("APERAK %s %v, want 313 %s", code, ercs, c.erc)
			}
			if c.erc == "Z16" && !bytes.Contains(a.Payload, []byte("RFF+Z08:"+mpNB2)) {
				t.Fatalf("Z16 without successor NB: %s", a.Payload)
			}
			if len(d.Outbound) != 1 {
				t.Fatalf("a rejected transaction is not processed: %d outbound", len(d.Outbound))
			}
			if f, ok := has[Failed](d.Events); !ok || f.ProcessOutcome() != OutcomeAperakRejected {
				t.Fatalf("NB: %+v", d.Events)
			}
			_ = nb
			// The LFN's process fails on the 313.
			d = lfn.Exec(t0.Add(5*time.Minute), deliver(t, a))
			if ar, ok := has[AperakReceived](d.Events); !ok || ar.Accepted {
				t.Fatalf("LFN: %+v", d.Events)
			}
			if f, ok := has[Failed](d.Events); !ok || f.Outcome != OutcomeAperakRejected {
				t.Fatalf("LFN: %+v", d.Events)
			}
		})
	}
}

func TestAHBErrorBeforeZuordnung(t *testing.T) {
	// A 55001 without LOC+Z16 fails the AHB check (Z29) before the Zuordnung.
	b, err := outMsg{FV: mustFV(t0), Interchange: "IC1", Document: "DOC1", Transaction: "TX1", BGM: "E01", From: mpLFN, To: mpNB,
		At: t0, PID: PIDAnmeldung, Start: start, Reason: []string{"E03", "ZW4"}}.bytes()
	if err != nil {
		t.Fatal(err)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d := nb.Exec(t0, Enriched{Transaction: deliver(t, engine.Outbound{Payload: b}), MasterData: MasterData{}})
	code, ercs := aperakOf(t, out(t, d, mpLFN, "APERAK", ""))
	if code != "313" || !slices.Equal(ercs, []string{"Z29"}) {
		t.Fatalf("APERAK %s %v", code, ercs)
	}
}

func TestAperakRejectedAnfrage(t *testing.T) {
	// The LFA rejects the 55010 by APERAK: it counts as not received, so the
	// LFA cannot answer in time (E_0623 step 30 "nein") → A51.
	_, nb, d := switchUntilAnfrage(t, mdNB())
	anfrage := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	d = nb.Exec(t0.Add(5*time.Minute), rejectAperak(t, anfrage, t0.Add(4*time.Minute), "Z14"))
	if ar, ok := has[AperakReceived](d.Events); !ok || ar.Accepted || ar.PID != PIDAnfrageBeendigung {
		t.Fatalf("%+v", d.Events)
	}
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)); c != "A51" {
		t.Fatalf("55002 code %s", c)
	}
	if !slices.Contains(d.CancelDeadlines, labelLFA) {
		t.Fatal("LFA wait not cancelled")
	}
}

func TestMissingAperakRaisesAlert(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-3", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	tx := lfn.S.Out[0].TransactionID
	due := deadline(t, d, labelAperak+tx)
	// 45 minutes (APERAK AHB, fristen.md §7.1) plus the 15-minute grace.
	if !due.Equal(t0.Add(time.Hour).UTC()) {
		t.Fatalf("APERAK due %s", due)
	}
	d = lfn.FireAt(labelAperak+tx, due)
	m, ok := has[AperakMissing](d.Events)
	if !ok || m.AperakMissed() != PIDAnmeldung || m.Recipient != mpNB {
		t.Fatalf("%+v", d.Events)
	}
	if typ, _, _ := m.CloudEvent(); typ != CEAperakTimeout {
		t.Fatalf("cloud event %s", typ)
	}
	// Firing again (or after the APERAK) changes nothing.
	if d = lfn.FireAt(labelAperak+tx, due); len(d.Events) != 0 {
		t.Fatalf("second fire: %+v", d.Events)
	}
}

func TestDeterministic(t *testing.T) {
	_, _, d1 := switchUntilAnfrage(t, mdNB())
	_, _, d2 := switchUntilAnfrage(t, mdNB())
	if len(d1.Outbound) != len(d2.Outbound) || len(d1.Outbound) == 0 {
		t.Fatal("different decisions")
	}
	for i := range d1.Outbound {
		if !bytes.Equal(d1.Outbound[i].Payload, d2.Outbound[i].Payload) {
			t.Fatalf("outbound %d differs:\n%s\n%s", i, d1.Outbound[i].Payload, d2.Outbound[i].Payload)
		}
	}
}

// A decision taken after a format-version changeover (here: the NB's wait
// for the LFA ends on 01.10.2026, the first day of FV2610, for a 55001
// received under FV2604) sends in the new version, which the recipient
// checks against its receipt date; the request's version would be a syntax
// error there.
func TestDecisionAfterChangeoverUsesNewFormatVersion(t *testing.T) {
	at := berlin(2026, 9, 30, 10, 0) // Wed, FV2604; W = Thu 01.10. (FV2610)
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d0 := lfn.Exec(at, reg(RegisterSupplyStart{RequestID: "erp-fv", MaLo: maloID, Start: berlin(2026, 10, 2, 0, 0), NB: mpNB, LFN: mpLFN}))
	tx := deliver(t, out(t, d0, mpNB, "UTILMD", PIDAnmeldung))
	if tx.FormatVersion != "FV2604" || tx.Release != "S2.1" {
		t.Fatalf("request in %s %s", tx.FormatVersion, tx.Release)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d := nb.Exec(at.Add(time.Minute), enriched(tx, mdNB()))
	due := deadline(t, d, labelLFA)
	if mustFV(due).String() != "FV2610" {
		t.Fatalf("test premise: the wait ends at %v, before the changeover", due)
	}
	d = nb.FireAt(labelLFA, due)
	for _, o := range []engine.Outbound{out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig), out(t, d, mpLFA, "UTILMD", PIDBeendigungNB)} {
		ans := deliver(t, o)
		if ans.FormatVersion != "FV2610" || ans.Release != "S2.2" {
			t.Fatalf("%s sent as %s after the changeover, want S2.2 (FV2610)", ans.PID, ans.Release)
		}
		ix, err := edifact.Parse(o.Payload)
		if err != nil {
			t.Fatal(err)
		}
		if rep := edifact.Check(ix, edifact.WithReceived(due)); !rep.Clean() {
			t.Fatalf("%s fails the recipient's check: %v", ans.PID, rep.Findings)
		}
	}
}

// TestLFAObjectsGenerating: for a generating MaLo (55077) the LFA objects
// to the Anfrage (E_0624 step 220, A39) and the NB rejects with 55080 A57
// (E_0623 step 440), naming the LFA's answer with Ergänzung and MaLo in
// STS+Z35 and the LFA in NAD+VY with RFF+Z18 (AHB [84], [368]).
func TestLFAObjectsGenerating(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN, Generating: true}))
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0.Add(time.Minute), enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldungErz)),
		with(MasterData{Known: true, InGrid: true, Generating: true, Supplier: mpLFA}, metered)))
	anf := out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	if st, ok := view(t, anf).Status("7"); !ok || len(st.Reasons) != 2 || st.Reasons[1].Value != "ZW3" {
		t.Fatalf("55010 STS+7 %+v", st)
	}
	lfa := newParty(t, "lfa", WithERPDecision(0)).Start(WorkflowLFABeendigung)
	dl := lfa.Exec(t0.Add(2*time.Minute), enriched(deliver(t, anf), MasterData{Known: true, Supplied: true, ContractBinding: true}))
	abl := out(t, dl, mpNB, "UTILMD", PIDAnfrageAbl)
	if c, _ := answerOf(t, abl); c != "A39" {
		t.Fatalf("55012 code %s", c)
	}
	d = nb.Exec(t0.Add(3*time.Minute), deliver(t, abl))
	v := view(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungErzAbl))
	if c, _, third := answerCodes(v); c != "A57" || third != "A39" {
		t.Fatalf("55080 %s third %s", c, third)
	}
	vy := ""
	for _, p := range v.Parties {
		if p.Qualifier == "VY" {
			vy = p.ID
		}
	}
	if vy != mpLFA {
		t.Fatalf("55080 NAD+VY %q", vy)
	}
}
