package integration

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/nats-io/nats.go"
)

// The GeLi Gas scenarios of TestGasMarket, one MaLo each. Answer codes and
// code lists are those of geligas.DefaultCodes (docs/geligas.md: E15 and
// the E14 fallbacks are UNVERIFIED choices of the package, Z12/Z34/Z35/ZC5/
// Z01 are named by AHB conditions).

// scenario is one named subtest of a market test.
type scenario struct {
	name string
	run  func(t *testing.T)
}

// concurrently runs the scenarios as subtests of t all at once, each from
// its own goroutine (testing.T.Run may be called from several): they share
// one market and spend their time waiting for it, so their waits overlap
// whatever -parallel allows. It returns when all have finished.
func concurrently(t *testing.T, scenarios ...scenario) {
	t.Helper()
	var wg sync.WaitGroup
	for _, sc := range scenarios {
		wg.Go(func() { t.Run(sc.name, sc.run) })
	}
	wg.Wait()
}

// gasTimes are the dates the ERP-started scenarios use, derived from the
// test's start (now) by the package's lead-time clock.
type gasTimes struct {
	now time.Time
	// okStart is a Lieferbeginn the lead time with Kündigung allows for a
	// receipt now (two days of margin).
	okStart time.Time
	// tooEarly breaks the lead time without Kündigung.
	tooEarly time.Time
}

func newGasTimes(t *testing.T, now time.Time) gasTimes {
	t.Helper()
	clock, err := fristen.NewGeLiGas(nil)
	must(t, err)
	return gasTimes{now: now,
		okStart:  fristen.AddDays(clock.EarliestStart(now.Add(10*time.Minute), true), 2),
		tooEarly: fristen.AddDays(clock.EarliestStart(now, false), -2)}
}

// gasSupplyStart is the ERP command geligas.lfn.register_supply_start of
// the LFN for the MaLo and start, with the customer and the gas facts the
// 44001 AHB demands (household customer, LFN's balance group, billing
// interval 12 months).
func gasSupplyStart(m *market, maloID string, start time.Time) map[string]any {
	return map[string]any{"malo": maloID, "start": start, "nb": m.mk.NB.MPID, "lfn": m.mk.LFN.MPID,
		"customer": "Mustermann", "customer_first_name": "Erika", "household": true,
		"address":       map[string]any{"street": "Musterstraße", "house_no": "1", "city": "Musterstadt", "post_code": "12345"},
		"balance_group": "THE0BFL0000000LN", "billing_months": 12}
}

// gasDecide answers the party's decision request about the MaLo's pid as
// its ERP would: once the request's decision key is bound in the registry
// (the CloudEvent can reach the ERP before the commit that binds it; a
// geligas.decide before that is refused with no_process).
func gasDecide(t *testing.T, p *marketParty, maloID, pid, partnerMP string, object bool, extra map[string]any) demo.ReceivedEvent {
	t.Helper()
	req := p.waitEvent(t, maloID, geligas.CEDecisionRequested, pid)
	key := geligas.DecisionKey(partnerMP, req.Data.TransactionID)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ids, err := p.sys.Engine().Registry().LookupAll(context.Background(), engine.TenantID(p.Tenant), key)
		must(t, err)
		if len(ids) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: decision key %v never bound", p.Tenant, key)
		}
	}
	cmd := map[string]any{"partner": partnerMP, "transaction_id": req.Data.TransactionID, "object": object}
	for k, v := range extra {
		cmd[k] = v
	}
	p.erpCommand(t, "decide-"+pid+"-"+maloID, geligas.ERPDecide, cmd)
	return req
}

// checkGasConversation runs the checks every finished gas conversation
// must pass: messages clean and AHB-conformant, a positive CONTRL for every
// UTILMD, no APERAK.
func checkGasConversation(t *testing.T, c demo.Conversation, mk demo.Market) {
	t.Helper()
	checkGasMessages(t, c)
	checkGasCONTRLs(t, c, mk)
	noAperak(t, c, mk)
}

// gasFrom checks sender, recipient and date of a request.
func gasFrom(t *testing.T, msg demo.Message, from, to string, date time.Time) {
	t.Helper()
	if msg.From != from || msg.To != to || (!date.IsZero() && !msg.Date.Equal(date)) {
		t.Errorf("%s %s: %s → %s on %s, want %s → %s on %s", msg.PID, msg.Transaction, msg.From, msg.To, msg.Date, from, to, date)
	}
}

// pendingSwitch seeds the MaLo (supplied by the LFA), has the LFN register
// its supply from start and waits until the NB asked the LFA (44010), whose
// ERP does not decide: the switch is pending.
func (m *market) pendingSwitch(t *testing.T, maloID string, start time.Time) demo.Conversation {
	t.Helper()
	m.seedSwitch(t, maloID)
	m.lfn.erpCommand(t, "anm-"+maloID, geligas.ERPRegisterSupplyStart, gasSupplyStart(m, maloID, start))
	return m.waitConversation(t, maloID, "the Abmeldungsanfrage", func(c demo.Conversation) bool { return len(c.UTILMD(geligas.PIDAbmeldeanfrage)) == 1 })
}

