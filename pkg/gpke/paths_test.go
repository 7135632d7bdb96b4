package gpke

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine/enginetest"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

func TestAbmeldung(t *testing.T) {
	end := berlin(2026, 11, 12, 0, 0)
	lf := newParty(t, "lf").start(WorkflowLFLieferende)
	d := lf.exec(t0, RegisterSupplyEnd{RequestID: "erp-4", MaLo: maloID, End: end, NB: mpNB, LF: mpLFA, Reason: "E01"})
	abm := out(t, d, mpNB, "UTILMD", PIDAbmeldungLF)
	nb := newParty(t, "nb").start(WorkflowNBLieferende)
	d = nb.exec(t0, enriched(deliver(t, abm), MasterData{Known: true, InGrid: true, Supplier: mpLFA}))
	best := out(t, d, mpLFA, "UTILMD", PIDAbmeldungLFBest)
	if c, e := answerOf(t, best); c != "A11" || e != EBDAbmeldungNB {
		t.Fatalf("55005 %s:%s", c, e)
	}
	if se, ok := has[SupplyEnded](d.Events); !ok || se.Supplier != mpLFA || !se.Until.Equal(end) {
		t.Fatalf("NB: %+v", d.Events)
	}
	d = lf.exec(t0.Add(time.Minute), deliver(t, best))
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeConfirmed {
		t.Fatalf("LF: %+v", d.Events)
	}
	if _, ok := has[SupplyEnded](d.Events); !ok {
		t.Fatal("LF master data not changed")
	}

	// Already confirmed end → A09 (E_0607 steps 100–120).
	nb2 := newParty(t, "nb2").start(WorkflowNBLieferende)
	d = nb2.exec(t0, enriched(deliver(t, abm), MasterData{Known: true, InGrid: true, Supplier: mpLFA, ConfirmedEnd: true}))
	if c, _ := answerOf(t, out(t, d, mpLFA, "UTILMD", PIDAbmeldungLFAbl)); c != "A09" {
		t.Fatalf("55006 code %s", c)
	}
}

func TestKuendigung(t *testing.T) {
	date := berlin(2026, 12, 1, 0, 0)
	cases := []struct {
		name string
		md   MasterData
		pid  string
		code string
	}{
		{"already terminated at the date", MasterData{Known: true, Supplied: true, ContractEnd: date, AnnualConsumption: &testKWh}, PIDKuendigungBest, "A03"},
		{"ended before", MasterData{Known: true, Supplied: true, ContractEnd: date.AddDate(0, -1, 0)}, PIDKuendigungAbl, "A04"},
		{"binding, ends later", with(MasterData{Known: true, Supplied: true, ContractBinding: true, ContractEnd: date.AddDate(1, 0, 0)}, noticeMD), PIDKuendigungAbl, "A05"},
		{"not binding", MasterData{Known: true, Supplied: true, AnnualConsumption: &testKWh}, PIDKuendigungBest, "A09"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lfn := newParty(t, "lfn").start(WorkflowLFNKuendigung)
			d := lfn.exec(t0, RequestTermination{RequestID: "erp-5", MaLo: maloID, Date: date, LFA: mpLFA, LFN: mpLFN})
			lfa := newParty(t, "lfa", WithERPDecision(0)).start(WorkflowLFAKuendigung)
			d = lfa.exec(t0, enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDKuendigung)), c.md))
			ans := out(t, d, mpLFN, "UTILMD", c.pid)
			if code, e := answerOf(t, ans); code != c.code || e != EBDKuendigung {
				t.Fatalf("%s %s:%s", c.pid, code, e)
			}
			d = lfn.exec(t0.Add(time.Minute), deliver(t, ans))
			if cpl, ok := has[Completed](d.Events); !ok || cpl.Code != c.code {
				t.Fatalf("LFN: %+v", d.Events)
			}
		})
	}
}

func TestKuendigungERPDecisionDefault(t *testing.T) {
	// With the ERP hook (default for 55016) the LFA waits for Decide; without
	// it the policy's default applies at the deadline.
	lfn := newParty(t, "lfn").start(WorkflowLFNKuendigung)
	d := lfn.exec(t0, RequestTermination{RequestID: "erp-6", MaLo: maloID, Date: berlin(2026, 12, 1, 0, 0), LFA: mpLFA, LFN: mpLFN})
	lfa := newParty(t, "lfa").start(WorkflowLFAKuendigung)
	d = lfa.exec(t0, enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDKuendigung)), with(MasterData{Known: true, Supplied: true, ContractBinding: true}, noticeMD)))
	if len(d.Outbound) != 1 {
		t.Fatalf("only the APERAK before the decision, got %d", len(d.Outbound))
	}
	due := deadline(t, d, labelDecision)
	d = lfa.fire(labelDecision, due)
	if dc, ok := has[Decided](d.Events); !ok || dc.Source != "default" || !dc.Object || dc.Code != "A06" {
		t.Fatalf("%+v", d.Events)
	}
	out(t, d, mpLFN, "UTILMD", PIDKuendigungAbl)
	// A late Decide is recorded and ignored.
	d = lfa.exec(due.Add(time.Minute), Decide{Object: false})
	if len(d.Outbound) != 0 {
		t.Fatal("late decision sent something")
	}
}

