package integration

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/module"
)

// gasMarket is the GeLi Gas market: three Gas tenants with the DVGW MP-IDs
// of makod's default tenants (demo.DefaultGasMarket), each with the GeLi
// Gas module on the deployment's master-data source (app.GasMasterData)
// plus an LF contract system (withContracts).
var gasMarket = marketKind{mk: demo.DefaultGasMarket, sector: catalog.Gas, lfx: mpGasLFX,
	modules: func(t *testing.T, store malo.Reader, lookup processLookup) []module.Module {
		mod, err := geligas.Module(geligas.WithMasterData(withContracts(app.GasMasterData(store))),
			geligas.WithProcessIndex(geligas.ProcessIndexFunc(lookup)))
		must(t, err)
		return []module.Module{mod}
	},
	record: gasRecord}

// gasRecord makes a seeded record a gas MaLo: the LFA's supply starts at
// the Gastag of 2026-01-01 (06:00 local), the MaLo has the gas master data
// and network data of `mako demo gas` (demo.GasMasterData: Marktgebiet THE,
// H-Gas, an RLM MaLo — the model geligas.LocationData supports).
func gasRecord(r *malo.Record) {
	for i := range r.Periods {
		r.Periods[i].From = gasDay(2026, 1, 1)
	}
	g, n := demo.GasMasterData()
	if n.BillingYearStart.IsZero() {
		// Start des Abrechnungsjahrs: FV2604 messages of an RLM MaLo need
		// it (44002 DTM+155).
		n.BillingYearStart = gasDay(2026, 1, 1)
	}
	r.Gas, r.GasNetwork = g, &n
}

// The gas market in one test (issue 14): LFN, NB and LFA of GeLi Gas on one
// nats-server, each its own NATS account with its own System and workers,
// linked only by the deliverer (startMarketWith, as TestMarket). Every
// message on the wire is parsed, validated against the FV2610 AHB (0
// findings, CONTRLs included) and checked for its content; every gas
// interchange gets a positive CONTRL, a broken one a negative CONTRL; a
// clean gas transaction gets no APERAK, a faulty one an error APERAK.
//
// Time: as in TestMarket, no workflow reads a clock. Scenarios that need
// deadlines to pass start with an interchange of LFX (a gas supplier
// outside the market, played by the test) whose receipt time
// (Mako-Received-At) lies in the past: the deadlines derived from it lie
// in the past, the server fires them at once and the scheduler hands them
// to the process; or the test fires a deadline by hand (scheduler.Force).
func TestGasMarket(t *testing.T) {
	m := startMarketWith(t, marketHooks{kind: &gasMarket})
	mk := m.mk
	now := time.Now()
	tm := newGasTimes(t, now)
	clock, err := fristen.NewGeLiGas(nil)
	must(t, err)

	t.Run("scenarios", func(t *testing.T) {
		concurrently(t,
			scenario{"switch with Kündigung", func(t *testing.T) { gasHappyPath(t, m, tm) }},
			scenario{"LFA objects to the Abmeldungsanfrage", func(t *testing.T) { gasLFAObjects(t, m, tm) }},
			scenario{"LFA refuses the Kündigung", func(t *testing.T) { gasKuendigungRefused(t, m, tm) }},
			scenario{"LFA confirms the Kündigung for a later date", func(t *testing.T) { gasKuendigungNewDate(t, m, tm) }},
			scenario{"NB refuses", func(t *testing.T) { gasNBRefusals(t, m, tm) }},
			scenario{"another Anmeldung pending", func(t *testing.T) { gasPending(t, m, tm) }},
			scenario{"LFA silent: operator fires the deadline", func(t *testing.T) { gasLFASilentForced(t, m, tm) }},
			scenario{"LFA silent: deadline across a holiday", func(t *testing.T) { gasLFASilentPast(t, m, clock) }},
			scenario{"Abmeldung", func(t *testing.T) { gasAbmeldung(t, m, tm) }},
			scenario{"Stornierung", func(t *testing.T) { gasStornierung(t, m, tm) }},
			scenario{"DST night (autumn): switch", func(t *testing.T) { gasDSTNight(t, m, clock) }},
			scenario{"DST night (spring): Abmeldung", func(t *testing.T) { gasDSTSpring(t, m) }},
			scenario{"Gastag boundary 05:30/06:30", func(t *testing.T) { gasGastagBoundary(t, m, clock) }},
			scenario{"holiday in the lead time", func(t *testing.T) { gasHolidayLeadTime(t, m, clock) }},
			scenario{"partner rejects by negative CONTRL", func(t *testing.T) { gasContrlRejected(t, m, tm) }},
			scenario{"Auszug revokes a future assignment (44038)", func(t *testing.T) { gasAuszugRevokesFuture(t, m, tm) }},
			scenario{"Abmeldung vom NB", func(t *testing.T) { gasAbmeldungVomNB(t, m, tm) }},
			scenario{"Ersatz-/Grundversorgung", func(t *testing.T) { gasEoG(t, m, tm) }},
			scenario{"process started in FV2604", func(t *testing.T) { gasFV2604(t, m, clock) }},
			scenario{"broken interchange: negative CONTRL", func(t *testing.T) { gasBrokenInterchange(t, m, now) }},
			scenario{"faulty transaction: error APERAK", func(t *testing.T) { gasFaultyTransaction(t, m, now) }},
		)
	})

	// Every message any party sent in the whole gas market: clean, gas,
	// AHB-conformant; every UTILMD interchange acknowledged by exactly one
	// positive CONTRL; no APERAK between the market's parties (their
	// transactions are all clean).
	// (The CONTRLs of the last interchanges may still be on their way: wait
	// for them first, 20 s as a failure guard only.)
	var all, market demo.Conversation
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		all, market = demo.Conversation{Messages: m.messages(t)}, demo.Conversation{}
		for _, msg := range all.Messages {
			if msg.To != mpGasLFX && msg.From != mpGasLFX {
				market.Messages = append(market.Messages, msg)
			}
		}
		if acknowledged(market) || time.Now().After(deadline) {
			break
		}
	}
	checkGasMessages(t, all)
	checkGasCONTRLs(t, market, mk)
	noAperak(t, market, mk)
	// Every interchange of LFX got one CONTRL from the NB (positive for a
	// sound one, negative for the broken one) and an APERAK only if its
	// transaction is faulty (313); neither a broken nor a faulty one got
	// an answer UTILMD (no process).
	lfxGot := m.lfxReceived(t)
	m.lfxSent.Range(func(k, v any) bool {
		g := v.(gasLFX44001)
		var contrls, aperaks []string
		for _, msg := range lfxGot {
			switch {
			case msg.Type == "CONTRL" && msg.RefInterchange == g.ref():
				contrls = append(contrls, msg.DocCode)
			case msg.Type == "APERAK" && msg.RefTN == g.tx():
				aperaks = append(aperaks, msg.DocCode)
			case msg.Type == "UTILMD" && msg.RefTN == g.tx() && (g.Break || g.Drop != ""):
				t.Errorf("LFX's %s interchange %s answered: %s", map[bool]string{true: "broken", false: "faulty"}[g.Break], k, msg.Line(mk.Names()))
			}
		}
		wantContrl, wantAperak := catalog.ContrlActionAcknowledged, []string(nil)
		switch {
		case g.Break:
			wantContrl = catalog.ContrlActionRejected
		case g.Drop != "":
			wantAperak = []string{"313"}
		}
		if !slices.Equal(contrls, []string{wantContrl}) || !slices.Equal(aperaks, wantAperak) {
			t.Errorf("LFX's interchange %s: CONTRLs %v, APERAKs %v; want CONTRL %s, APERAKs %v", k, contrls, aperaks, wantContrl, wantAperak)
		}
		return true
	})
	t.Logf("%d messages exchanged in the gas market", len(all.Messages))
}