// gasHappyPath: Kündigung 44016 → 44017, Anmeldung 44001 with the
// Informationsmeldung 44036 (existing assignment) to the LFN,
// Abmeldungsanfrage 44010 → 44011 (the LFA's ERP consents), Bestätigung
// 44002 to the LFN; master data of all three follow.
func gasHappyPath(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	start := tm.okStart
	m.lfn.erpCommand(t, "kue-"+maloID, geligas.ERPRequestTermination, map[string]any{
		"malo": maloID, "date": start, "lfa": mk.LFA.MPID, "lfn": mk.LFN.MPID})
	gasDecide(t, m.lfa, maloID, geligas.PIDKuendigung, mk.LFN.MPID, false, nil)
	c := m.waitConversation(t, maloID, "the Kündigung", convComplete)
	kue := onePID(t, c, geligas.PIDKuendigung, mk)
	gasFrom(t, kue, mk.LFN.MPID, mk.LFA.MPID, start)
	kb := onePID(t, c, geligas.PIDKuendigungBest, mk)
	checkAnswer(t, kb, kue, "E15", "G_0006")
	if !kb.Date.Equal(start) || !strings.Contains(string(kb.Raw), "QTY+Z09:3200") {
		t.Errorf("44017: end %s, want %s with the previous-year consumption 3200 kWh (QTY+Z09)", kb.Date, start)
	}

	m.lfn.erpCommand(t, "anm-"+maloID, geligas.ERPRegisterSupplyStart, gasSupplyStart(m, maloID, start))
	gasDecide(t, m.lfa, maloID, geligas.PIDAbmeldeanfrage, mk.NB.MPID, false, nil)
	c = m.waitConversation(t, maloID, "the whole switch", func(c demo.Conversation) bool {
		return convComplete(c) && len(c.UTILMD(geligas.PIDAnmeldungBest)) == 1
	})
	checkGasConversation(t, c, mk)
	// The NB informs the LFN of the existing assignment (44036, naming the
	// LFA in NAD+VY); the LFA, which confirmed the end itself, gets no
	// 44037 (that is for an LFA that stayed silent).
	want := []string{"44016", "44017", "44001", "44036", "44010", "44011", "44002"}
	var got []string
	for _, msg := range c.Messages {
		if msg.Type == "UTILMD" {
			got = append(got, msg.PID)
		}
	}
	if !sameMultiset(got, want) {
		t.Errorf("UTILMDs %v, want %v:\n%s", got, want, conversationText(c, mk))
	}
	anm := onePID(t, c, geligas.PIDAnmeldung, mk)
	gasFrom(t, anm, mk.LFN.MPID, mk.NB.MPID, start)
	anf := onePID(t, c, geligas.PIDAbmeldeanfrage, mk)
	gasFrom(t, anf, mk.NB.MPID, mk.LFA.MPID, start)
	checkAnswer(t, onePID(t, c, geligas.PIDAbmeldeanfrageBest, mk), anf, "E15", "G_0010")
	best := onePID(t, c, geligas.PIDAnmeldungBest, mk)
	checkAnswer(t, best, anm, "E15", "G_0012")
	if !best.Date.Equal(start) || best.MaLo != maloID {
		t.Errorf("44002: start %s MaLo %s, want %s %s", best.Date, best.MaLo, start, maloID)
	}
	// The 44002 carries the LFN's facts of the 44001 (Bilanzkreis, billing
	// interval), the Bilanzierungsbeginn and the NB's master data of the
	// MaLo (Marktgebiet, Druckebene, Gasqualität, MeLo).
	g, _ := demo.GasMasterData()
	pressure, _ := g.Pressure.Code()
	quality, _ := g.Quality.Code()
	for _, seg := range []string{"DTM+158:" + strings.ReplaceAll(catalog.FormatDTM303(start), "+", "?+"), "CCI+Z19++THE0BFL0000000LN'",
		"DTM+Z20:12:802'", "CCI+Z21++" + g.MarketArea + "'", "CCI+++Y01'CAV+" + pressure + "'", "CCI+++Y02'CAV+" + quality + "'",
		"RFF+Z19:" + demo.DemoMeLo(maloID) + "'"} {
		if !strings.Contains(string(best.Raw), seg) {
			t.Errorf("44002 lacks %s", seg)
		}
	}
	info := onePID(t, c, geligas.PIDInfoZuordnung, mk)
	if info.From != mk.NB.MPID || info.To != mk.LFN.MPID || info.RefTN != anm.Transaction || !strings.Contains(string(info.Raw), "NAD+VY+"+mk.LFA.MPID) {
		t.Errorf("44036 %s → %s answers %s, want NB → LFN for %s naming the LFA (NAD+VY)", info.From, info.To, info.RefTN, anm.Transaction)
	}
	if !(anm.At.Before(anf.At) && anf.At.Before(best.At)) {
		t.Errorf("order: 44001 %s, 44010 %s, 44002 %s", anm.At, anf.At, best.At)
	}
	// Master data: the NB assigns the MaLo to the LFN from the Lieferbeginn
	// (a Gastag boundary); LFN and LFA record their side.
	nb := m.nb.record(t, maloID, "LFN from the Lieferbeginn", func(r *malo.Record) bool { return supplierAt(r, start) == mk.LFN.MPID })
	if supplierAt(nb, start.Add(-time.Nanosecond)) != mk.LFA.MPID {
		t.Errorf("NB master data %+v", nb.Periods)
	}
	m.lfn.record(t, maloID, "own supply from the Lieferbeginn", func(r *malo.Record) bool { return supplierAt(r, start) == mk.LFN.MPID })
	m.lfa.record(t, maloID, "own supply ends at the Lieferbeginn", func(r *malo.Record) bool {
		return r != nil && len(r.Periods) == 1 && r.Periods[0].To != nil && r.Periods[0].To.Equal(start)
	})
	for _, pc := range []struct {
		p  *marketParty
		id string
		wf string
	}{{m.lfn, anm.Process, geligas.WorkflowLFNLieferbeginn}, {m.nb, anf.Process, geligas.WorkflowNBLieferbeginn},
		{m.lfn, kue.Process, geligas.WorkflowLFNKuendigung}} {
		if rp, _ := pc.p.process(t, pc.id); rp.Workflow != pc.wf || rp.Outcome != geligas.OutcomeConfirmed {
			t.Errorf("%s process %s: %s %s, want %s confirmed", pc.p.Tenant, pc.id, rp.Workflow, rp.Outcome, pc.wf)
		}
	}
	// The LFN's processes take the positive CONTRLs as "received".
	wantCloudEvents(t, m.lfn.events(t, maloID), "lfn", "contrl.received", "process.completed 44017", "process.completed 44002", "info.received 44036")
	wantCloudEvents(t, m.lfa.events(t, maloID), "lfa", "decision.requested 44016", "process.completed 44017", "decision.requested 44010", "process.completed 44011")
}

// gasLFAObjects: the LFA's ERP objects to the NB's 44010 (44012, Z12
// Vertragsbindung); the NB refuses the Anmeldung with 44003 Z35 (E_3007,
// AHB [84]); nothing changes in the master data.
func gasLFAObjects(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	m.lfn.erpCommand(t, "anm-"+maloID, geligas.ERPRegisterSupplyStart, gasSupplyStart(m, maloID, tm.okStart))
	gasDecide(t, m.lfa, maloID, geligas.PIDAbmeldeanfrage, mk.NB.MPID, true, map[string]any{"note": "Vertrag bis 2028"})
	c := m.waitConversation(t, maloID, "the refusal", func(c demo.Conversation) bool {
		return convComplete(c) && len(c.UTILMD(geligas.PIDAnmeldungAbl)) == 1
	})
	checkGasConversation(t, c, mk)
	anm, anf := onePID(t, c, geligas.PIDAnmeldung, mk), onePID(t, c, geligas.PIDAbmeldeanfrage, mk)
	checkAnswer(t, onePID(t, c, geligas.PIDAbmeldeanfrageAbl, mk), anf, "Z12", "G_0009")
	abl := onePID(t, c, geligas.PIDAnmeldungAbl, mk)
	checkAnswer(t, abl, anm, "Z35", "G_0011")
	if abl.Third != "Z12" || !strings.Contains(string(abl.Raw), "NAD+VY+"+mk.LFA.MPID) {
		t.Errorf("44003 Z35: STS+Z35 %q, want the LFA's Z12, and NAD+VY naming the LFA (AHB [84], [566])", abl.Third)
	}
	for _, pid := range []string{geligas.PIDAnmeldungBest, geligas.PIDInfoBeendigung} {
		if n := len(c.UTILMD(pid)); n != 0 {
			t.Errorf("%d %s after the LFA's objection", n, pid)
		}
	}
	if rp, _ := m.lfn.process(t, anm.Process); rp.Outcome != geligas.OutcomeRejected {
		t.Errorf("LFN outcome %s", rp.Outcome)
	}
	if r, _ := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID); supplierAt(r, tm.okStart) != mk.LFA.MPID {
		t.Errorf("NB master data changed: %+v", r)
	}
}

