package geligas

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Market parties of the tests: DVGW code numbers with check digits (the
// ids of pkg/ahb/testdata/realistic-fv2610-gas), the MaLo and MeLo there.
const (
	mpLFN  = "9800800000016"
	mpNB   = "9800800000023"
	mpLFA  = "9800800000030"
	mpMSB  = "9800800000047"
	maloID = "50112233445"
	meloID = "DE0008000000000000000000000054321"
)

// berlin returns an instant given in German local time.
func berlin(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, fristen.Berlin())
}

// gas returns 06:00 German local time of the date (a Gastag boundary).
func gas(y int, m time.Month, d int) time.Time { return berlin(y, m, d, 6, 0) }

// testLocation is the NB's master data of the realistic 44002 (RLM).
func testLocation() *LocationData {
	return &LocationData{MarketArea: "37Y005053MH0000R", Pressure: "Y02", CaseGroup: "GABi-RLMmT", NetContract: "Z09", NetPayer: "Z11",
		BillingVariant: "Z14", BillingDay: "0101", NextBillingYear: "2027", BillingYearStart: gas(2026, 1, 1), BillingMonths: 1, OBIS: "7-0:33.86.0", Granularity: "ZE8",
		Concession: "SA", GasQuality: "Y04", MeLo: meloID, MSB: mpMSB, BaseMSB: mpNB, MeterType: "DKZ", MeterSize: "G100",
		MeterNumber: "7DKZ0012345678", MeterReading: "AMR", RegisterOBIS: "7-0:3.0.0", RegisterDigits: "8,2",
		Customer: "Erfurter Backwaren GmbH", CustomerCompany: true, Address: &Address{Street: "Industriestrasse", HouseNo: "20", City: "Erfurt", PostCode: "99086"}}
}

// party is one market party running the package's workflows (pure:
// Handle + Apply, no store).
type party struct {
	t    testing.TB
	name string
	wfs  map[string]flow
	n    int
}

func newParty(t testing.TB, name string, opts ...Option) *party {
	t.Helper()
	ws, err := Workflows(opts...)
	if err != nil {
		t.Fatal(err)
	}
	p := &party{t: t, name: name, wfs: map[string]flow{}}
	for _, w := range ws {
		p.wfs[w.Name()] = w.(flow)
	}
	return p
}

// proc is one running process.
type proc struct {
	p    *party
	wf   flow
	s    State
	last engine.Decision
	all  []engine.EventData
	keys []engine.BusinessKey
	dl   map[string]time.Time
}

func (p *party) start(workflow string) *proc {
	w, ok := p.wfs[workflow]
	if !ok {
		p.t.Fatalf("no workflow %s", workflow)
	}
	return &proc{p: p, wf: w, s: w.Initial(), dl: map[string]time.Time{}}
}

// exec runs one command at receipt time at and folds the events.
func (pr *proc) exec(at time.Time, payload engine.CommandData) engine.Decision {
	pr.p.t.Helper()
	d, err := pr.try(at, payload)
	if err != nil {
		pr.p.t.Fatalf("%s %s: %v", pr.p.name, pr.wf.name, err)
	}
	return d
}

func (pr *proc) try(at time.Time, payload engine.CommandData) (engine.Decision, error) {
	pr.p.n++
	v, _ := fv.Resolve(at)
	cmd := engine.Command{ID: engine.CommandID(fmt.Sprintf("%s-%d", pr.p.name, pr.p.n)), Type: payload.CommandType(), ReceivedAt: at.UTC(), FormatVersion: v, Payload: payload}
	switch payload.(type) {
	case Timeout, RegisterSupplyStart, RequestTermination, RegisterSupplyEnd, DeregisterSupply, RegisterEoG, RequestCancellation, Decide:
		cmd.FormatVersion = fv.Version{}
	}
	d, err := pr.wf.Handle(pr.s, cmd)
	if err != nil {
		return d, err
	}
	for _, e := range d.Events {
		pr.s = pr.wf.Apply(pr.s, engine.Event{Data: e})
	}
	pr.last = d
	pr.all = append(pr.all, d.Events...)
	pr.keys = append(pr.keys, d.Correlate...)
	for _, l := range d.CancelDeadlines {
		delete(pr.dl, l)
	}
	for _, r := range d.SetDeadlines {
		pr.dl[r.Label] = r.Due
	}
	checkDecision(pr.p.t, d, at)
	return d, nil
}

// fire fires the pending deadline with label at its due time.
func (pr *proc) fire(label string) engine.Decision {
	pr.p.t.Helper()
	due, ok := pr.dl[label]
	if !ok {
		pr.p.t.Fatalf("no pending deadline %s (have %v)", label, pr.dl)
	}
	c, err := pr.wf.OnDeadline(pr.s, engine.DeadlineFired{Label: label, Due: due, FiredAt: due})
	if err != nil {
		pr.p.t.Fatal(err)
	}
	delete(pr.dl, label)
	return pr.exec(due, c)
}