func TestStornierung(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowStornoRequest)
	d := lfn.exec(t0, RequestCancellation{RequestID: "erp-7", Sender: mpLFN, Recipient: mpNB, TransactionID: "VG1", Category: "E01", MaLo: maloID})
	st := out(t, d, mpNB, "UTILMD", PIDStorno)
	if ref, ok := view(t, st).Reference("ACW"); !ok || ref.Value != "VG1" {
		t.Fatalf("55022 RFF+ACW %+v", ref)
	}
	nb := newParty(t, "nb").start(WorkflowStornoAnswer)
	d = nb.exec(t0, deliver(t, st))
	best := out(t, d, mpLFN, "UTILMD", PIDStornoBest)
	d = lfn.exec(t0.Add(time.Minute), deliver(t, best))
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeConfirmed {
		t.Fatalf("%+v", d.Events)
	}
	// Rejecting by default.
	nb2 := newParty(t, "nb2", WithStornoCodes(StornoCodes{Confirm: "A01", ConfirmList: "S_0086", Reject: "A14", RejectList: "S_0087"}, false)).start(WorkflowStornoAnswer)
	d = nb2.exec(t0, deliver(t, st))
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDStornoAbl)); c != "A14" {
		t.Fatalf("55024 code %s", c)
	}
}

func TestDeadlinesAcrossHolidays(t *testing.T) {
	// Received Wed 23.12.2026 15:00: 24.12. (BDEW), 25./26.12. (holidays) and
	// the weekend are no Werktage, so W = Mon 28.12. and the earliest
	// Zuordnungsbeginn is Tue 29.12. (fristen.md §5.3).
	at := berlin(2026, 12, 23, 15, 0)
	run := func(start time.Time) (*proc, engine.Decision) {
		lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
		d := lfn.exec(at, reg(RegisterSupplyStart{RequestID: "erp-8", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
		nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
		return nb, nb.exec(at, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB()))
	}
	nb, d := run(berlin(2026, 12, 28, 0, 0))
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungAblehnung)); c != "A07" {
		t.Fatalf("ZB on W: %s", c)
	}
	if as, ok := has[AperakSent](d.Events); !ok || !as.Due.Equal(berlin(2026, 12, 23, 15, 45).UTC()) {
		t.Fatalf("APERAK due %+v", as)
	}
	_ = nb
	nb, d = run(berlin(2026, 12, 29, 0, 0))
	out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung)
	if due := deadline(t, d, labelLFA); !due.Equal(berlin(2026, 12, 28, 10, 0).UTC()) {
		t.Fatalf("LFA wait %s", due)
	}
	d = nb.fire(labelLFA, berlin(2026, 12, 28, 10, 0))
	out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)

	// A UTILMD received on Saturday 26.12. is due Sunday 12:00 (APERAK AHB).
	sat := berlin(2026, 12, 26, 9, 0)
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d = lfn.exec(sat, reg(RegisterSupplyStart{RequestID: "erp-9", MaLo: maloID, Start: berlin(2026, 12, 30, 0, 0), NB: mpNB, LFN: mpLFN}))
	nb = newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d = nb.exec(sat, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB()))
	if as, ok := has[AperakSent](d.Events); !ok || !as.Due.Equal(berlin(2026, 12, 27, 12, 0).UTC()) {
		t.Fatalf("Saturday APERAK due %+v", as)
	}
}

func TestFV2604(t *testing.T) {
	// Both format versions: a switch in June 2026 runs under FV2604.
	at := berlin(2026, 6, 16, 9, 0) // Tue; W = Wed 17.6., earliest ZB Thu 18.6.
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(at, reg(RegisterSupplyStart{RequestID: "erp-10", MaLo: maloID, Start: berlin(2026, 6, 18, 0, 0), NB: mpNB, LFN: mpLFN, Generating: true}))
	anm := out(t, d, mpNB, "UTILMD", PIDAnmeldungErz)
	if tx := deliver(t, anm); tx.FormatVersion != "FV2604" {
		t.Fatalf("FV %s", tx.FormatVersion)
	}
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d = nb.exec(at, enriched(deliver(t, anm), with(MasterData{Known: true, InGrid: true, Generating: true}, metered)))
	if c, e := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungErzBest)); c != "A58" || e != EBDLieferbeginn {
		t.Fatalf("55078 %s:%s", c, e)
	}
}

