package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"errors"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/workers/scheduler"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/nats-io/nats.go"
)

// A market in one test (issue 7, docs/gpke.md): LFN, NB and LFA on one
// nats-server, each its own account with its own System and workers,
// talking EDIFACT through the deliverer's nats transport. Scenarios run in
// parallel, one MaLo each.
//
// Time: scenarios started by an ERP command run at the real clock (the ERP
// command's receipt time is its stream timestamp), so their deadlines lie
// hours ahead and never fire during the test. Scenarios that need deadlines
// to pass — the LFA not answering, weekends, holidays — start with an
// interchange of LFX (a supplier outside the market, played by the test)
// whose receipt time is set with the ingest header Mako-Received-At to a
// past date: the deadlines the NB's workflow derives from it (W 10:00 for
// the LFA's answer, pkg/fristen) then lie in the past, the server fires
// them at once and the scheduler hands them to the process. No workflow
// reads a clock.
func TestMarket(t *testing.T) {
	m := startMarket(t)
	mk := m.mk
	now := time.Now()
	// A Zuordnungsbeginn LFW24 allows for a receipt now (two days of margin
	// against a test that runs across midnight).
	okStart := fristen.AddDays(fristen.Default().LFW24(now.Add(10*time.Minute)).EarliestZuordnungsbeginn, 2)
	today := fristen.StartOfDay(now)

	t.Run("scenarios", func(t *testing.T) {
		t.Run("switch with LFA", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "switch-"+maloID, maloID, okStart, nil)
			// The LFA's ERP is asked (E_0624 step 90) and consents.
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			if req.Data.Code != "A36" || !strings.Contains(req.Data.Reason, "E_0624/90") {
				t.Errorf("decision request: code %q reason %q", req.Data.Code, req.Data.Reason)
			}
			m.lfa.erpCommand(t, "decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false})
			c := m.waitConversation(t, maloID, "the whole switch", convComplete)
			checkMessages(t, c)

			want := []string{"55001", "APERAK 312", "55010", "APERAK 312", "55011", "APERAK 312", "55002", "55007", "APERAK 312", "APERAK 312", "55008", "APERAK 312"}
			if got := c.Sequence(); !sameMultiset(got, want) {
				t.Errorf("conversation %v, want the messages of %v", got, want)
			}
			anm := onePID(t, c, "55001", mk)
			if anm.From != mk.LFN.MPID || anm.To != mk.NB.MPID || !anm.Date.Equal(okStart) || !slices.Equal(anm.Reasons, []string{"E03", "ZW4"}) {
				t.Errorf("55001: %s → %s start %s reasons %v", anm.From, anm.To, anm.Date, anm.Reasons)
			}
			aperakOf(t, c, anm, "312", mk)
			anf := onePID(t, c, "55010", mk)
			if anf.From != mk.NB.MPID || anf.To != mk.LFA.MPID || !anf.Date.Equal(okStart) || anf.Transaction != req.Data.TransactionID {
				t.Errorf("55010: %s → %s end %s tx %s", anf.From, anf.To, anf.Date, anf.Transaction)
			}
			aperakOf(t, c, anf, "312", mk)
			best := onePID(t, c, "55011", mk)
			checkAnswer(t, best, anf, "A36", "E_0624")
			aperakOf(t, c, best, "312", mk)
			zu := onePID(t, c, "55002", mk)
			checkAnswer(t, zu, anm, "A51", "E_0623")
			aperakOf(t, c, zu, "312", mk)
			bee := onePID(t, c, "55007", mk)
			if bee.From != mk.NB.MPID || bee.To != mk.LFA.MPID || !bee.Date.Equal(okStart) {
				t.Errorf("55007: %s → %s end %s", bee.From, bee.To, bee.Date)
			}
			aperakOf(t, c, bee, "312", mk)
			ab := onePID(t, c, "55008", mk)
			checkAnswer(t, ab, bee, "A10", "E_0609")
			aperakOf(t, c, ab, "312", mk)
			if !(anm.At.Before(anf.At) && anf.At.Before(best.At) && best.At.Before(zu.At)) {
				t.Errorf("order: 55001 %s, 55010 %s, 55011 %s, 55002 %s", anm.At, anf.At, best.At, zu.At)
			}

			// Master data: the NB assigns the MaLo to the LFN from the
			// Zuordnungsbeginn; LFN and LFA record their side.
			nb := m.nb.record(t, maloID, "LFN from the Zuordnungsbeginn", func(r *malo.Record) bool {
				return supplierAt(r, okStart) == mk.LFN.MPID
			})
			if supplierAt(nb, okStart.Add(-time.Nanosecond)) != mk.LFA.MPID || len(nb.Periods) != 2 || !nb.Periods[1].From.Equal(okStart) {
				t.Errorf("NB master data %+v", nb.Periods)
			}
			m.lfn.record(t, maloID, "own supply from the Zuordnungsbeginn", func(r *malo.Record) bool {
				return supplierAt(r, okStart) == mk.LFN.MPID && r.Periods[0].From.Equal(okStart)
			})
			m.lfa.record(t, maloID, "own supply ends at the Zuordnungsbeginn", func(r *malo.Record) bool {
				return r != nil && len(r.Periods) == 1 && r.Periods[0].To != nil && r.Periods[0].To.Equal(okStart)
			})

			// Process states (read model, event store).
			lfnP, _ := m.lfn.process(t, anm.Process)
			nbP, nbEvents := m.nb.process(t, anf.Process)
			lfaP, _ := m.lfa.process(t, best.Process)
			abP, _ := m.lfa.process(t, ab.Process)
			for _, p := range []struct{ wf, got, outcome string }{
				{gpke.WorkflowLFNLieferbeginn, lfnP.Workflow, lfnP.Outcome}, {gpke.WorkflowNBLieferbeginn, nbP.Workflow, nbP.Outcome},
				{gpke.WorkflowLFABeendigung, lfaP.Workflow, lfaP.Outcome}, {gpke.WorkflowLFAbmeldung, abP.Workflow, abP.Outcome},
			} {
				if p.got != p.wf || p.outcome != gpke.OutcomeConfirmed {
					t.Errorf("process %s: workflow %s outcome %s", p.wf, p.got, p.outcome)
				}
			}
			if zu.Process != anf.Process || anm.Process == "" {
				t.Errorf("NB answered from process %s, asked the LFA from %s", zu.Process, anf.Process)
			}
			for _, ev := range []string{"gpke.request_received", "gpke.answer_received", "gpke.supplier_assigned", "gpke.supply_ended", "gpke.completed"} {
				if !slices.Contains(nbEvents, ev) {
					t.Errorf("NB process lacks %s: %v", ev, nbEvents)
				}
			}

			// ERP events of the three parties.
			wantCloudEvents(t, m.lfn.events(t, maloID), "lfn", "process.initiated", "aperak.accepted 55001", "process.completed 55002 A51")
			wantCloudEvents(t, m.nb.events(t, maloID), "nb", "process.initiated 55001", "aperak.accepted 55010", "process.completed 55002 A51", "aperak.accepted 55002", "aperak.accepted 55007")
			wantCloudEvents(t, m.lfa.events(t, maloID), "lfa", "process.initiated 55010", "decision.requested 55010 A36", "process.completed 55011 A36",
				"process.initiated 55007", "process.completed 55008 A10", "aperak.accepted 55011", "aperak.accepted 55008")
		})

		t.Run("lead time not met", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "early-"+maloID, maloID, today, nil)
			c := m.waitConversation(t, maloID, "the rejection", convComplete)
			checkMessages(t, c)
			anm := onePID(t, c, "55001", mk)
			aperakOf(t, c, anm, "312", mk)
			abl := onePID(t, c, "55003", mk)
			checkAnswer(t, abl, anm, "A07", "E_0622") // E_0622 step 15
			aperakOf(t, c, abl, "312", mk)
			if n := len(c.UTILMD("55010")); n != 0 {
				t.Errorf("the NB asked the LFA although it rejected at once (%d 55010)", n)
			}
			if p, _ := m.lfn.process(t, anm.Process); p.Outcome != gpke.OutcomeRejected {
				t.Errorf("LFN outcome %s", p.Outcome)
			}
			wantCloudEvents(t, m.lfn.events(t, maloID), "lfn", "process.completed 55003 A07")
			if r, _ := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID); supplierAt(r, today) != mk.LFA.MPID || len(r.Periods) != 1 {
				t.Errorf("NB master data changed: %+v", r)
			}
		})

		t.Run("LFA objects", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "object-"+maloID, maloID, okStart, nil)
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			m.lfa.erpCommand(t, "decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": true, "note": "contract runs until 2027"})
			c := m.waitConversation(t, maloID, "the objection", convComplete)
			checkMessages(t, c)
			anm, anf := onePID(t, c, "55001", mk), onePID(t, c, "55010", mk)
			abl := onePID(t, c, "55012", mk)
			checkAnswer(t, abl, anf, "A35", "E_0624")
			zu := onePID(t, c, "55003", mk)
			checkAnswer(t, zu, anm, "A50", "E_0623") // E_0623 step 50
			if zu.Third != "A35" {
				t.Errorf("55003 STS+Z35 %q, want the LFA's A35", zu.Third)
			}
			for _, pid := range []string{"55002", "55007"} {
				if n := len(c.UTILMD(pid)); n != 0 {
					t.Errorf("%d %s after the LFA's objection", n, pid)
				}
			}
			if p, _ := m.nb.process(t, anf.Process); p.Outcome != gpke.OutcomeRejected {
				t.Errorf("NB outcome %s", p.Outcome)
			}
			wantCloudEvents(t, m.lfa.events(t, maloID), "lfa", "process.completed 55012 A35")
			if r, _ := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID); supplierAt(r, okStart) != mk.LFA.MPID {
				t.Errorf("NB master data changed: %+v", r)
			}
		})

		t.Run("unknown MaLo: APERAK 313 Z14", func(t *testing.T) {
			maloID := nextMaLo(t) // no master data anywhere
			t.Parallel()
			m.registerSupplyStart(t, "unknown-"+maloID, maloID, okStart, nil)
			c := m.waitConversation(t, maloID, "the APERAK", func(c demo.Conversation) bool {
				return len(c.UTILMD("55001")) == 1 && len(c.AperakFor(c.UTILMD("55001")[0].Transaction)) == 1
			})
			checkMessages(t, c)
			anm := onePID(t, c, "55001", mk)
			a := aperakOf(t, c, anm, "313", mk)
			if !slices.Equal(a.ERC, []string{"Z14"}) {
				t.Errorf("APERAK ERC %v, want Z14", a.ERC)
			}
			if p, _ := m.lfn.process(t, anm.Process); p.Outcome != gpke.OutcomeAperakRejected {
				t.Errorf("LFN outcome %s", p.Outcome)
			}
			m.lfn.waitEvent(t, maloID, erp.TypeAperakRejected, "55001")
			time.Sleep(200 * time.Millisecond) // nothing else may follow
			if c := demo.Select(m.messages(t), maloID); len(c.Messages) != 2 {
				t.Errorf("after the 313:\n%s", conversationText(c, mk))
			}
		})

		t.Run("MaLo in another grid: APERAK 313 Z16", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			other := otherNB(t)
			m.seed(t, maloID, other)
			m.registerSupplyStart(t, "grid-"+maloID, maloID, okStart, nil)
			c := m.waitConversation(t, maloID, "the APERAK", func(c demo.Conversation) bool {
				return len(c.UTILMD("55001")) == 1 && len(c.AperakFor(c.UTILMD("55001")[0].Transaction)) == 1
			})
			checkMessages(t, c)
			a := aperakOf(t, c, onePID(t, c, "55001", mk), "313", mk)
			if !slices.Equal(a.ERC, []string{"Z16"}) || a.Successor != other {
				t.Errorf("APERAK ERC %v successor %q, want Z16 with %s", a.ERC, a.Successor, other)
			}
			m.lfn.waitEvent(t, maloID, erp.TypeProcessFailed, "")
		})

		t.Run("Abmeldung", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.lfa.erpCommand(t, "abm-"+maloID, gpke.ERPRegisterSupplyEnd, map[string]any{
				"malo": maloID, "end": okStart, "nb": mk.NB.MPID, "lf": mk.LFA.MPID, "reason": "E01"})
			c := m.waitConversation(t, maloID, "the Abmeldung", convComplete)
			checkMessages(t, c)
			abm := onePID(t, c, "55004", mk)
			if abm.From != mk.LFA.MPID || abm.To != mk.NB.MPID || !abm.Date.Equal(okStart) {
				t.Errorf("55004 %s → %s end %s", abm.From, abm.To, abm.Date)
			}
			aperakOf(t, c, abm, "312", mk)
			best := onePID(t, c, "55005", mk)
			checkAnswer(t, best, abm, "A11", "E_0607") // E_0607 step 140
			aperakOf(t, c, best, "312", mk)
			m.nb.record(t, maloID, "the LFA's supply ends", func(r *malo.Record) bool {
				return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(okStart)
			})
			m.lfa.record(t, maloID, "own supply ends", func(r *malo.Record) bool {
				return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(okStart)
			})
			if p, _ := m.lfa.process(t, abm.Process); p.Workflow != gpke.WorkflowLFLieferende || p.Outcome != gpke.OutcomeConfirmed {
				t.Errorf("LFA process %s %s", p.Workflow, p.Outcome)
			}
		})

		t.Run("Abmeldung too late", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.lfa.erpCommand(t, "abm-"+maloID, gpke.ERPRegisterSupplyEnd, map[string]any{
				"malo": maloID, "end": today, "nb": mk.NB.MPID, "lf": mk.LFA.MPID, "reason": "E01"})
			c := m.waitConversation(t, maloID, "the rejection", convComplete)
			checkMessages(t, c)
			checkAnswer(t, onePID(t, c, "55006", mk), onePID(t, c, "55004", mk), "A02", "E_0607") // E_0607 step 50
			if r, _ := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID); r.Periods[0].To != nil {
				t.Errorf("NB ended the supply: %+v", r.Periods)
			}
		})

		t.Run("Kündigung", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.lfn.erpCommand(t, "kue-"+maloID, gpke.ERPRequestTermination, map[string]any{
				"malo": maloID, "date": okStart, "lfa": mk.LFA.MPID, "lfn": mk.LFN.MPID, "customer": "Erika Mustermann"})
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDKuendigung)
			if req.Data.Code != "A09" {
				t.Errorf("decision request default %q, want consent A09", req.Data.Code)
			}
			m.lfa.erpCommand(t, "decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.LFN.MPID, "transaction_id": req.Data.TransactionID, "object": false})
			c := m.waitConversation(t, maloID, "the Kündigung", convComplete)
			checkMessages(t, c)
			kue := onePID(t, c, "55016", mk)
			if kue.From != mk.LFN.MPID || kue.To != mk.LFA.MPID || !kue.Date.Equal(okStart) {
				t.Errorf("55016 %s → %s date %s", kue.From, kue.To, kue.Date)
			}
			aperakOf(t, c, kue, "312", mk)
			best := onePID(t, c, "55017", mk)
			checkAnswer(t, best, kue, "A09", "E_0614")
			aperakOf(t, c, best, "312", mk)
			if p, _ := m.lfn.process(t, kue.Process); p.Workflow != gpke.WorkflowLFNKuendigung || p.Outcome != gpke.OutcomeConfirmed {
				t.Errorf("LFN process %s %s", p.Workflow, p.Outcome)
			}
		})

		t.Run("Stornierung of an Anmeldung", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "storno-anm-"+maloID, maloID, okStart, nil)
			// The NB asked the LFA (whose ERP does not answer): the switch is
			// pending when the LFN cancels its Anmeldung.
			c := m.waitConversation(t, maloID, "the Anfrage", func(c demo.Conversation) bool { return len(c.UTILMD("55010")) == 1 })
			anm := onePID(t, c, "55001", mk)
			m.lfn.erpCommand(t, "storno-"+maloID, gpke.ERPRequestCancellation, map[string]any{
				"sender": mk.LFN.MPID, "recipient": mk.NB.MPID, "transaction_id": anm.Transaction, "category": "E01", "malo": maloID})
			c = m.waitConversation(t, maloID, "the Stornierung's answers", stornoAnswered(mk))
			checkMessages(t, c)
			sto := pidFrom(t, c, "55022", mk.LFN.MPID, mk)
			if sto.From != mk.LFN.MPID || sto.To != mk.NB.MPID || sto.RefACW != anm.Transaction || sto.DocCode != "E01" || sto.Process != anm.Process {
				t.Errorf("55022 %s → %s cancels %s (BGM %s) from process %s, want the Anmeldung's %s", sto.From, sto.To, sto.RefACW, sto.DocCode, sto.Process, anm.Process)
			}
			aperakOf(t, c, sto, "312", mk)
			best := pidFrom(t, c, "55023", mk.NB.MPID, mk)
			checkAnswer(t, best, sto, "A01", "S_0086") // UNVERIFIED default codes (gpke.WithStornoCodes)
			aperakOf(t, c, best, "312", mk)
			// The LFN's Anmeldung process ends cancelled (read model, CloudEvent).
			if p, _ := m.lfn.process(t, anm.Process); p.Workflow != gpke.WorkflowLFNLieferbeginn || p.Outcome != gpke.OutcomeCancelled {
				t.Errorf("LFN process %s %s, want %s cancelled", p.Workflow, p.Outcome, gpke.WorkflowLFNLieferbeginn)
			}
			if ev := m.lfn.waitEvent(t, maloID, erp.TypeProcessCompleted, "55023"); ev.Data.Outcome != gpke.OutcomeCancelled {
				t.Errorf("LFN's CloudEvent completed: outcome %q, want cancelled", ev.Data.Outcome)
			}
			m.checkRevokedAnfrage(t, c)
		})

		// E_0622 step 70: LFX's Anmeldung for the same MaLo arrives while
		// the LFN's is pending (the NB asked the LFA, whose ERP has not
		// decided yet): 55003 A06 to LFX, one 55010 only; the LFN's
		// Anmeldung then goes on alone.
		t.Run("two suppliers race", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "race-"+maloID, maloID, okStart, nil)
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			second := m.lfxAnmeldung(t, maloID, time.Now().Format(time.RFC3339), okStart)
			c := m.waitConversation(t, maloID, "the rejection of the second Anmeldung", func(c demo.Conversation) bool { return len(c.UTILMD("55003")) == 1 })
			abl := onePID(t, c, "55003", mk)
			if abl.To != mpLFX || abl.RefTN != second || abl.Code != "A06" || abl.EBD != "E_0622" {
				t.Errorf("55003 to %s answers %s with %s:%s, want A06:E_0622 to LFX", abl.To, abl.RefTN, abl.Code, abl.EBD)
			}
			m.lfa.erpCommand(t, "decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false})
			c = m.waitConversation(t, maloID, "the first switch", func(c demo.Conversation) bool {
				return len(c.UTILMD("55002")) == 1 && len(c.UTILMD("55008")) == 1
			})
			checkMessages(t, c)
			for pid, n := range map[string]int{"55010": 1, "55002": 1, "55007": 1, "55003": 1} {
				if got := len(c.UTILMD(pid)); got != n {
					t.Errorf("%d %s, want %d:\n%s", got, pid, n, conversationText(c, mk))
				}
			}
			if zu := onePID(t, c, "55002", mk); zu.To != mk.LFN.MPID || zu.Code != "A51" {
				t.Errorf("55002 to %s with %s", zu.To, zu.Code)
			}
			m.nb.record(t, maloID, "LFN from the Zuordnungsbeginn", func(r *malo.Record) bool { return supplierAt(r, okStart) == mk.LFN.MPID })
		})

		// A confirmed Stornierung stops the Anmeldung it cancels, across NB,
		// LFA and LFN: the NB confirms, cancels its open 55010 at the LFA
		// (55022), the LFA confirms and does not end its supply, the LFN's
		// process ends cancelled; the LFA's ERP consenting afterwards sends
		// nothing (no 55011, no 55002, no 55007, master data untouched, the
		// NB's LFA deadline cancelled); a second Stornierung comes too late
		// (55024).
		t.Run("cancel then consent", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "cc-"+maloID, maloID, okStart, nil)
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			c := m.waitConversation(t, maloID, "the Anfrage", func(c demo.Conversation) bool { return len(c.UTILMD("55010")) == 1 })
			anm := onePID(t, c, "55001", mk)
			m.lfn.erpCommand(t, "cc-storno-"+maloID, gpke.ERPRequestCancellation, map[string]any{
				"sender": mk.LFN.MPID, "recipient": mk.NB.MPID, "transaction_id": anm.Transaction, "category": "E01", "malo": maloID})
			c = m.waitConversation(t, maloID, "the Stornierung's answers", stornoAnswered(mk))
			anf := onePID(t, c, "55010", mk)
			checkAnswer(t, pidFrom(t, c, "55023", mk.NB.MPID, mk), pidFrom(t, c, "55022", mk.LFN.MPID, mk), "A01", "S_0086")
			if p, _ := m.nb.process(t, anf.Process); p.Outcome != gpke.OutcomeCancelled {
				t.Errorf("NB outcome %s, want cancelled", p.Outcome)
			}
			lfaProc := m.checkRevokedAnfrage(t, c)
			if p, _ := m.lfn.process(t, anm.Process); p.Outcome != gpke.OutcomeCancelled {
				t.Errorf("LFN outcome %s, want cancelled", p.Outcome)
			}
			// The LFA's ERP consents after the Stornierung: recorded, nothing sent.
			m.lfa.erpCommand(t, "cc-decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false})
			waitUntil(t, 20*time.Second, "the LFA's process notes the late decision", func() bool {
				_, evs := m.lfa.process(t, lfaProc)
				return slices.Contains(evs, "gpke.noted")
			})
			m.lfn.erpCommand(t, "cc-storno2-"+maloID, gpke.ERPRequestCancellation, map[string]any{
				"sender": mk.LFN.MPID, "recipient": mk.NB.MPID, "transaction_id": anm.Transaction, "category": "E01", "malo": maloID})
			c = m.waitConversation(t, maloID, "the late Stornierung's refusal", func(c demo.Conversation) bool {
				a := c.UTILMD("55024")
				return len(a) == 1 && len(c.AperakFor(a[0].Transaction)) == 1
			})
			checkMessages(t, c)
			if a := onePID(t, c, "55024", mk); a.Code != "A14" || a.EBD != "S_0087" || a.To != mk.LFN.MPID {
				t.Errorf("55024 to %s %s:%s", a.To, a.Code, a.EBD)
			}
			for _, pid := range []string{"55002", "55003", "55007", "55011", "55012"} {
				if n := len(c.UTILMD(pid)); n != 0 {
					t.Errorf("%d %s after the confirmed Stornierung:\n%s", n, pid, conversationText(c, mk))
				}
			}
			_, evs := m.nb.process(t, anf.Process)
			if !slices.Contains(evs, "mako.deadline.cancelled") || slices.Contains(evs, "gpke.supplier_assigned") {
				t.Errorf("NB process events %v", evs)
			}
			if p, evs := m.lfn.process(t, anm.Process); p.Outcome != gpke.OutcomeCancelled || slices.Contains(evs, "gpke.supplier_assigned") {
				t.Errorf("LFN process %s, events %v", p.Outcome, evs)
			}
			for _, p := range []*marketParty{m.nb, m.lfa} {
				if r, _ := p.malo.Lookup(context.Background(), p.Tenant, maloID); supplierAt(r, okStart) != mk.LFA.MPID || len(r.Periods) != 1 || r.Periods[0].To != nil {
					t.Errorf("%s master data changed: %+v", p.Tenant, r)
				}
			}
			if r, _ := m.lfn.malo.Lookup(context.Background(), m.lfn.Tenant, maloID); r != nil && supplierAt(r, okStart) == mk.LFN.MPID {
				t.Errorf("LFN master data name it the supplier: %+v", r)
			}
		})

		// E_0624 step 60: Einzug (reason E01); the LFA's ERP consents with
		// its own end date, which the 55011 carries.
		t.Run("A34 with the LFA's end date", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "a34-"+maloID, maloID, okStart, map[string]any{"reason": "E01"})
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			if !strings.Contains(req.Data.Reason, "E_0624/60") {
				t.Errorf("decision request %q, want step E_0624/60", req.Data.Reason)
			}
			own := fristen.AddDays(okStart, -1)
			m.lfa.erpCommand(t, "a34-decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false, "end": own})
			c := m.waitConversation(t, maloID, "the switch", func(c demo.Conversation) bool { return len(c.UTILMD("55002")) == 1 })
			checkMessages(t, c)
			best := onePID(t, c, "55011", mk)
			checkAnswer(t, best, onePID(t, c, "55010", mk), "A34", "E_0624")
			if !best.Date.Equal(own) {
				t.Errorf("55011 end %s, want the LFA's %s", best.Date, own)
			}
		})

		// E_0609 step 40: a Zuordnungsbeginn two years ahead breaks the
		// market's Vorlauffrist rule for 55007 (gpkeOptions: at most one
		// year): the LFA answers 55009 A03.
		t.Run("E_0609 step 40: 55007 beyond the Vorlauffrist", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			far := fristen.AddDays(okStart, 730)
			m.registerSupplyStart(t, "far-"+maloID, maloID, far, nil)
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			m.lfa.erpCommand(t, "far-decide-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": false})
			c := m.waitConversation(t, maloID, "the LF's answer to the 55007", func(c demo.Conversation) bool { return len(c.UTILMD("55009")) == 1 })
			checkMessages(t, c)
			checkAnswer(t, onePID(t, c, "55009", mk), onePID(t, c, "55007", mk), "A03", "E_0609")
		})

		// Deadline passed, then the answer: LFX's Anmeldung was received
		// last Friday, so the NB's wait for the LFA (W 10:00) fires at once
		// and the NB confirms; the LFA's objection comes after the deadline
		// and is acknowledged and ignored (E_0623: only a timely answer
		// counts).
		t.Run("LFA answers after the deadline", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			start := deDay(2026, 11, 24)
			m.lfxAnmeldung(t, maloID, "2026-11-20T10:15:00+01:00", start)
			req := m.lfa.waitEvent(t, maloID, gpke.CEDecisionRequested, gpke.PIDAnfrageBeendigung)
			m.waitConversation(t, maloID, "the confirmation by time", func(c demo.Conversation) bool { return len(c.UTILMD("55002")) == 1 })
			m.lfa.erpCommand(t, "late-"+maloID, gpke.ERPDecide, map[string]any{
				"partner": mk.NB.MPID, "transaction_id": req.Data.TransactionID, "object": true})
			c := m.waitConversation(t, maloID, "the NB's APERAK for the late objection", func(c demo.Conversation) bool {
				b := c.UTILMD("55012")
				return len(b) == 1 && len(c.AperakFor(b[0].Transaction)) == 1
			})
			aperakOf(t, c, onePID(t, c, "55012", mk), "312", mk)
			time.Sleep(200 * time.Millisecond) // nothing else may follow from the NB
			c = demo.Select(m.messages(t), maloID)
			if n := len(c.UTILMD("55003")); n != 0 {
				t.Errorf("the late objection produced %d 55003", n)
			}
			if zu := onePID(t, c, "55002", mk); zu.Code != "A51" {
				t.Errorf("55002 %s", zu.Code)
			}
			m.nb.record(t, maloID, "LFX from Tuesday", func(r *malo.Record) bool { return supplierAt(r, start) == mpLFX })
		})

		// The LFA stays silent and the NB's operator does not wait for W
		// 10:00: `mako deadline fire` (scheduler.Force) fires the NB's "lfa"
		// deadline now, through the command stream; the NB decides at the
		// fire time (E_0623 step 30 "nein" → 55002 A51 + 55007), and the
		// process's history records who fired it and why.
		t.Run("operator fires the LFA deadline", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			m.registerSupplyStart(t, "force-"+maloID, maloID, okStart, nil)
			c := m.waitConversation(t, maloID, "the Anfrage", func(c demo.Conversation) bool { return len(c.UTILMD("55010")) == 1 })
			anf := onePID(t, c, "55010", mk)
			ctx := context.Background()
			if _, err := scheduler.Force(ctx, m.nb.js, m.nb.sys.Engine().EventStore(), scheduler.ForceRequest{Tenant: engine.TenantID(mk.NB.Tenant),
				Process: engine.ProcessID(anf.Process), Label: "decision", By: "ops", Reason: "wrong label", At: time.Now()}); !errors.Is(err, scheduler.ErrNoOpenDeadline) {
				t.Errorf("force of a deadline the NB does not have: %v", err)
			}
			at, fired := m.forceLFADeadline(t, anf.Process)
			c = m.waitConversation(t, maloID, "the switch without the LFA", func(c demo.Conversation) bool {
				return len(c.UTILMD("55002")) == 1 && len(c.UTILMD("55008")) == 1
			})
			checkMessages(t, c)
			zu := onePID(t, c, "55002", mk)
			checkAnswer(t, zu, onePID(t, c, "55001", mk), "A51", "E_0623")
			if zu.Created.After(at.Add(time.Minute)) {
				t.Errorf("55002 dated %s, want the fire time %s, not the due time %s", zu.Created, at, fired.Due)
			}
			m.checkForcedAudit(t, anf.Process)
		})

		// The NB's records name the LFA, the LFA's own have no such MaLo:
		// the LFA answers the 55010 with A31 (E_0624 step 30) and the
		// NB's 55007 with APERAK 313 Z18 (gpke.WithUnsuppliedBeendigung).
		t.Run("55007 to an LF that does not supply", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			_, err := m.nb.malo.Put(context.Background(), mk.NB.Tenant, malo.Record{MaLo: maloID, GridOperator: mk.NB.MPID, Sector: "Strom",
				Periods: []malo.Period{{Supplier: mk.LFA.MPID, From: deDay(2026, 1, 1)}}})
			must(t, err)
			m.registerSupplyStart(t, "z18-"+maloID, maloID, okStart, nil)
			c := m.waitConversation(t, maloID, "the LFA's APERAK for the 55007", func(c demo.Conversation) bool {
				b := c.UTILMD("55007")
				return len(b) == 1 && len(c.AperakFor(b[0].Transaction)) == 1
			})
			checkMessages(t, c)
			checkAnswer(t, onePID(t, c, "55011", mk), onePID(t, c, "55010", mk), "A31", "E_0624")
			a := aperakOf(t, c, onePID(t, c, "55007", mk), "313", mk)
			if !slices.Equal(a.ERC, []string{"Z18"}) {
				t.Errorf("APERAK ERC %v, want Z18", a.ERC)
			}
			if n := len(c.UTILMD("55008")) + len(c.UTILMD("55009")); n != 0 {
				t.Errorf("%d answers to the 55007 besides the APERAK", n)
			}
		})

		// Answer pairs no NB workflow takes (gpke.AdjacentPIDs): LFX's 55608
		// (answer to an Ankündigung the NB never sent) and 55600 (Neuanlage,
		// not modelled) are refused with APERAK 313 Z31.
		t.Run("refused PIDs at the NB", func(t *testing.T) {
			for _, pid := range []string{"55608", "55600"} {
				maloID := nextMaLo(t)
				m.lfxUTILMD(t, maloID, pid, time.Now().Format(time.RFC3339), okStart)
				a := m.waitLFXAperak(t, "DOK"+maloID)
				if a.DocCode != "313" || !slices.Equal(a.ERC, []string{"Z31"}) {
					t.Errorf("%s: APERAK %s %v, want 313 Z31", pid, a.DocCode, a.ERC)
				}
			}
		})

		// Deadlines across a weekend: LFX's Anmeldung arrives on Friday
		// 2026-11-20 10:15; W is Monday 23.11, so the earliest
		// Zuordnungsbeginn is Tuesday 24.11 (fristen.md §5.3).
		t.Run("weekend: Monday is too early", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			anm := m.lfxAnmeldung(t, maloID, "2026-11-20T10:15:00+01:00", deDay(2026, 11, 23))
			c := m.waitConversation(t, maloID, "the rejection", func(c demo.Conversation) bool {
				return len(c.UTILMD("55003")) == 1
			})
			checkMessages(t, c)
			abl := onePID(t, c, "55003", mk)
			if abl.From != mk.NB.MPID || abl.To != mpLFX || abl.RefTN != anm || abl.Code != "A07" || abl.EBD != "E_0622" {
				t.Errorf("55003 %s → %s answers %s with %s:%s", abl.From, abl.To, abl.RefTN, abl.Code, abl.EBD)
			}
		})

		// … and the LFA does not answer in time (its ERP stays silent): the
		// NB's wait ends on W = Monday 10:00 and E_0623 confirms (step 30
		// "nein" → 55002 A51) and ends the LFA's assignment with 55007.
		t.Run("weekend: LFA does not answer", func(t *testing.T) {
			maloID := nextMaLo(t)
			t.Parallel()
			m.seedSwitch(t, maloID)
			start := deDay(2026, 11, 24)
			anm := m.lfxAnmeldung(t, maloID, "2026-11-20T10:15:00+01:00", start)
			c := m.waitConversation(t, maloID, "the switch without the LFA", func(c demo.Conversation) bool {
				return len(c.UTILMD("55002")) == 1 && len(c.UTILMD("55008")) == 1
			})
			checkMessages(t, c)
			zu := onePID(t, c, "55002", mk)
			if zu.To != mpLFX || zu.RefTN != anm || zu.Code != "A51" || zu.EBD != "E_0623" {
				t.Errorf("55002 to %s answers %s with %s:%s", zu.To, zu.RefTN, zu.Code, zu.EBD)
			}
			if w10 := time.Date(2026, 11, 23, 10, 0, 0, 0, fristen.Berlin()); !zu.Created.Equal(w10) {
				t.Errorf("55002 decided at %s, want the LFA deadline W 10:00 = %s", zu.Created, w10)
			}
			if n := len(c.UTILMD("55011")) + len(c.UTILMD("55012")); n != 0 {
				t.Errorf("the LFA answered (%d)", n)
			}
			// The Anfrage reached the LFA (APERAK 312): the wait ended by time.
			m.waitConversation(t, maloID, "the LFA's APERAK for the 55010", func(c demo.Conversation) bool {
				a := c.UTILMD("55010")
				return len(a) == 1 && len(c.AperakFor(a[0].Transaction)) == 1
			})
			c = demo.Select(m.messages(t), maloID)
			aperakOf(t, c, onePID(t, c, "55010", mk), "312", mk)
			checkAnswer(t, onePID(t, c, "55008", mk), onePID(t, c, "55007", mk), "A10", "E_0609")
			_, evs := m.nb.process(t, zu.Process)
			if !slices.Contains(evs, "gpke.lfa_wait_expired") {
				t.Errorf("NB process without gpke.lfa_wait_expired: %v", evs)
			}
			m.nb.record(t, maloID, "LFX from Tuesday", func(r *malo.Record) bool { return supplierAt(r, start) == mpLFX })
			// LFX never acknowledges the 55002: its APERAK deadline (from the
			// decision on Monday) passes and the NB's ERP gets the alert.
			miss := m.nb.waitEvent(t, maloID, erp.TypeAperakTimeout, "55002")
			if !strings.Contains(miss.Data.Reason, "2026-11-23T") || miss.Data.TransactionID != zu.Transaction {
				t.Errorf("APERAK timeout for %s: %q", miss.Data.TransactionID, miss.Data.Reason)
			}
		})

		// Deadlines across a holiday: receipt on Wednesday 2026-05-13 (FV2604),
		// Christi Himmelfahrt on Thursday 14.05 → W is Friday 15.05 and the
		// earliest Zuordnungsbeginn Saturday 16.05. The MaLo has no supplier,
		// so the NB decides at once (no Anfrage: the LFA's ingest would check
		// the FV2604 55010 against its own receipt today, see docs/gpke.md).
		t.Run("holiday: W after Christi Himmelfahrt", func(t *testing.T) {
			early, ok := nextMaLo(t), nextMaLo(t)
			t.Parallel()
			for _, id := range []string{early, ok} {
				_, err := m.nb.malo.Put(context.Background(), mk.NB.Tenant, malo.Record{MaLo: id, GridOperator: mk.NB.MPID, Sector: "Strom"})
				must(t, err)
			}
			received := "2026-05-13T10:00:00+02:00"
			m.lfxAnmeldung(t, early, received, deDay(2026, 5, 15))
			m.lfxAnmeldung(t, ok, received, deDay(2026, 5, 16))
			c := m.waitConversation(t, early, "the rejection", func(c demo.Conversation) bool { return len(c.UTILMD("55003")) == 1 })
			checkMessages(t, c)
			if abl := onePID(t, c, "55003", mk); abl.Code != "A07" || abl.EBD != "E_0622" {
				t.Errorf("ZB on W: %s:%s, want A07:E_0622", abl.Code, abl.EBD)
			}
			c = m.waitConversation(t, ok, "the confirmation", func(c demo.Conversation) bool { return len(c.UTILMD("55002")) == 1 })
			checkMessages(t, c)
			zu := onePID(t, c, "55002", mk)
			at, _ := time.Parse(time.RFC3339, received)
			if zu.Code != "A51" || !zu.Created.Equal(at) {
				t.Errorf("55002 %s decided at %s, want A51 at the receipt %s", zu.Code, zu.Created, at)
			}
			if v, _ := fv.Resolve(zu.Created); v.String() != "FV2604" {
				t.Errorf("55002 of %s in %s", zu.Created, v)
			}
			if n := len(c.UTILMD("55010")); n != 0 {
				t.Errorf("%d 55010 for a MaLo without supplier", n)
			}
			m.nb.record(t, ok, "LFX from Saturday", func(r *malo.Record) bool { return supplierAt(r, deDay(2026, 5, 16)) == mpLFX })
		})
	})

	// Every message any workflow emitted in the whole market passes
	// edifact.Check and carries a PID known for its format version.
	all := demo.Conversation{Messages: m.messages(t)}
	checkMessages(t, all)
	for _, msg := range all.Messages {
		if msg.Type == "CONTRL" {
			t.Errorf("%s rejected interchange %s with CONTRL %s", msg.Tenant, msg.RefInterchange, msg.DocCode)
		}
	}
	if len(all.Messages) < 50 {
		t.Errorf("only %d messages in the market", len(all.Messages))
	}
	t.Logf("%d messages exchanged in the market", len(all.Messages))
}

