package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// RunGas plays a GeLi Gas supplier switch through a running makod whose
// tenants serve Gas with the MP-IDs of cfg.Market (makod's defaults:
// DefaultGasMarket): it seeds the partner records (kept if present) and the
// gas master data of the MaLo (reset), sends the LFN's Kündigung
// (geligas.lfn.request_termination → 44016) for the earliest Lieferbeginn
// the GeLi Gas lead time with Kündigung allows, answers the LFA's decision
// request with consent (→ 44017), sends the LFN's Anmeldung
// (geligas.lfn.register_supply_start → 44001) once the Kündigung is
// confirmed, answers the LFA's decision on the NB's Abmeldungsanfrage
// (44010 → 44011) with consent, and prints every message of the
// conversation — every interchange with its CONTRL (Gas: always, positive
// too) — until the NB's Bestätigung (44002) reached the LFN, then the
// processes' states and the master data.
func RunGas(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Market == (Market{}) {
		cfg.Market = DefaultGasMarket
	}
	return play(ctx, cfg, gasScript{})
}

// gasScript is the GeLi Gas supplier switch with Kündigung.
type gasScript struct{}

func (gasScript) name() string { return "gas" }

func (gasScript) defaultMaLo() string { return DefaultGasMaLo }

// gasSupplyFrom is the start of the LFA's supply in the demo's master data:
// a Gastag boundary (06:00 German local time).
var gasSupplyFrom = time.Date(2026, time.January, 1, 6, 0, 0, 0, berlin)

func (gasScript) seed(ctx context.Context, store malo.Store, mk Market, maloID string) (string, error) {
	if err := SeedGasMaLo(ctx, store, mk, Supply{MaLo: maloID, From: gasSupplyFrom}); err != nil {
		return "", err
	}
	g, _ := GasMasterData()
	return fmt.Sprintf("gas MaLo %s in the grid of %s (Marktgebiet %s, %s, %s), supplied by %s since %s", maloID, mk.NB.Name,
		g.MarketArea, g.Quality, g.Pressure, mk.LFA.Name, gasSupplyFrom.Format("2006-01-02 15:04")), nil
}

func (gasScript) begin(now time.Time, mk Market, maloID string) (time.Time, erpCommand, error) {
	// The earliest Lieferbeginn of an Anmeldung with Kündigung received a
	// few minutes from now (fristen.GeLiGas: lead times UNVERIFIED and
	// configurable there; makod runs the defaults): the Kündigung ends the
	// LFA's supply at the same Gastag boundary.
	g, err := fristen.NewGeLiGas(nil)
	if err != nil {
		return time.Time{}, erpCommand{}, fmt.Errorf("demo: GeLi Gas deadlines: %w", err)
	}
	start := g.EarliestStart(now.Add(10*time.Minute), true)
	return start, erpCommand{party: mk.LFN, typ: geligas.ERPRequestTermination,
		data: map[string]any{"malo": maloID, "date": start.UTC().Format(time.RFC3339), "lfa": mk.LFA.MPID, "lfn": mk.LFN.MPID},
		what: fmt.Sprintf("MaLo %s at %s", maloID, start.In(berlin).Format("Mon 2006-01-02 15:04"))}, nil
}

// registration is the LFN's Anmeldung (44001) as its ERP sends it.
func registration(mk Market, st *playState) erpCommand {
	g, n := GasMasterData()
	kwh := int64(250000)
	return erpCommand{party: mk.LFN, typ: geligas.ERPRegisterSupplyStart, key: "register",
		data: map[string]any{"malo": st.MaLo, "start": st.Start.UTC().Format(time.RFC3339), "nb": mk.NB.MPID, "lfn": mk.LFN.MPID,
			"customer": GasCustomer.Name, "customer_company": true,
			"address":       map[string]any{"street": n.Address.Street, "house_no": n.Address.HouseNo, "city": n.Address.City, "post_code": n.Address.PostCode},
			"balance_group": g.BalanceGroup, "household": false, "billing_months": 1, "annual_kwh": kwh},
		what: fmt.Sprintf("MaLo %s from %s", st.MaLo, st.Start.In(berlin).Format("Mon 2006-01-02 15:04"))}
}

func (gasScript) react(ev ReceivedEvent, mk Market, st *playState) (cmds []erpCommand, done bool) {
	d := ev.Data
	switch {
	case ev.Tenant == mk.LFA.Tenant && ev.Event.Type == geligas.CEDecisionRequested:
		// The LFA's ERP consents: to the Kündigung (44016, from the LFN) and
		// to the NB's Abmeldungsanfrage (44010).
		from := mk.LFN.MPID
		if d.PID == geligas.PIDAbmeldeanfrage {
			from = mk.NB.MPID
		}
		return []erpCommand{consent(mk.LFA, geligas.ERPDecide, from, d.TransactionID, geligas.DecisionKey(from, d.TransactionID))}, false
	case ev.Tenant == mk.LFN.Tenant && ev.Event.Type == erp.TypeProcessCompleted && d.PID == geligas.PIDKuendigungBest:
		// The Kündigung is confirmed: the LFN's ERP registers the supply.
		return []erpCommand{registration(mk, st)}, false
	case ev.Tenant == mk.LFN.Tenant && (ev.Event.Type == erp.TypeProcessCompleted || ev.Event.Type == erp.TypeProcessFailed):
		// The Anmeldung is answered (44002/44003), or the Kündigung refused
		// (44018) or a step failed: nothing follows.
		st.failed(ev)
		return nil, true
	default:
		// A refused or failed process of the NB or the LFA is reported
		// with the outcome of the switch.
		st.failed(ev)
	}
	return nil, false
}
