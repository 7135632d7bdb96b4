package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// DefaultEoGMaLo is the gas market location `mako demo gas-eog` registers
// for the Ersatz-/Grundversorgung (valid check digit; another MaLo than
// DefaultGasMaLo, so that the two demos do not reset each other's facts).
const DefaultEoGMaLo = "41000000012"

// GasGVBalanceGroup is the demo Grundversorger's (lfn's) own Bilanzkreis
// in Marktgebiet THE (a demo value of THE's code format): the fact its
// 44014 CCI+Z19 states, held in its record of the MaLo.
const GasGVBalanceGroup = "THE0BFL0000000GV"

// RunGasEoG plays a GeLi Gas Anmeldung EoG through a running makod whose
// tenants serve Gas with the MP-IDs of cfg.Market (makod's defaults:
// DefaultGasMarket): it seeds the partner records (kept if present), the
// NB's gas master data of a MaLo without supplier and the Grundversorger's
// (lfn's) record holding only its Bilanzkreis (reset; lfa's record is
// removed), sends the NB's ERP command geligas.nb.register_eog (→ 44013 to
// the Grundversorger) for the next Gastag, answers the Grundversorger's
// decision request (E_3008) with consent and prints the conversation until
// the NB's process ended: 44013 → CONTRL → 44014 → CONTRL. The
// Grundversorger's Abrechnungsintervall (44014 DTM+Z20) is not in its
// record: it is makod's --gas-billing-months (a deployment choice, default
// 12), so the demo shows that a default makod confirms an EoG.
func RunGasEoG(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Market == (Market{}) {
		cfg.Market = DefaultGasMarket
	}
	return play(ctx, cfg, eogScript{})
}

// eogScript is the NB's Anmeldung EoG to the Grundversorger (lfn).
type eogScript struct{}

func (eogScript) name() string { return "gas-eog" }

func (eogScript) defaultMaLo() string { return DefaultEoGMaLo }

func (eogScript) seed(ctx context.Context, store malo.Store, mk Market, maloID string) (string, error) {
	gas, network := GasMasterData()
	nb := malo.Record{MaLo: maloID, GridOperator: mk.NB.MPID, Sector: "Gas", Gas: gas, GasNetwork: &network,
		MeLos: []string{DemoMeLo(maloID)}, MSB: mk.NB.MPID, MSBRole: "Z39"}
	gv := malo.Record{MaLo: maloID, GridOperator: mk.NB.MPID, Sector: "Gas", Gas: malo.Gas{MarketArea: gas.MarketArea, BalanceGroup: GasGVBalanceGroup}}
	for t, r := range map[string]malo.Record{mk.NB.Tenant: nb, mk.LFN.Tenant: gv} {
		if _, err := store.Put(ctx, t, r); err != nil {
			return "", fmt.Errorf("demo: master data of %s in tenant %s: %w", maloID, t, err)
		}
	}
	if err := store.Delete(ctx, mk.LFA.Tenant, maloID); err != nil && !errors.Is(err, malo.ErrNotFound) {
		return "", fmt.Errorf("demo: master data of %s in tenant %s: %w", maloID, mk.LFA.Tenant, err)
	}
	return fmt.Sprintf("gas MaLo %s in the grid of %s (Marktgebiet %s), no supplier; Grundversorger %s with its Bilanzkreis %s and no billing interval",
		maloID, mk.NB.Name, gas.MarketArea, mk.LFN.Name, GasGVBalanceGroup), nil
}

func (eogScript) begin(now time.Time, mk Market, maloID string) (time.Time, erpCommand, error) {
	// The Ersatzversorgung begins at the next Gastag (06:00 German local
	// time of tomorrow).
	d := now.In(berlin).AddDate(0, 0, 1)
	start := time.Date(d.Year(), d.Month(), d.Day(), 6, 0, 0, 0, berlin)
	return start, erpCommand{party: mk.NB, typ: geligas.ERPRegisterEoG,
		data: map[string]any{"malo": maloID, "start": start.UTC().Format(time.RFC3339), "nb": mk.NB.MPID, "lf": mk.LFN.MPID},
		what: fmt.Sprintf("MaLo %s at %s", maloID, start.In(berlin).Format("Mon 2006-01-02 15:04"))}, nil
}

func (eogScript) react(ev ReceivedEvent, mk Market, st *playState) (cmds []erpCommand, done bool) {
	d := ev.Data
	switch {
	case ev.Tenant == mk.LFN.Tenant && ev.Event.Type == geligas.CEDecisionRequested:
		// The Grundversorger's ERP consents (its duty to supply).
		return []erpCommand{{party: mk.LFN, typ: geligas.ERPDecide, key: "decide-" + d.TransactionID, what: "consent for " + d.TransactionID,
			data: map[string]any{"partner": mk.NB.MPID, "transaction_id": d.TransactionID, "object": false}}}, false
	case ev.Tenant == mk.NB.Tenant && (ev.Event.Type == erp.TypeProcessCompleted || ev.Event.Type == erp.TypeProcessFailed):
		// The EoG is answered (44014/44015) or the NB's step failed.
		st.failed(ev)
		return nil, true
	default:
		st.failed(ev)
	}
	return nil, false
}