// gasKuendigungRefused: the LFA refuses the Kündigung (44018, E_3001) for
// each outcome the data allows: no contract for the MaLo (A03, its own
// supply ended before), Mehrfachkündigung (Z34: its supply already ends at
// the date, DTM+Z05) and Vertragsbindung (Z12 with DTM+157/Z01: the
// contract system, gasContracts, says the contract binds; the ERP objects).
func gasKuendigungRefused(t *testing.T, m *market, tm gasTimes) {
	mk := m.mk
	ended := gasDay(2026, 6, 1)
	var runs []scenario
	for _, tc := range []struct {
		name, code string
		lfa        func(r *malo.Record)
		contract   *gasContract
		decide     bool
		check      func(t *testing.T, abl demo.Message)
	}{
		{name: "no contract", code: "A03", lfa: func(r *malo.Record) { r.Periods[0].To = &ended }, check: func(t *testing.T, abl demo.Message) {
			if abl.MaLo != "" {
				t.Errorf("44018 A03 with LOC+172 %s (AHB [361])", abl.MaLo)
			}
		}},
		{name: "Mehrfachkündigung", code: "Z34", lfa: func(r *malo.Record) { end := tm.okStart; r.Periods[0].To = &end }, check: func(t *testing.T, abl demo.Message) {
			if !strings.Contains(string(abl.Raw), "DTM+Z05:"+strings.ReplaceAll(catalog.FormatDTM303(tm.okStart), "+", "?+")) {
				t.Errorf("44018 Z34 without DTM+Z05 = the confirmed end %s", tm.okStart)
			}
		}},
		{name: "Vertragsbindung", code: "Z12", contract: &gasContract{binding: true, notice: "03MM", earliestEnd: fristen.AddDays(tm.okStart, 90)}, decide: true,
			check: func(t *testing.T, abl demo.Message) {
				if !strings.Contains(string(abl.Raw), "DTM+157:") || !strings.Contains(string(abl.Raw), "DTM+Z01:03MM") {
					t.Errorf("44018 Z12 without DTM+157 and DTM+Z01 (AHB [16])")
				}
			}},
	} {
		runs = append(runs, scenario{tc.name, func(t *testing.T) {
			maloID := nextMaLo(t)
			m.seedSwitch(t, maloID)
			if tc.lfa != nil {
				m.lfa.editRecord(t, maloID, tc.lfa)
			}
			if tc.contract != nil {
				gasContracts.Store(mk.LFA.Tenant+"/"+maloID, *tc.contract)
			}
			m.lfn.erpCommand(t, "kue-"+maloID, geligas.ERPRequestTermination, map[string]any{
				"malo": maloID, "date": tm.okStart, "lfa": mk.LFA.MPID, "lfn": mk.LFN.MPID})
			if tc.decide {
				req := gasDecide(t, m.lfa, maloID, geligas.PIDKuendigung, mk.LFN.MPID, true, map[string]any{"note": "Mindestlaufzeit"})
				if req.Data.Code != tc.code || !strings.Contains(req.Data.Reason, "E_3001") {
					t.Errorf("decision request: default %s (%q), want %s of E_3001", req.Data.Code, req.Data.Reason, tc.code)
				}
			}
			c := m.waitConversation(t, maloID, "the refusal", convComplete)
			checkGasConversation(t, c, mk)
			kue := onePID(t, c, geligas.PIDKuendigung, mk)
			abl := onePID(t, c, geligas.PIDKuendigungAbl, mk)
			checkAnswer(t, abl, kue, tc.code, "G_0005")
			tc.check(t, abl)
			if rp, _ := m.lfn.process(t, kue.Process); rp.Workflow != geligas.WorkflowLFNKuendigung || rp.Outcome != geligas.OutcomeRejected {
				t.Errorf("LFN process %s %s", rp.Workflow, rp.Outcome)
			}
		}})
	}
	concurrently(t, runs...)
}

// gasNBRefusals: the NB refuses an Anmeldung for each E_3005 outcome the
// data of an ERP-started switch allows: MaLo unknown (A03), MaLo in
// another grid (A04 naming the NB), Lieferbeginn before the lead time (E14
// with the reason).
func gasNBRefusals(t *testing.T, m *market, tm gasTimes) {
	mk := m.mk
	var runs []scenario
	for _, tc := range []struct {
		name  string
		seed  func(maloID string)
		start time.Time
		code  string
		check func(t *testing.T, abl demo.Message)
	}{
		{name: "unknown MaLo", seed: func(string) {}, start: tm.okStart, code: "A03", check: func(t *testing.T, abl demo.Message) {
			if abl.MaLo != "" {
				t.Errorf("44003 A03 with LOC+172 %s (AHB [362])", abl.MaLo)
			}
		}},
		{name: "other grid", seed: func(id string) { m.seed(t, id, otherGasNB) }, start: tm.okStart, code: "A04", check: func(t *testing.T, abl demo.Message) {
			if !strings.Contains(string(abl.Raw), "NAD+VY+"+otherGasNB) {
				t.Errorf("44003 A04 does not name the NB of the MaLo (NAD+VY %s)", otherGasNB)
			}
		}},
		{name: "lead time", seed: func(id string) { m.seedSwitch(t, id) }, start: tm.tooEarly, code: "E14", check: wantRemark(leadTimeRemark)},
	} {
		runs = append(runs, scenario{tc.name, func(t *testing.T) {
			maloID := nextMaLo(t)
			tc.seed(maloID)
			m.lfn.erpCommand(t, "anm-"+maloID, geligas.ERPRegisterSupplyStart, gasSupplyStart(m, maloID, tc.start))
			c := m.waitConversation(t, maloID, "the refusal", func(c demo.Conversation) bool {
				a := c.UTILMD(geligas.PIDAnmeldung)
				return convComplete(c) && len(a) == 1 && len(c.AnswerTo(a[0].Transaction)) == 1
			})
			checkGasConversation(t, c, mk)
			anm := onePID(t, c, geligas.PIDAnmeldung, mk)
			abl := onePID(t, c, geligas.PIDAnmeldungAbl, mk)
			checkAnswer(t, abl, anm, tc.code, "G_0011")
			tc.check(t, abl)
			if n := len(c.UTILMD(geligas.PIDAbmeldeanfrage)); n != 0 {
				t.Errorf("the NB asked the LFA although it refused at once (%d 44010)", n)
			}
			if rp, _ := m.lfn.process(t, anm.Process); rp.Outcome != geligas.OutcomeRejected {
				t.Errorf("LFN outcome %s", rp.Outcome)
			}
		}})
	}
	concurrently(t, runs...)
}

// leadTimeRemark is the FTX+ACB of an E14 for the lead time
// (geligas.CodeAnmeldungLeadTime).
const leadTimeRemark = "Vorlauffrist nicht eingehalten"

// wantRemark checks an answer's FTX+ACB text (the reason of an E14, AHB
// [48]).
func wantRemark(text string) func(t *testing.T, msg demo.Message) {
	return func(t *testing.T, msg demo.Message) {
		t.Helper()
		if !strings.Contains(string(msg.Raw), "FTX+ACB+++"+text) {
			t.Errorf("%s %s without FTX+ACB %q", msg.PID, msg.Code, text)
		}
	}
}

// otherGasNB is a gas grid operator outside the market (DVGW, valid check
// digit).
const otherGasNB = "9800000000083"

// gasAbmeldung: the LFA deregisters (44004 → 44005, E_3019) and the NB
// ends its supply; the LFN, which does not supply the MaLo, is refused
// (44006 E14) and nothing changes.
func gasAbmeldung(t *testing.T, m *market, tm gasTimes) {
	mk := m.mk
	var runs []scenario
	for _, tc := range []struct {
		name       string
		lf         *marketParty
		pid, code  string
		list       string
		supplyEnds bool
		// ended: the NB's record ends the LFA's supply at the date already.
		ended  bool
		remark string
	}{
		{name: "confirmed", lf: m.lfa, pid: geligas.PIDAbmeldungBest, code: "E15", list: "G_0008", supplyEnds: true},
		{name: "not the supplier", lf: m.lfn, pid: geligas.PIDAbmeldungAbl, code: "E14", list: "G_0007",
			remark: "Absender ist zum Abmeldedatum nicht Lieferant der Marktlokation"},
		{name: "end already recorded", lf: m.lfa, pid: geligas.PIDAbmeldungAbl, code: "E14", list: "G_0007", ended: true,
			remark: "Lieferende zum Abmeldedatum bereits bestaetigt"},
	} {
		runs = append(runs, scenario{tc.name, func(t *testing.T) {
			maloID := nextMaLo(t)
			m.seedSwitch(t, maloID)
			if tc.ended {
				m.nb.editRecord(t, maloID, func(r *malo.Record) { end := tm.okStart; r.Periods[0].To = &end })
			}
			tc.lf.erpCommand(t, "abm-"+maloID, geligas.ERPRegisterSupplyEnd, map[string]any{
				"malo": maloID, "end": tm.okStart, "nb": mk.NB.MPID, "lf": tc.lf.MPID, "reason": "E01"})
			c := m.waitConversation(t, maloID, "the answer to the Abmeldung", convComplete)
			checkGasConversation(t, c, mk)
			abm := onePID(t, c, geligas.PIDAbmeldung, mk)
			gasFrom(t, abm, tc.lf.MPID, mk.NB.MPID, tm.okStart)
			ans := onePID(t, c, tc.pid, mk)
			checkAnswer(t, ans, abm, tc.code, tc.list)
			if tc.remark != "" {
				wantRemark(tc.remark)(t, ans)
			}
			outcome := geligas.OutcomeRejected
			if tc.supplyEnds {
				outcome = geligas.OutcomeConfirmed
				m.nb.record(t, maloID, "the LFA's supply ends", func(r *malo.Record) bool {
					return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(tm.okStart)
				})
			} else if r, _ := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID); (r.Periods[0].To != nil) != tc.ended {
				t.Errorf("NB master data changed: %+v", r.Periods)
			}
			if rp, _ := tc.lf.process(t, abm.Process); rp.Workflow != geligas.WorkflowLFLieferende || rp.Outcome != outcome {
				t.Errorf("LF process %s %s, want %s %s", rp.Workflow, rp.Outcome, geligas.WorkflowLFLieferende, outcome)
			}
		}})
	}
	concurrently(t, runs...)
}

