package gpke

import (
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// Market parties of the tests (edifact.md §13 MP-IDs, plus one more with a
// computed GS1 check digit) and the MaLo of §13.
var (
	mpLFN  = "9900000000004"
	mpNB   = "9900000000011"
	mpLFA  = withCheckDigit("990000000002")
	mpNB2  = withCheckDigit("990000000003")
	maloID = "51234567895"
)

func withCheckDigit(first12 string) string {
	d, err := ident.GS1CheckDigit(first12)
	if err != nil {
		panic(err)
	}
	return first12 + string(d)
}

// berlin returns an instant given in German local time.
func berlin(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, fristen.Berlin())
}

// mparty is one market mparty running the package's workflows, one process
// per workflow instance (pure: Handle + Apply, no store).
type mparty struct {
	t    testing.TB
	name string
	wfs  map[string]flow
	n    int
}

func newParty(t testing.TB, name string, opts ...Option) *mparty {
	t.Helper()
	ws, err := Workflows(opts...)
	if err != nil {
		t.Fatal(err)
	}
	p := &mparty{t: t, name: name, wfs: map[string]flow{}}
	for _, w := range ws {
		p.wfs[w.Name()] = w.(flow)
	}
	return p
}

// proc is one running process.
type proc struct {
	p    *mparty
	wf   flow
	s    State
	last engine.Decision
	all  []engine.EventData
}