// lfxAnmeldung publishes LFX's Anmeldung 55001 for the MaLo and start to the
// NB's ingest with the given receipt time (Mako-Received-At) and returns its
// transaction id.
func (m *market) lfxAnmeldung(t *testing.T, maloID, received string, start time.Time) string {
	t.Helper()
	return m.lfxUTILMD(t, maloID, "55001", received, start)
}

// lfxUTILMD publishes LFX's UTILMD transaction of pid (segments of an
// Anmeldung: BGM E01, DTM+92 = start, STS+7 E03/ZW4, LOC+Z16) to the NB's
// ingest with the given receipt time and returns its transaction id; the
// document number is "DOK" + MaLo.
func (m *market) lfxUTILMD(t *testing.T, maloID, pid, received string, start time.Time) string {
	t.Helper()
	at, err := time.Parse(time.RFC3339, received)
	must(t, err)
	v, err := fv.Resolve(at)
	must(t, err)
	unh, ok := catalog.UNHS009(catalog.UTILMD, catalog.Strom, v)
	if !ok {
		t.Fatalf("no UTILMD version for %s", v)
	}
	tx, ref := "TX"+maloID, "IX"+maloID
	dtm := func(t time.Time) string { return catalog.FormatDTM303(t) }
	data := strings.Join([]string{
		"UNA:+.? '",
		"UNB+UNOC:3+" + mpLFX + ":500+" + m.mk.NB.MPID + ":500+" + at.UTC().Format("060102:1504") + "+" + ref + "'",
		"UNH+1+" + unh.Type + ":" + unh.Version + ":" + unh.Release + ":" + unh.Agency + ":" + unh.Association + "'",
		"BGM+E01+DOK" + maloID + "'",
		"DTM+137:" + strings.ReplaceAll(dtm(at), "+", "?+") + ":303'",
		"NAD+MS+" + mpLFX + "::293'",
		"NAD+MR+" + m.mk.NB.MPID + "::293'",
		"IDE+24+" + tx + "'",
		"DTM+92:" + strings.ReplaceAll(dtm(start), "+", "?+") + ":303'",
		"STS+7++E03+ZW4'",
		"LOC+Z16+" + maloID + "'",
		"RFF+Z13:" + pid + "'",
		// The rest of an AHB-complete 55001 (ingest refuses the other PIDs
		// sent here with Z31 before their AHB is checked) (product package with the
		// Bilanzkreis, EnWG group, EnFG, customer and address): the NB's
		// 55010 echoes NAD+Z09.
		"SEQ+Z79+1'",
		"PIA+5+9991000002082:Z11'",
		"CCI+Z66'",
		"CAV+ZV4:::11XMAKO-LFX-BK-6'",
		"SEQ+ZH0+1'",
		"CCI+Z65+++Z01'",
		"SEQ+Z01'",
		"CCI+++Z15'",
		"SEQ+Z75'",
		"CCI+Z61++ZG0'",
		"NAD+Z09+++Musterfrau:Maria::::Z01'",
		"NAD+Z04+++Musterfrau:Maria::::Z01+Beispielweg::7+Beispielstadt++54321+DE'",
		"UNT+23+1'",
		"UNZ+1+" + ref + "'",
	}, "")
	msg := nats.NewMsg("mako.ingest." + m.mk.NB.Tenant)
	msg.Data = []byte(data)
	msg.Header.Set(inbound.HeaderReceivedAt, received)
	_, err = m.nb.js.PublishMsg(context.Background(), msg)
	must(t, err)
	return tx
}