// gasStornierung: the LFN cancels its pending Anmeldung (the LFA's ERP has
// not decided): the ERP's geligas.request_cancellation goes to the LFN's
// Anmeldung process, which sends the 44022 → 44023 and ends cancelled; the
// NB's process is cancelled and the NB cancels its unanswered 44010 at the
// LFA in turn (44022 BGM E02 → 44023), so the LFA's supply does not end; a
// second Stornierung of the same Anmeldung is refused (44024 E14) and
// changes nothing.
func gasStornierung(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	c := m.pendingSwitch(t, maloID, tm.okStart)
	anm, anf := onePID(t, c, geligas.PIDAnmeldung, mk), onePID(t, c, geligas.PIDAbmeldeanfrage, mk)
	storno := map[string]any{"sender": mk.LFN.MPID, "recipient": mk.NB.MPID, "transaction_id": anm.Transaction, "category": "E01", "malo": maloID}
	m.lfn.erpCommand(t, "storno-"+maloID, geligas.ERPRequestCancellation, storno)
	c = m.waitConversation(t, maloID, "the Stornierungen's answers", func(c demo.Conversation) bool {
		return acknowledged(c) && len(c.UTILMD(geligas.PIDStornoBest)) == 2
	})
	checkGasConversation(t, c, mk)
	stornos := map[string]demo.Message{}
	for _, sto := range c.UTILMD(geligas.PIDStorno) {
		stornos[sto.From] = sto
	}
	for _, want := range []struct {
		from, to, cancels, bgm, process string
	}{{mk.LFN.MPID, mk.NB.MPID, anm.Transaction, "E01", anm.Process}, {mk.NB.MPID, mk.LFA.MPID, anf.Transaction, "E02", anf.Process}} {
		sto, ok := stornos[want.from]
		if !ok || sto.To != want.to || sto.RefACW != want.cancels || sto.DocCode != want.bgm || sto.Process != want.process {
			t.Errorf("44022 from %s: → %s cancels %s (BGM %s) from process %s; want → %s cancelling %s (BGM %s) from %s",
				want.from, sto.To, sto.RefACW, sto.DocCode, sto.Process, want.to, want.cancels, want.bgm, want.process)
			continue
		}
		ans := c.AnswerTo(sto.Transaction)
		if len(ans) != 1 {
			t.Errorf("%d answers to the 44022 from %s", len(ans), want.from)
			continue
		}
		checkAnswer(t, ans[0], sto, "E15", "G_0004")
	}
	if rp, _ := m.nb.process(t, anf.Process); rp.Outcome != geligas.OutcomeCancelled {
		t.Errorf("NB outcome %s, want cancelled", rp.Outcome)
	}
	// The LFN's Anmeldung process ends cancelled (read model, CloudEvent).
	if rp, _ := m.lfn.process(t, anm.Process); rp.Workflow != geligas.WorkflowLFNLieferbeginn || rp.Outcome != geligas.OutcomeCancelled {
		t.Errorf("LFN process %s %s, want %s cancelled", rp.Workflow, rp.Outcome, geligas.WorkflowLFNLieferbeginn)
	}
	if ev := m.lfn.waitEvent(t, maloID, erp.TypeProcessCompleted, geligas.PIDStornoBest); ev.Data.Outcome != geligas.OutcomeCancelled {
		t.Errorf("LFN's CloudEvent completed: outcome %q, want cancelled", ev.Data.Outcome)
	}
	m.lfn.erpCommand(t, "storno2-"+maloID, geligas.ERPRequestCancellation, storno)
	c = m.waitConversation(t, maloID, "the late Stornierung's refusal", func(c demo.Conversation) bool {
		return acknowledged(c) && len(c.UTILMD(geligas.PIDStornoAbl)) == 1
	})
	abl := onePID(t, c, geligas.PIDStornoAbl, mk)
	second := false
	for _, sto := range c.UTILMD(geligas.PIDStorno) {
		second = second || (sto.Transaction == abl.RefTN && sto.From == mk.LFN.MPID && sto.Transaction != stornos[mk.LFN.MPID].Transaction)
	}
	if abl.From != mk.NB.MPID || abl.To != mk.LFN.MPID || abl.Code != "E14" || abl.EBD != "G_0003" || !second {
		t.Errorf("44024 %s → %s %s:%s answers %s, want NB → LFN E14:G_0003 answering the second 44022", abl.From, abl.To, abl.Code, abl.EBD, abl.RefTN)
	}
	wantRemark("Vorgang bereits beantwortet")(t, abl)
	for _, pid := range []string{geligas.PIDAnmeldungBest, geligas.PIDAnmeldungAbl, geligas.PIDInfoBeendigung, geligas.PIDAbmeldeanfrageBest} {
		if n := len(c.UTILMD(pid)); n != 0 {
			t.Errorf("%d %s after the confirmed Stornierung", n, pid)
		}
	}
	checkGasConversation(t, c, mk)
	if r, _ := m.lfa.malo.Lookup(context.Background(), mk.LFA.Tenant, maloID); r == nil || r.Periods[0].To != nil {
		t.Errorf("the LFA ended its supply for a cancelled switch: %+v", r)
	}
	if rp, evs := m.lfn.process(t, anm.Process); rp.Outcome != geligas.OutcomeCancelled || slices.Contains(evs, "geligas.supplier_assigned") {
		t.Errorf("LFN process %s after the second Stornierung, events %v", rp.Outcome, evs)
	}
	if r, _ := m.lfn.malo.Lookup(context.Background(), mk.LFN.Tenant, maloID); r != nil && supplierAt(r, tm.okStart) == mk.LFN.MPID {
		t.Errorf("LFN master data name it the supplier: %+v", r)
	}
}

// gasLFASilentForced: the LFA's ERP stays silent on an ERP-started switch
// and the NB's operator does not wait for the deadline (3 WT, UNVERIFIED
// default): `mako deadline fire` (scheduler.Force) fires the NB's "lfa"
// deadline now; the NB decides without the LFA (E_3007): 44002 to the LFN,
// 44037 to the LFA, and its history records who fired it.
func gasLFASilentForced(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	c := m.pendingSwitch(t, maloID, tm.okStart)
	anf := onePID(t, c, geligas.PIDAbmeldeanfrage, mk)
	at, fired := m.forceLFADeadline(t, anf.Process)
	c = m.waitConversation(t, maloID, "the switch without the LFA", func(c demo.Conversation) bool {
		return acknowledged(c) && len(c.UTILMD(geligas.PIDAnmeldungBest)) == 1 && len(c.UTILMD(geligas.PIDInfoBeendigung)) == 1
	})
	checkGasConversation(t, c, mk)
	best := onePID(t, c, geligas.PIDAnmeldungBest, mk)
	checkAnswer(t, best, onePID(t, c, geligas.PIDAnmeldung, mk), "E15", "G_0012")
	if best.Created.After(at.Add(time.Minute)) {
		t.Errorf("44002 dated %s, want the fire time %s, not the due time %s", best.Created, at, fired.Due)
	}
	if n := len(c.UTILMD(geligas.PIDAbmeldeanfrageBest)) + len(c.UTILMD(geligas.PIDAbmeldeanfrageAbl)); n != 0 {
		t.Errorf("the LFA answered (%d)", n)
	}
	_, evs := m.nb.process(t, anf.Process)
	if !slices.Contains(evs, "geligas.lfa_wait_expired") {
		t.Errorf("NB process events %v", evs)
	}
	m.checkForcedAudit(t, anf.Process)
}