func TestEnrichAndMissingMasterData(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(t0, reg(RegisterSupplyStart{RequestID: "erp-11", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	tx := deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung))
	// Without Enrich the NB refuses to decide (no fake answer).
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	_, err := nb.try(t0, tx)
	var te *TransactionError
	if !errors.Is(err, ErrNoMasterData) || !errors.As(err, &te) || te.TransactionID != tx.TransactionID || te.Sender != mpLFN {
		t.Fatalf("want ErrNoMasterData for the transaction, got %v", err)
	}
	var asked string
	src := MasterDataFunc(func(_ context.Context, q Query) (MasterData, error) {
		asked = string(q.Tenant) + "/" + q.MaLo + "/" + q.Own + "/" + q.Date.Format(time.RFC3339)
		return mdNB(), nil
	})
	enrich := Enrich(src)
	cmd := engine.Command{ID: "c1", Type: tx.CommandType(), ReceivedAt: t0, Payload: tx}
	id := engine.ProcessIdentity{Tenant: "nb", Workflow: engine.WorkflowID{Name: WorkflowNBLieferbeginn}}
	if err := enrich(context.Background(), id, &cmd); err != nil {
		t.Fatal(err)
	}
	e, ok := cmd.Payload.(Enriched)
	if !ok || cmd.Type != e.CommandType() || e.MasterData.Supplier != mpLFA || asked != "nb/"+maloID+"/"+mpNB+"/2026-11-11T23:00:00Z" {
		t.Fatalf("enrich: %+v %s", cmd.Payload, asked)
	}
	// The transaction is parsed once: Enrich hands its parse to Handle. A
	// decoded Enriched (no parse) decides the same.
	if e.parsed == nil || e.parsed.Tx.TransactionID != tx.TransactionID {
		t.Fatalf("enrich did not hand on its parse: %+v", e.parsed)
	}
	decoded := Enriched{Transaction: e.Transaction, MasterData: e.MasterData}
	d1, err1 := newParty(t, "nb").start(WorkflowNBLieferbeginn).try(t0, e)
	d2, err2 := newParty(t, "nb").start(WorkflowNBLieferbeginn).try(t0, decoded)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(d1, d2) {
		t.Fatalf("parsed and decoded Enriched decide differently:\n%v %v\n%v %v", d1, err1, d2, err2)
	}
	// Answers and other workflows pass unchanged.
	cmd2 := engine.Command{ID: "c2", Type: tx.CommandType(), ReceivedAt: t0, Payload: tx}
	id.Workflow.Name = WorkflowLFNLieferbeginn
	if err := enrich(context.Background(), id, &cmd2); err != nil {
		t.Fatal(err)
	}
	if _, ok := cmd2.Payload.(inbound.Transaction); !ok {
		t.Fatal("enriched a command of a sending workflow")
	}
}

func TestModule(t *testing.T) {
	m := Module(WithMasterData(MasterDataFunc(func(context.Context, Query) (MasterData, error) {
		return MasterData{}, nil
	})))
	if m.Enrich == nil || len(m.Definitions) != 2*len(workflowNames) || len(m.ERPCommands) != 5 {
		t.Fatalf("module: enrich %v, %d definitions", m.Enrich != nil, len(m.Definitions))
	}
	for _, d := range m.Definitions {
		if err := d.Err(); err != nil {
			t.Fatalf("%s: %v", d.ID(), err)
		}
	}
	r, err := routing.New(m.Routes...)
	if err != nil {
		t.Fatal(err)
	}
	// One LF tenant plays LFN and LFA: requests pick the answering workflow,
	// answers are follow-ups found by RFF+TN.
	for pid, want := range map[string]string{PIDAnfrageBeendigung: WorkflowLFABeendigung, PIDKuendigung: WorkflowLFAKuendigung,
		PIDBeendigungNB: WorkflowLFAbmeldung, PIDAnmeldungBestaetig: WorkflowLFNLieferbeginn} {
		rt, err := r.Resolve(pid, catalog.Strom, []routing.Role{routing.RoleLF})
		if err != nil || rt.Workflow != want || rt.Initiating != isRequest(pid) {
			t.Fatalf("%s → %+v %v", pid, rt, err)
		}
	}
	rt, err := r.Resolve(PIDAnmeldung, catalog.Strom, []routing.Role{routing.RoleNB})
	if err != nil || rt.Workflow != WorkflowNBLieferbeginn || !rt.Initiating {
		t.Fatalf("55001 → %+v %v", rt, err)
	}
	if _, err := r.Resolve(PIDAnmeldung, catalog.Strom, []routing.Role{routing.RoleLF}); err == nil {
		t.Fatal("55001 must not route to an LF")
	}
	if bad := Module(WithLFAAnswerTime(25, 0)); bad.Definitions[0].Err() == nil {
		t.Fatal("invalid option not reported")
	}
}

// TestEngineRoundTrip runs the NB's process through the engine on memstore:
// codec round trips, deadlines set and fired by the engine.
func TestEngineRoundTrip(t *testing.T) {
	ws, err := Workflows()
	if err != nil {
		t.Fatal(err)
	}
	var nbw flow
	for _, w := range ws {
		if w.Name() == WorkflowNBLieferbeginn {
			nbw = w.(flow)
		}
	}
	def := engine.Define[State](nbw, fv.MustParse("FV2610"))
	inbox, err := memstore.NewInbox()
	if err != nil {
		t.Fatal(err)
	}
	ec, err := engine.New(engine.WithEventStore(memstore.NewEventStore()), engine.WithSnapshotStore(memstore.NewSnapshotStore()),
		engine.WithRegistry(memstore.NewRegistry()), engine.WithInbox(inbox), engine.WithWorkflows(def))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := enginetest.Spawn(def, ec, "nb")
	if err != nil {
		t.Fatal(err)
	}
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(t0, reg(RegisterSupplyStart{RequestID: "erp-12", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	e := enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), mdNB())
	res, err := p.ExecuteWithContext(ctx, engine.Command{ID: "cmd-1", ReceivedAt: t0, FormatVersion: fv.MustParse("FV2610"), Payload: e})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Envelopes) == 0 {
		t.Fatal("nothing committed")
	}
	open, err := p.OpenDeadlines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var lfaDeadline engine.DeadlineID
	for _, ds := range open {
		if ds.Label == labelLFA {
			lfaDeadline = ds.ID
		}
	}
	if lfaDeadline == "" {
		t.Fatal("no LFA deadline committed")
	}
	if _, err := p.FireDeadline(ctx, engine.DeadlineFired{ID: lfaDeadline, Label: labelLFA, Due: berlin(2026, 11, 11, 10, 0), FiredAt: berlin(2026, 11, 11, 10, 1)}); err != nil {
		t.Fatal(err)
	}
	s, _, err := p.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Done || s.Outcome != OutcomeConfirmed || !s.LFAExpired || len(s.Out) != 3 {
		t.Fatalf("state after deadline: done %v outcome %s expired %v out %d", s.Done, s.Outcome, s.LFAExpired, len(s.Out))
	}
}

// TestFV2604Consuming: a consuming switch in June 2026 (FV2604) without an
// LFA: 55001 and the confirmation 55002 (metered, ZW7) conform to the
// FV2604 AHB (checkAHB on every decision).
func TestFV2604Consuming(t *testing.T) {
	at := berlin(2026, 6, 16, 9, 0)
	lfn := newParty(t, "lfn").start(WorkflowLFNLieferbeginn)
	d := lfn.exec(at, reg(RegisterSupplyStart{MaLo: maloID, Start: berlin(2026, 6, 18, 0, 0), NB: mpNB, LFN: mpLFN}))
	nb := newParty(t, "nb").start(WorkflowNBLieferbeginn)
	d = nb.exec(at, enriched(deliver(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung)), with(MasterData{Known: true, InGrid: true}, metered)))
	best := deliver(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig))
	if best.FormatVersion != "FV2604" {
		t.Fatalf("55002 in %s", best.FormatVersion)
	}
	d = lfn.exec(at.Add(time.Minute), best)
	if c, ok := has[Completed](d.Events); !ok || c.Outcome != OutcomeConfirmed {
		t.Fatalf("%+v", d.Events)
	}
}

// TestKuendigungRemark: the ERP objects with A08 and a note; the 55018
// carries the note in FTX+ACB (AHB [83]).
func TestKuendigungRemark(t *testing.T) {
	lfn := newParty(t, "lfn").start(WorkflowLFNKuendigung)
	d := lfn.exec(t0, RequestTermination{RequestID: "erp-7", MaLo: maloID, Date: berlin(2026, 12, 1, 0, 0), LFA: mpLFA, LFN: mpLFN})
	lfa := newParty(t, "lfa").start(WorkflowLFAKuendigung)
	d = lfa.exec(t0, enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDKuendigung)), MasterData{Known: true, Supplied: true}))
	req, _ := has[DecisionRequested](d.Events)
	d = lfa.exec(t0.Add(time.Minute), Decide{Partner: mpLFN, TransactionID: req.TransactionID, Object: true, Code: "A08", Note: "Kunde nicht identifizierbar"})
	abl := out(t, d, mpLFN, "UTILMD", PIDKuendigungAbl)
	if !bytes.Contains(abl.Payload, []byte("FTX+ACB+++Kunde nicht identifizierbar'")) {
		t.Fatalf("55018 without the remark: %s", abl.Payload)
	}
}