// lfxReceived returns what the NB sent to LFX so far (NB's outbox).
func (m *market) lfxReceived(t *testing.T) []demo.Message {
	t.Helper()
	var out []demo.Message
	for _, msg := range m.nb.outbox(t) {
		if msg.To == m.kind.lfx {
			out = append(out, msg)
		}
	}
	return out
}

// waitLFX waits until the NB sent LFX a message that match accepts.
func (m *market) waitLFX(t *testing.T, what string, match func(demo.Message) bool) demo.Message {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, msg := range m.lfxReceived(t) {
			if match(msg) {
				return msg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("LFX got no %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// gasContract is what an LF's contract system knows beyond pkg/malo: that
// the contract binds beyond a requested end, with its notice period (ZZRB)
// and earliest end (44018 DTM+Z01, DTM+157); the LF's billing interval with
// the customer (44014 DTM+Z20) and whether it is the Grundversorger.
type gasContract struct {
	binding        bool
	notice         string
	earliestEnd    time.Time
	billingMonths  int
	grundversorger bool
}

// gasContracts are the contracts of the market's LFs by "tenant/MaLo".
var gasContracts sync.Map

// withContracts adds the contract system's facts to an LF's master data
// (as geligas.FromMaLo's doc says: facts the record does not hold come
// from other systems).
func withContracts(src geligas.MasterDataSource) geligas.MasterDataSource {
	return geligas.MasterDataFunc(func(ctx context.Context, q geligas.Query) (geligas.MasterData, error) {
		md, err := src.MasterData(ctx, q)
		v, ok := gasContracts.Load(string(q.Tenant) + "/" + q.MaLo)
		if !ok || err != nil {
			return md, err
		}
		c := v.(gasContract)
		if c.binding && md.Supplied {
			md.ContractBinding, md.NoticePeriod, md.EarliestEnd = true, c.notice, c.earliestEnd
		}
		if c.billingMonths > 0 {
			md.BillingMonths = c.billingMonths
		}
		md.Grundversorger = md.Grundversorger || c.grundversorger
		return md, nil
	})
}