// gasLFASilentPast: LFX's Anmeldung was received on Monday 2026-11-16
// 10:00; the NB's wait for the LFA's answer (3 WT after the Gastag date of
// sending, UNVERIFIED default) skips Buß- und Bettag (Wed 18.11, no
// Werktag in the BDEW calendar) and ends at 00:00 of Saturday 21.11 —
// long past, so the scheduler fires it at once and the NB confirms at the
// deadline: 44002 to LFX dated then, 44037 to the LFA. LFX sends no error
// APERAK: after the 44002's APERAK deadline (Monday 12:00) it counts as
// processed.
func gasLFASilentPast(t *testing.T, m *market, clock *fristen.GeLiGas) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	received := time.Date(2026, 11, 16, 10, 0, 0, 0, fristen.Berlin())
	start := clock.EarliestStart(received, false)
	g := gasLFX44001{MaLo: maloID, NB: mk.NB.MPID, Start: start, Received: received}
	g.send(t, m)
	c := m.waitConversation(t, maloID, "the switch without the LFA", func(c demo.Conversation) bool {
		return len(c.UTILMD(geligas.PIDAnmeldungBest)) == 1 && len(c.UTILMD(geligas.PIDInfoBeendigung)) == 1
	})
	checkGasMessages(t, c)
	best := onePID(t, c, geligas.PIDAnmeldungBest, mk)
	due := time.Date(2026, 11, 21, 0, 0, 0, 0, fristen.Berlin())
	if best.To != mpGasLFX || best.RefTN != g.tx() || best.Code != "E15" || !best.Created.Equal(due) || !best.Date.Equal(start) {
		t.Errorf("44002 to %s answers %s with %s, dated %s for %s; want E15 to LFX at %s for %s", best.To, best.RefTN, best.Code, best.Created, best.Date, due, start)
	}
	gasFrom(t, onePID(t, c, geligas.PIDInfoBeendigung, mk), mk.NB.MPID, mk.LFA.MPID, start)
	m.nb.record(t, maloID, "LFX from the Lieferbeginn", func(r *malo.Record) bool { return supplierAt(r, start) == mpGasLFX })
	// The LFA learns the end of its assignment from the 44037 only.
	m.lfa.record(t, maloID, "own supply ends at the Lieferbeginn", func(r *malo.Record) bool {
		return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(start)
	})
	wantCloudEvents(t, m.lfa.events(t, maloID), "lfa", "info.received 44037", "process.completed 44037")
	m.waitLFX(t, "the positive CONTRL", func(msg demo.Message) bool {
		return msg.Type == "CONTRL" && msg.RefInterchange == g.ref() && msg.DocCode == catalog.ContrlActionAcknowledged
	})
	// LFX sends no error APERAK for the 44002: once its APERAK deadline
	// (Gas Folgeprozess: 12:00 of the next Werktag, Monday 23.11 after the
	// weekend; APERAK AHB 1.1 §2.4.1) has passed, the 44002 counts as
	// processed and the NB's ERP hears so.
	ac, err := fristen.NewAPERAKClock(fristen.Default())
	must(t, err)
	ad, err := ac.Due(context.Background(), fristen.APERAKRequest{Received: due, Sparte: fristen.Gas, MessageType: "UTILMD"})
	must(t, err)
	if want := time.Date(2026, 11, 23, 12, 0, 0, 0, fristen.Berlin()); !ad.Due.Equal(want) {
		t.Fatalf("APERAK deadline %s, want %s", ad.Due, want)
	}
	ev := m.nb.waitEvent(t, maloID, geligas.CEAperakAccepted, geligas.PIDAnmeldungBest)
	grace := 15 * time.Minute // geligas.WithAPERAKGrace default
	if ev.Data.Outcome != "processed" || ev.Data.TransactionID != best.Transaction ||
		!strings.Contains(ev.Data.Reason, ad.Due.Add(grace).UTC().Format(time.RFC3339)) {
		t.Errorf("NB's ERP: %s %s %q, want processed for %s after %s", ev.Data.Outcome, ev.Data.TransactionID, ev.Data.Reason, best.Transaction, ad.Due.Add(grace))
	}
}

// gasGastagBoundary: two Anmeldungen of LFX for the same Lieferbeginn, one
// received at 05:30 and one at 06:30 German local time on Tuesday
// 2026-11-10. 05:30 belongs to the Gastag of Monday 9.11 (fristen.Gastag),
// so its lead time (10 WT, UNVERIFIED default) counts from Monday and the
// Lieferbeginn Wednesday 25.11 (Buß- und Bettag 18.11 skipped) is allowed;
// at 06:30 the Gastag is Tuesday's and the same Lieferbeginn is a day too
// early: 44003 E14 (E_3005, "Vorlauffrist").
func gasGastagBoundary(t *testing.T, m *market, clock *fristen.GeLiGas) {
	early, late := nextMaLo(t), nextMaLo(t)
	mk := m.mk
	at0530 := time.Date(2026, 11, 10, 5, 30, 0, 0, fristen.Berlin())
	at0630 := time.Date(2026, 11, 10, 6, 30, 0, 0, fristen.Berlin())
	start := clock.EarliestStart(at0530, false)
	if want := gasDay(2026, 11, 25); !start.Equal(want) || !clock.EarliestStart(at0630, false).After(start) {
		t.Fatalf("earliest start %s for 05:30, want %s (and later for 06:30)", start, want)
	}
	m.leadTimeBoundary(t, gasLFX44001{MaLo: early, NB: mk.NB.MPID, Start: start, Received: at0530},
		gasLFX44001{MaLo: late, NB: mk.NB.MPID, Start: start, Received: at0630})
}

// leadTimeBoundary sends LFX's Anmeldungen inside and outside the lead
// time (MaLos supplied by the LFA) and checks that the NB refuses the one
// outside (44003 E14 with its reason, E_3005) and goes on with the one
// inside (44010 to the LFA).
func (m *market) leadTimeBoundary(t *testing.T, inside, outside gasLFX44001) {
	t.Helper()
	for _, g := range []gasLFX44001{inside, outside} {
		m.seedSwitch(t, g.MaLo)
		g.send(t, m)
	}
	c := m.waitConversation(t, outside.MaLo, "the refusal", func(c demo.Conversation) bool { return len(c.UTILMD(geligas.PIDAnmeldungAbl)) == 1 })
	checkGasMessages(t, c)
	if abl := onePID(t, c, geligas.PIDAnmeldungAbl, m.mk); abl.Code != "E14" || abl.EBD != "G_0011" || abl.RefTN != outside.tx() {
		t.Errorf("received %s for %s: 44003 %s:%s for %s, want E14:G_0011", outside.Received, outside.Start, abl.Code, abl.EBD, abl.RefTN)
	} else {
		wantRemark(leadTimeRemark)(t, abl)
	}
	c = m.waitConversation(t, inside.MaLo, "the Abmeldungsanfrage", func(c demo.Conversation) bool { return len(c.UTILMD(geligas.PIDAbmeldeanfrage)) == 1 })
	checkGasMessages(t, c)
	if n := len(c.UTILMD(geligas.PIDAnmeldungAbl)); n != 0 {
		t.Errorf("received %s for %s: refused:\n%s", inside.Received, inside.Start, conversationText(c, m.mk))
	}
}