// sent records every interchange the tests' workflows sent.
var sent = utilmdtest.NewLog()

// checkDecision checks every outbound interchange (utilmdtest.CheckDecision:
// parsed, edifact-checked, AHB-clean) and records it.
func checkDecision(t testing.TB, d engine.Decision, at time.Time) {
	t.Helper()
	utilmdtest.CheckDecision(t, d, at, sent)
}

// deliver turns an outbound into the inbound transaction of the partner.
func deliver(t testing.TB, o engine.Outbound) inbound.Transaction {
	t.Helper()
	return utilmdtest.Deliver(t, o, "Gas")
}

// out returns the single outbound of the decision to recipient (utilmdtest.Out).
func out(t testing.TB, d engine.Decision, recipient, typ, pid string) engine.Outbound {
	t.Helper()
	return utilmdtest.Out(t, d, recipient, typ, pid)
}

// pids lists the PIDs (UTILMD) or message types of a decision's outbound.
func pids(t testing.TB, d engine.Decision) []string {
	t.Helper()
	var ps []string
	for _, o := range d.Outbound {
		if o.MessageType != "UTILMD" {
			ps = append(ps, o.MessageType)
			continue
		}
		ref, _ := view(t, o).Reference("Z13")
		ps = append(ps, ref.Value)
	}
	return ps
}

// view parses a UTILMD outbound and returns its transaction.
func view(t testing.TB, o engine.Outbound) *utilmd.Transaction {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	v, err := utilmd.View(&ix.Messages[0])
	if v == nil { // the view reports DTM formats it does not parse (802, 106, 602) but keeps the transaction
		t.Fatal(err)
	}
	return &v.Transactions[0]
}

// answerOf returns STS+E01 code and list of a UTILMD outbound.
func answerOf(t testing.TB, o engine.Outbound) (string, string) {
	t.Helper()
	c, l, _ := utilmdkit.AnswerCodes(view(t, o))
	return c, l
}

// errorAperak builds the partner's error APERAK (313, code) for a UTILMD we sent.
func errorAperak(t testing.TB, o engine.Outbound, at time.Time, code string) inbound.Transaction {
	t.Helper()
	return utilmdtest.ErrorAPERAK(t, o, at, code, "Gas")
}

// contrl builds the partner's CONTRL for an interchange we sent: positive
// (Gas: UCI 0083 = 7) or negative (4).
func contrl(t testing.TB, o engine.Outbound, at time.Time, ok bool) inbound.Transaction {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	rep := edifact.Check(ix, edifact.WithReceived(at))
	if !ok {
		rep.Findings = append(rep.Findings, edifact.Finding{Rule: "test", Level: edifact.LevelInterchange, Code: edifact.CodeUnknownSender,
			Tag: "UNB", SegmentIndex: -1, Offset: -1, MessageIndex: -1})
	}
	b, _, _, err := edifact.BuildCONTRL(ix, rep, edifact.ContrlParams{Ref: "CTX1", Time: at, Sector: catalog.Gas})
	if err != nil {
		t.Fatal(err)
	}
	return deliver(t, engine.Outbound{Payload: b})
}

func enriched(tx inbound.Transaction, md MasterData) Enriched {
	md.MaLo = maloID
	return Enriched{Transaction: tx, MasterData: md}
}

// has reports whether the events contain one of type T, returning the last.
func has[T engine.EventData](evs []engine.EventData) (T, bool) {
	var v T
	found := false
	for _, e := range evs {
		if x, ok := e.(T); ok {
			v, found = x, true
		}
	}
	return v, found
}

// outcome returns the outcome of the process's Completed/Failed.
func outcome(pr *proc) string { return pr.s.Outcome }

func keyBound(pr *proc, k engine.BusinessKey) bool { return slices.Contains(pr.keys, k) }

// reg completes a RegisterSupplyStart with the AHB's data (test values).
func reg(r RegisterSupplyStart) RegisterSupplyStart {
	h := false
	if r.Customer == "" {
		r.Customer, r.CustomerFirstName = "Becker", "Anna"
	}
	if r.Address == nil {
		r.Address = &Address{Street: "Am Markt", HouseNo: "5", City: "Erfurt", PostCode: "99084"}
	}
	if r.Household == nil {
		r.Household = &h
	}
	if r.BalanceGroup == "" {
		r.BalanceGroup = "THE0BFH026380000"
	}
	if r.BillingMonths == 0 {
		r.BillingMonths = 12
	}
	if r.MaLo == "" {
		r.MaLo = maloID
	}
	if r.NB == "" {
		r.NB = mpNB
	}
	if r.LFN == "" {
		r.LFN = mpLFN
	}
	return r
}