func (p *mparty) start(workflow string) *proc {
	w, ok := p.wfs[workflow]
	if !ok {
		p.t.Fatalf("no workflow %s", workflow)
	}
	return &proc{p: p, wf: w, s: w.Initial()}
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
	if _, ok := payload.(Timeout); ok {
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
	checkDecision(pr.p.t, d, at)
	return d, nil
}

// fire fires the deadline with label (which must be set in an earlier
// decision of the process) at its due time.
func (pr *proc) fire(label string, due time.Time) engine.Decision {
	pr.p.t.Helper()
	c, err := pr.wf.OnDeadline(pr.s, engine.DeadlineFired{Label: label, Due: due, FiredAt: due})
	if err != nil {
		pr.p.t.Fatal(err)
	}
	return pr.exec(due, c)
}

// checkDecision checks every outbound interchange (utilmdtest.CheckDecision:
// parsed, edifact.Check for the FV of its receipt time, PIDs known to the
// catalog, 0 AHB findings independent of the workflow's own guard) and
// records it for TestSentConform.
func checkDecision(t testing.TB, d engine.Decision, at time.Time) {
	t.Helper()
	utilmdtest.CheckDecision(t, d, at, sent)
}

// deliver turns an outbound interchange into the inbound transaction the
// partner's ingest would produce.
func deliver(t testing.TB, o engine.Outbound) inbound.Transaction {
	t.Helper()
	return utilmdtest.Deliver(t, o, "Strom")
}

// out returns the single outbound of the decision to recipient with
// message type typ (and PID, for UTILMD).
func out(t testing.TB, d engine.Decision, recipient, typ, pid string) engine.Outbound {
	t.Helper()
	return utilmdtest.Out(t, d, recipient, typ, pid)
}

// view parses a UTILMD outbound and returns its transaction.
func view(t testing.TB, o engine.Outbound) *utilmd.Transaction {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	v, err := utilmd.View(&ix.Messages[0])
	if err != nil {
		t.Fatal(err)
	}
	return &v.Transactions[0]
}

// answerOf returns STS+E01 code and EBD of a UTILMD outbound.
func answerOf(t testing.TB, o engine.Outbound) (string, string) {
	t.Helper()
	c, e, _ := answerCodes(view(t, o))
	return c, e
}

// aperakOf returns BGM 1001 and the ERC codes of an APERAK outbound.
func aperakOf(t testing.TB, o engine.Outbound) (string, []string) {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	var code string
	var ercs []string
	for _, s := range ix.Messages[0].Segments {
		switch s.Tag {
		case "BGM":
			code = s.Value(0, 0)
		case "ERC":
			ercs = append(ercs, s.Value(0, 0))
		}
	}
	return code, ercs
}

// rejectAperak builds the partner's APERAK 313 (code) for a UTILMD we sent.
func rejectAperak(t testing.TB, o engine.Outbound, at time.Time, code string) inbound.Transaction {
	t.Helper()
	return utilmdtest.ErrorAPERAK(t, o, at, code, "Strom")
}

func enriched(tx inbound.Transaction, md MasterData) Enriched {
	md.MaLo = maloID
	return Enriched{Transaction: tx, MasterData: md}
}

// has reports whether the events contain one of type T, returning it.
func has[T engine.EventData](evs []engine.EventData) (T, bool) {
	for _, e := range evs {
		if v, ok := e.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func deadline(t testing.TB, d engine.Decision, label string) time.Time {
	t.Helper()
	for _, r := range d.SetDeadlines {
		if r.Label == label {
			return r.Due
		}
	}
	t.Fatalf("no deadline %s in %+v", label, d.SetDeadlines)
	return time.Time{}
}

func mustFV(at time.Time) fv.Version {
	v, err := fv.Resolve(at)
	if err != nil {
		panic(err)
	}
	return v
}

// testBalanceGroup is an EIC-shaped Bilanzkreis with a valid check character.
var testBalanceGroup = func() string {
	c, err := ident.EICCheckChar("11XMAKO-LFN-BK-")
	if err != nil {
		panic(err)
	}
	return "11XMAKO-LFN-BK-" + string(c)
}()

// reg completes a RegisterSupplyStart with the customer and product data the
// 55001 AHB requires (test values).
func reg(r RegisterSupplyStart) RegisterSupplyStart {
	if r.Customer == "" {
		r.Customer = "Mustermann"
	}
	if r.CustomerFirstName == "" {
		r.CustomerFirstName = "Erika"
	}
	if r.Address == nil {
		r.Address = &Address{Street: "Musterstraße", HouseNo: "1", City: "Musterstadt", PostCode: "12345"}
	}
	if r.Household == nil {
		h := true
		r.Household = &h
	}
	if r.EnFG == "" {
		r.EnFG = "ZG0"
	}
	if r.BalanceGroup == "" {
		r.BalanceGroup = testBalanceGroup
	}
	return r
}

// Test master data the answers' AHB needs: one MeLo with its MSB (55002
// ZW7, 55078), the other registration in process (55003/55080 A06/A45), the
// previous-year consumption (55017) and the contract's notice (55018).
var (
	testMeLo  = "DE0009900000000000000000000000001"
	testMSB   = withCheckDigit("990000000005")
	testKWh   = int64(3500)
	metered   = MasterData{MeLos: []string{testMeLo}, MSB: testMSB, MSBRole: "Z39"}
	noticeMD  = MasterData{NoticePeriod: "01MM", EarliestEnd: berlin(2027, 1, 1, 0, 0)}
	pendingMD = MasterData{PendingStart: berlin(2026, 11, 20, 0, 0), NextProcessing: berlin(2026, 11, 13, 0, 0)}
)

// with merges the answer data of extra into md.
func with(md MasterData, extra ...MasterData) MasterData {
	for _, e := range extra {
		if len(e.MeLos) > 0 {
			md.MeLos, md.MSB, md.MSBRole = e.MeLos, e.MSB, e.MSBRole
		}
		if e.NoticePeriod != "" {
			md.NoticePeriod, md.EarliestEnd = e.NoticePeriod, e.EarliestEnd
		}
		if !e.PendingStart.IsZero() {
			md.PendingStart, md.NextProcessing = e.PendingStart, e.NextProcessing
		}
		if e.AnnualConsumption != nil {
			md.AnnualConsumption = e.AnnualConsumption
		}
	}
	return md
}