// gasDSTNight: a switch across the night the clocks go back (Sunday
// 2026-10-25, 03:00 CEST → 02:00 CET). LFX's Anmeldung received on Monday
// 2026-10-05 asks for the Lieferbeginn on the Gastag of 25.10, which starts
// at 06:00 CET = 05:00Z, after the 25-hour Gastag of 24.10 (04:00Z to
// 05:00Z); the LFA is silent (its deadline long past). Every date on the
// wire is that instant: 44002 DTM+92 to LFX, 44037 DTM+93 to the LFA, the
// master data's period boundary.
func gasDSTNight(t *testing.T, m *market, clock *fristen.GeLiGas) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	received := time.Date(2026, 10, 5, 10, 0, 0, 0, fristen.Berlin())
	start := gasDay(2026, 10, 25)
	if !clock.AllowsStart(received, start, false) || start.UTC() != time.Date(2026, 10, 25, 5, 0, 0, 0, time.UTC) ||
		fristen.DayLength(fristen.Gas, gasDay(2026, 10, 24)) != 25*time.Hour {
		t.Fatalf("scenario dates: start %s", start.UTC())
	}
	g := gasLFX44001{MaLo: maloID, NB: mk.NB.MPID, Start: start, Received: received}
	g.send(t, m)
	c := m.waitConversation(t, maloID, "the switch", func(c demo.Conversation) bool {
		return len(c.UTILMD(geligas.PIDAnmeldungBest)) == 1 && len(c.UTILMD(geligas.PIDInfoBeendigung)) == 1
	})
	checkGasMessages(t, c)
	best, info := onePID(t, c, geligas.PIDAnmeldungBest, mk), onePID(t, c, geligas.PIDInfoBeendigung, mk)
	for _, msg := range []demo.Message{best, info} {
		if !msg.Date.Equal(start) || !strings.Contains(string(msg.Raw), "202610250500?+00") {
			t.Errorf("%s: date %s, want %s = 202610250500+00 on the wire", msg.PID, msg.Date.UTC(), start.UTC())
		}
	}
	nb := m.nb.record(t, maloID, "LFX from 25.10 06:00 CET", func(r *malo.Record) bool { return supplierAt(r, start) == mpGasLFX })
	if supplierAt(nb, start.Add(-time.Nanosecond)) != mk.LFA.MPID {
		t.Errorf("NB periods %+v", nb.Periods)
	}
	m.lfa.record(t, maloID, "own supply ends 25.10 05:00Z", func(r *malo.Record) bool {
		return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(start)
	})
}

// gasHolidayLeadTime: LFX's Anmeldungen received on Wednesday 2026-11-11:
// the 10 WT of the lead time (UNVERIFIED default) skip Buß- und Bettag
// (18.11), so the 10th Werktag is Thursday 26.11 and the earliest
// Lieferbeginn Friday 27.11 06:00: the 26th is refused (44003 E14), the
// 27th goes on (44010 to the LFA).
func gasHolidayLeadTime(t *testing.T, m *market, clock *fristen.GeLiGas) {
	early, ok := nextMaLo(t), nextMaLo(t)
	mk := m.mk
	received := time.Date(2026, 11, 11, 10, 0, 0, 0, fristen.Berlin())
	if got := clock.EarliestStart(received, false); !got.Equal(gasDay(2026, 11, 27)) {
		t.Fatalf("earliest start %s, want 27.11 06:00", got)
	}
	m.leadTimeBoundary(t, gasLFX44001{MaLo: ok, NB: mk.NB.MPID, Start: gasDay(2026, 11, 27), Received: received},
		gasLFX44001{MaLo: early, NB: mk.NB.MPID, Start: gasDay(2026, 11, 26), Received: received})
}

// gasPending: E_3005 ZC5 — LFX's Anmeldung of the MaLo arrives while the
// LFN's is pending (the LFA's ERP has not decided): 44003 ZC5 to LFX with
// the pending Lieferbeginn (DTM+Z07).
func gasPending(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.pendingSwitch(t, maloID, tm.okStart)
	g := gasLFX44001{MaLo: maloID, NB: mk.NB.MPID, Start: tm.okStart, Received: time.Now()}
	g.send(t, m)
	c := m.waitConversation(t, maloID, "the refusal of the second Anmeldung", func(c demo.Conversation) bool { return len(c.UTILMD(geligas.PIDAnmeldungAbl)) == 1 })
	checkGasMessages(t, c)
	abl := onePID(t, c, geligas.PIDAnmeldungAbl, mk)
	if abl.To != mpGasLFX || abl.RefTN != g.tx() || abl.Code != "ZC5" || abl.EBD != "G_0011" {
		t.Errorf("44003 to %s answers %s with %s:%s, want ZC5:G_0011 to LFX", abl.To, abl.RefTN, abl.Code, abl.EBD)
	}
	if !strings.Contains(string(abl.Raw), "DTM+Z07:"+strings.ReplaceAll(catalog.FormatDTM303(tm.okStart), "+", "?+")) {
		t.Errorf("44003 ZC5 without DTM+Z07 = the pending Lieferbeginn %s (AHB [36])", tm.okStart)
	}
	if n := len(c.UTILMD(geligas.PIDAbmeldeanfrage)); n != 1 {
		t.Errorf("%d 44010, want the first Anmeldung's only", n)
	}
}

// seedUnsupplied seeds the MaLo (seedSwitch) without a supplier in the
// NB's record and returns that record.
func (m *market) seedUnsupplied(t *testing.T, maloID string) *malo.Record {
	t.Helper()
	m.seedSwitch(t, maloID)
	var rec malo.Record
	m.nb.editRecord(t, maloID, func(r *malo.Record) { r.Periods = nil; rec = *r })
	return &rec
}