// waitLFXAperak waits for the NB's APERAK to LFX's document doc.
func (m *market) waitLFXAperak(t *testing.T, doc string) demo.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, msg := range m.nb.outbox(t) {
			if msg.Type == "APERAK" && msg.To == mpLFX && msg.RefDocument == doc {
				return msg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no APERAK for LFX's %s", doc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// otherNB is a grid operator outside the market (valid GS1 check digit).
func otherNB(t *testing.T) string {
	t.Helper()
	c, err := ident.GS1CheckDigit("990000000004")
	must(t, err)
	return "990000000004" + string(c)
}

// sameMultiset reports whether a and b hold the same tokens, in any order.
func sameMultiset(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// wantCloudEvents checks that every wanted CloudEvent ("type-suffix [pid [code]]")
// is among evs.
func wantCloudEvents(t *testing.T, evs []demo.ReceivedEvent, tenant string, want ...string) {
	t.Helper()
	have := eventTypes(evs)
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w || strings.HasPrefix(h, w+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no CloudEvent %q among %v", tenant, w, have)
		}
	}
}

// stornoAnswered: the LFN's 55022 is confirmed and the NB's 55022 to the
// LFA (cancelling its open 55010) is answered, each answer acknowledged.
func stornoAnswered(mk demo.Market) func(demo.Conversation) bool {
	return func(c demo.Conversation) bool {
		n := 0
		for _, s := range c.UTILMD("55023") {
			if len(c.AperakFor(s.Transaction)) == 1 && (s.From == mk.NB.MPID || s.From == mk.LFA.MPID) {
				n++
			}
		}
		return n == 2
	}
}

// pidFrom returns the single message of a PID sent by the MP-ID from.
func pidFrom(t *testing.T, c demo.Conversation, pid, from string, mk demo.Market) demo.Message {
	t.Helper()
	var got []demo.Message
	for _, msg := range c.UTILMD(pid) {
		if msg.From == from {
			got = append(got, msg)
		}
	}
	if len(got) != 1 {
		t.Fatalf("want one %s from %s, have %d:\n%s", pid, from, len(got), conversationText(c, mk))
	}
	return got[0]
}

// checkRevokedAnfrage checks the NB's revocation of its open 55010 after a
// confirmed Stornierung (docs/gpke.md, switch step 5): 55022 E02 to the
// LFA with RFF+ACW = the 55010, the LFA's 55023 (both acknowledged), the
// LFA's process ended cancelled without ending its supply. It returns the
// LFA's process.
func (m *market) checkRevokedAnfrage(t *testing.T, c demo.Conversation) string {
	t.Helper()
	mk := m.mk
	anf := onePID(t, c, "55010", mk)
	rev := pidFrom(t, c, "55022", mk.NB.MPID, mk)
	if rev.To != mk.LFA.MPID || rev.RefACW != anf.Transaction || rev.DocCode != "E02" || rev.Process != anf.Process {
		t.Errorf("NB's 55022 to %s cancels %s (BGM %s) from %s, want the 55010 %s (E02) of %s", rev.To, rev.RefACW, rev.DocCode, rev.Process, anf.Transaction, anf.Process)
	}
	aperakOf(t, c, rev, "312", mk)
	conf := pidFrom(t, c, "55023", mk.LFA.MPID, mk)
	checkAnswer(t, conf, rev, "A01", "S_0086")
	aperakOf(t, c, conf, "312", mk)
	p, evs := m.lfa.process(t, conf.Process)
	if p.Outcome != gpke.OutcomeCancelled || p.Workflow != gpke.WorkflowLFABeendigung || slices.Contains(evs, "gpke.supply_ended") {
		t.Errorf("LFA process %s %s, events %v", p.Workflow, p.Outcome, evs)
	}
	return conf.Process
}