// gasContrlRejected: LFX registers a MaLo without supplier (E_3006: no
// Abmeldungsanfrage; the NB confirms at once) and rejects the NB's 44002
// with a negative CONTRL (UCI 0083 = 4): the NB's process records the
// interchange as not received and tells its ERP.
func gasContrlRejected(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedUnsupplied(t, maloID)
	g := gasLFX44001{MaLo: maloID, NB: mk.NB.MPID, Start: tm.okStart, Received: time.Now()}
	g.send(t, m)
	best := m.waitLFX(t, "the 44002", func(msg demo.Message) bool { return msg.Type == "UTILMD" && msg.RefTN == g.tx() })
	if best.PID != geligas.PIDAnmeldungBest || best.Code != "E15" {
		t.Fatalf("answer %s %s:%s, want 44002 E15", best.PID, best.Code, best.EBD)
	}
	checkGasMessages(t, demo.Conversation{Messages: []demo.Message{best}})
	if c := demo.Select(m.messages(t), maloID, g.tx()); len(c.UTILMD(geligas.PIDAbmeldeanfrage)) != 0 {
		t.Errorf("44010 for a MaLo without supplier:\n%s", conversationText(c, mk))
	}
	// LFX's CONTRL: the 44002's interchange rejected at interchange level.
	ix, err := edifact.Parse(best.Raw)
	must(t, err)
	rep := edifact.Check(ix)
	rep.Findings = append(rep.Findings, edifact.Finding{Rule: "lfx-test", Level: edifact.LevelInterchange, Code: edifact.CodeInvalidValue,
		Tag: "UNB", Element: 4, Text: "rejected by the test"})
	lfx, _ := utilmdkit.Party(mpGasLFX)
	out, due, _, err := edifact.BuildCONTRL(ix, rep, edifact.ContrlParams{Ref: "CT" + maloID, Time: time.Now(), Sector: catalog.Gas, Sender: lfx})
	must(t, err)
	if !due {
		t.Fatal("no CONTRL due")
	}
	msg := nats.NewMsg(inbound.Subject(engine.TenantID(mk.NB.Tenant)))
	msg.Data = out
	_, err = m.nb.js.PublishMsg(context.Background(), msg)
	must(t, err)
	ev := m.nb.waitEvent(t, maloID, geligas.CEContrlReceived, "")
	deadline := time.Now().Add(20 * time.Second)
	for ev.Data.Outcome != "rejected" && time.Now().Before(deadline) {
		for _, e := range m.nb.events(t, maloID) {
			if e.Event.Type == geligas.CEContrlReceived && e.Data.Outcome == "rejected" {
				ev = e
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ev.Data.Outcome != "rejected" || !strings.Contains(ev.Data.Reason, best.Interchange) {
		t.Errorf("NB's ERP: contrl.received %s %q, want rejected for %s", ev.Data.Outcome, ev.Data.Reason, best.Interchange)
	}
	_, evs := m.nb.process(t, best.Process)
	if !slices.Contains(evs, "geligas.contrl_received") {
		t.Errorf("NB process events %v", evs)
	}
	for _, msg := range m.lfxReceived(t) {
		if msg.Type == "CONTRL" && msg.RefInterchange == "CT"+maloID {
			t.Errorf("the NB answered LFX's CONTRL with a CONTRL")
		}
	}
}

// gasAuszugRevokesFuture: the LFA deregisters for a move-out (44004 E01)
// before the LFN's confirmed assignment begins; the NB confirms (44005)
// and cancels the LFN's future assignment with the Informationsmeldung
// 44038 (ZG9, the LFA as the triggering party, AHB [571]); the LFN's
// geligas.lf.info process records it and its master data lose the period.
func gasAuszugRevokesFuture(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	end, future := tm.okStart, fristen.AddDays(tm.okStart, 30)
	m.seedSwitch(t, maloID)
	lfaTo := future
	lfa, lfn := malo.Period{Supplier: mk.LFA.MPID, From: gasDay(2026, 1, 1), To: &lfaTo}, malo.Period{Supplier: mk.LFN.MPID, From: future}
	m.nb.editRecord(t, maloID, func(r *malo.Record) { r.Periods = []malo.Period{lfa, lfn} })
	m.lfa.editRecord(t, maloID, func(r *malo.Record) { r.Periods = []malo.Period{lfa} })
	r, err := m.nb.malo.Lookup(context.Background(), mk.NB.Tenant, maloID)
	must(t, err)
	r.Periods = []malo.Period{lfn}
	_, err = m.lfn.malo.Put(context.Background(), mk.LFN.Tenant, *r)
	must(t, err)
	m.lfa.erpCommand(t, "auszug-"+maloID, geligas.ERPRegisterSupplyEnd, map[string]any{
		"malo": maloID, "end": end, "nb": mk.NB.MPID, "lf": mk.LFA.MPID, "reason": "E01"})
	c := m.waitConversation(t, maloID, "the Abmeldung and the 44038", func(c demo.Conversation) bool {
		return convComplete(c) && len(c.UTILMD(geligas.PIDInfoAufhebung)) == 1
	})
	checkGasConversation(t, c, mk)
	abm := onePID(t, c, geligas.PIDAbmeldung, mk)
	checkAnswer(t, onePID(t, c, geligas.PIDAbmeldungBest, mk), abm, "E15", "G_0008")
	info := onePID(t, c, geligas.PIDInfoAufhebung, mk)
	gasFrom(t, info, mk.NB.MPID, mk.LFN.MPID, future)
	if !slices.Equal(info.Reasons, []string{"ZG9"}) || !strings.Contains(string(info.Raw), "NAD+VY+"+mk.LFA.MPID) {
		t.Errorf("44038 reasons %v, want ZG9 naming the LFA in NAD+VY", info.Reasons)
	}
	wantCloudEvents(t, m.lfn.events(t, maloID), "lfn", "info.received 44038", "process.completed 44038")
	m.lfn.record(t, maloID, "the future assignment revoked", func(r *malo.Record) bool { return supplierAt(r, future) == "" })
	m.nb.record(t, maloID, "no supplier from the end", func(r *malo.Record) bool {
		return supplierAt(r, end) == "" && supplierAt(r, future) == "" && supplierAt(r, end.Add(-time.Nanosecond)) == mk.LFA.MPID
	})
}

// gasAbmeldungVomNB: the NB ends the LFA's assignment for a Stilllegung
// (44007 Z33, ERP geligas.nb.deregister_supply); the LFA confirms by its
// policy (E_3002: 44008 with DTM+93) and both record the end.
func gasAbmeldungVomNB(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	m.nb.erpCommand(t, "stilllegung-"+maloID, geligas.ERPDeregisterSupply, map[string]any{
		"malo": maloID, "end": tm.okStart, "nb": mk.NB.MPID, "lf": mk.LFA.MPID})
	c := m.waitConversation(t, maloID, "the LFA's answer", convComplete)
	checkGasConversation(t, c, mk)
	abm := onePID(t, c, geligas.PIDAbmeldungNB, mk)
	gasFrom(t, abm, mk.NB.MPID, mk.LFA.MPID, tm.okStart)
	if !slices.Equal(abm.Reasons, []string{"Z33"}) {
		t.Errorf("44007 reasons %v, want Z33", abm.Reasons)
	}
	best := onePID(t, c, geligas.PIDAbmeldungNBBest, mk)
	checkAnswer(t, best, abm, "E15", "G_0067")
	if !best.Date.Equal(tm.okStart) {
		t.Errorf("44008 end %s, want %s", best.Date, tm.okStart)
	}
	if rp, _ := m.nb.process(t, abm.Process); rp.Workflow != geligas.WorkflowNBAbmeldung || rp.Outcome != geligas.OutcomeConfirmed {
		t.Errorf("NB process %s %s", rp.Workflow, rp.Outcome)
	}
	for _, p := range []*marketParty{m.nb, m.lfa} {
		p.record(t, maloID, "the LFA's supply ends", func(r *malo.Record) bool {
			return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(tm.okStart)
		})
	}
}

// gasEoG: the NB registers the MaLo with the Grundversorger (the LFN here)
// for the Ersatzversorgung (44013 E06, with the NB's master data); the
// Grundversorger's ERP consents (E_3008) and it answers 44014 with its
// Bilanzkreis (its record) and billing interval (its contract system).
func gasEoG(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	r := m.seedUnsupplied(t, maloID)
	// The Grundversorger's billing interval with the customer is a fact of
	// its contract system (neither pkg/malo nor app.GasMasterData hold it).
	gasContracts.Store(mk.LFN.Tenant+"/"+maloID, gasContract{billingMonths: 12, grundversorger: true})
	r.Gas.BalanceGroup = "THE0BFL0000000GV"
	_, err := m.lfn.malo.Put(context.Background(), mk.LFN.Tenant, *r)
	must(t, err)
	m.nb.erpCommand(t, "eog-"+maloID, geligas.ERPRegisterEoG, map[string]any{
		"malo": maloID, "start": tm.okStart, "nb": mk.NB.MPID, "lf": mk.LFN.MPID})
	gasDecide(t, m.lfn, maloID, geligas.PIDEoG, mk.NB.MPID, false, nil)
	c := m.waitConversation(t, maloID, "the Grundversorger's answer", convComplete)
	checkGasConversation(t, c, mk)
	eog := onePID(t, c, geligas.PIDEoG, mk)
	gasFrom(t, eog, mk.NB.MPID, mk.LFN.MPID, tm.okStart)
	best := onePID(t, c, geligas.PIDEoGBest, mk)
	checkAnswer(t, best, eog, "E15", "G_0013")
	g, _ := demo.GasMasterData()
	for msg, segs := range map[*demo.Message][]string{&eog: {"CCI+Z21++" + g.MarketArea + "'", "RFF+Z19:" + demo.DemoMeLo(maloID) + "'"},
		&best: {"CCI+Z19++THE0BFL0000000GV'", "DTM+Z20:12:802'", "CCI+Z21++" + g.MarketArea + "'"}} {
		for _, seg := range segs {
			if !strings.Contains(string(msg.Raw), seg) {
				t.Errorf("%s lacks %s", msg.PID, seg)
			}
		}
	}
	if rp, _ := m.nb.process(t, eog.Process); rp.Workflow != geligas.WorkflowNBEoG || rp.Outcome != geligas.OutcomeConfirmed {
		t.Errorf("NB process %s %s", rp.Workflow, rp.Outcome)
	}
}

// gasFV2604: a process that started before 2026-10-01 runs on in FV2604
// (UTILMD Gas G1.1): LFX's Anmeldung received on 2026-09-15 for a MaLo
// without supplier (E_3006: no Abmeldungsanfrage) is confirmed at its
// receipt with a 44002 of FV2604, which validates against the FV2604 AHB.
func gasFV2604(t *testing.T, m *market, clock *fristen.GeLiGas) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedUnsupplied(t, maloID)
	received := time.Date(2026, 9, 15, 10, 0, 0, 0, fristen.Berlin())
	start := gasDay(2026, 10, 15)
	if !clock.AllowsStart(received, start, false) {
		t.Fatalf("start %s breaks the lead time", start)
	}
	g := gasLFX44001{MaLo: maloID, NB: mk.NB.MPID, Start: start, Received: received}
	g.send(t, m)
	best := m.waitLFX(t, "the answer", func(msg demo.Message) bool { return msg.RefTN == g.tx() })
	if best.Type != "UTILMD" {
		t.Fatalf("answer %s\n%s", best.Line(mk.Names()), best.Raw)
	}
	checkGasMessages(t, demo.Conversation{Messages: []demo.Message{best}})
	v, err := fv.Resolve(best.Created)
	must(t, err)
	unh, _ := catalog.UNHS009(catalog.UTILMD, catalog.Gas, v)
	if best.PID != geligas.PIDAnmeldungBest || best.Code != "E15" || v.String() != "FV2604" || !best.Created.Equal(received) ||
		!strings.Contains(string(best.Raw), "UTILMD:D:11A:UN:"+unh.Association+"'") {
		t.Errorf("44002 %s %s dated %s (%s), want E15 of FV2604 (%s) at the receipt %s", best.PID, best.Code, best.Created, v, unh.Association, received)
	}
	m.nb.record(t, maloID, "LFX from the Lieferbeginn", func(r *malo.Record) bool { return supplierAt(r, start) == mpGasLFX })
}

// gasDSTSpring: an Abmeldung to the night the clocks go forward (Sunday
// 2027-03-28, 02:00 CET → 03:00 CEST): the supply ends at the Gastag of
// 28.03, 06:00 CEST = 04:00Z, after the 23-hour Gastag of 27.03 (05:00Z to
// 04:00Z); 44004, 44005 and both records carry that instant.
func gasDSTSpring(t *testing.T, m *market) {
	maloID := nextMaLo(t)
	mk := m.mk
	end := gasDay(2027, 3, 28)
	if end.UTC() != time.Date(2027, 3, 28, 4, 0, 0, 0, time.UTC) || fristen.DayLength(fristen.Gas, gasDay(2027, 3, 27)) != 23*time.Hour {
		t.Fatalf("scenario dates: end %s", end.UTC())
	}
	m.seedSwitch(t, maloID)
	m.lfa.erpCommand(t, "abm-"+maloID, geligas.ERPRegisterSupplyEnd, map[string]any{
		"malo": maloID, "end": end, "nb": mk.NB.MPID, "lf": mk.LFA.MPID, "reason": "E01"})
	c := m.waitConversation(t, maloID, "the Abmeldung", convComplete)
	checkGasConversation(t, c, mk)
	for _, msg := range []demo.Message{onePID(t, c, geligas.PIDAbmeldung, mk), onePID(t, c, geligas.PIDAbmeldungBest, mk)} {
		if !msg.Date.Equal(end) || !strings.Contains(string(msg.Raw), "DTM+93:202703280400?+00:303") {
			t.Errorf("%s: end %s, want %s = 202703280400+00 on the wire", msg.PID, msg.Date.UTC(), end.UTC())
		}
	}
	for _, p := range []*marketParty{m.nb, m.lfa} {
		p.record(t, maloID, "the supply ends 28.03 04:00Z", func(r *malo.Record) bool {
			return r != nil && r.Periods[0].To != nil && r.Periods[0].To.Equal(end)
		})
	}
}

// gasBrokenInterchange: a syntax fault (a UNH without the MIG version)
// rejects LFX's whole interchange: a negative CONTRL (UCI 0083 = 4) from
// the NB, no APERAK, no process (the end of TestGasMarket checks that
// nothing else follows).
func gasBrokenInterchange(t *testing.T, m *market, now time.Time) {
	mk := m.mk
	g := gasLFX44001{MaLo: nextMaLo(t), NB: mk.NB.MPID, Start: gasDay(2027, 3, 1), Received: now, Break: true}
	g.send(t, m)
	c := m.waitLFX(t, "the negative CONTRL", func(msg demo.Message) bool { return msg.Type == "CONTRL" && msg.RefInterchange == g.ref() })
	if c.DocCode != catalog.ContrlActionRejected || c.From != mk.NB.MPID || c.To != mpGasLFX {
		t.Errorf("CONTRL %s from %s to %s for %s, want a rejection (4) from the NB", c.DocCode, c.From, c.To, c.RefInterchange)
	}
	checkGasMessages(t, demo.Conversation{Messages: []demo.Message{c}})
}

// gasFaultyTransaction: an AHB fault in LFX's 44001 (SEQ+Z12
// Gemeinderabatt missing, Muss): the interchange is syntactically clean
// (positive CONTRL), the transaction gets the error APERAK 313 Z29 and no
// process.
func gasFaultyTransaction(t *testing.T, m *market, now time.Time) {
	mk := m.mk
	g := gasLFX44001{MaLo: nextMaLo(t), NB: mk.NB.MPID, Start: gasDay(2027, 3, 1), Received: now, Drop: "SEQ+Z12"}
	g.send(t, m)
	a := m.waitLFX(t, "the error APERAK", func(msg demo.Message) bool { return msg.Type == "APERAK" && msg.RefTN == g.tx() })
	if a.DocCode != "313" || !slices.Equal(a.ERC, []string{"Z29"}) || a.RefDocument != g.doc() || a.From != mk.NB.MPID {
		t.Errorf("APERAK %s %v from %s for doc %s, want 313 Z29 from the NB for %s", a.DocCode, a.ERC, a.From, a.RefDocument, g.doc())
	}
	ct := m.waitLFX(t, "the CONTRL", func(msg demo.Message) bool { return msg.Type == "CONTRL" && msg.RefInterchange == g.ref() })
	if ct.DocCode != catalog.ContrlActionAcknowledged {
		t.Errorf("CONTRL %s for a syntactically clean interchange, want 7", ct.DocCode)
	}
	checkGasMessages(t, demo.Conversation{Messages: []demo.Message{a, ct}})
}

// gasKuendigungNewDate: the LFA's ERP consents to the Kündigung with its
// own, later end date: 44017 Z01 (Zustimmung mit Terminänderung, AHB [13])
// with the date in DTM+471 (Ende zum nächstmöglichen Termin) instead of
// DTM+93.
func gasKuendigungNewDate(t *testing.T, m *market, tm gasTimes) {
	maloID := nextMaLo(t)
	mk := m.mk
	m.seedSwitch(t, maloID)
	own := fristen.AddDays(tm.okStart, 31)
	m.lfn.erpCommand(t, "kue-"+maloID, geligas.ERPRequestTermination, map[string]any{
		"malo": maloID, "date": tm.okStart, "lfa": mk.LFA.MPID, "lfn": mk.LFN.MPID})
	gasDecide(t, m.lfa, maloID, geligas.PIDKuendigung, mk.LFN.MPID, false, map[string]any{"end": own})
	c := m.waitConversation(t, maloID, "the confirmation", convComplete)
	checkGasConversation(t, c, mk)
	best := onePID(t, c, geligas.PIDKuendigungBest, mk)
	checkAnswer(t, best, onePID(t, c, geligas.PIDKuendigung, mk), "Z01", "G_0006")
	if !strings.Contains(string(best.Raw), "DTM+471:"+strings.ReplaceAll(catalog.FormatDTM303(own), "+", "?+")) || strings.Contains(string(best.Raw), "DTM+93:") {
		t.Errorf("44017 Z01 without DTM+471 = %s (or with DTM+93)", own)
	}
}
