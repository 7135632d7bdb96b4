package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// RunLFW24 plays a supplier switch in 24 hours through a running makod whose
// tenants are cfg.Market (makod's defaults): it seeds the partner records
// (kept if present) and the master data of the MaLo (reset), sends the LFN's
// ERP command gpke.lfn.register_supply_start for the earliest
// Zuordnungsbeginn LFW24 allows, answers the LFA's decision request with
// consent (as the LFA's ERP would), prints every message of the conversation
// as it appears on the outboxes and, once every request is answered and
// every UTILMD has its APERAK, the processes' states and the master data.
func RunLFW24(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Market == (Market{}) {
		cfg.Market = DefaultMarket
	}
	return play(ctx, cfg, lfw24Script{})
}

// lfw24Script is the GPKE supplier switch in 24 hours.
type lfw24Script struct{}

func (lfw24Script) name() string { return "lfw24" }

func (lfw24Script) defaultMaLo() string { return DefaultMaLo }

func (lfw24Script) seed(ctx context.Context, store malo.Store, mk Market, maloID string) (string, error) {
	supplyFrom := time.Date(2026, time.January, 1, 0, 0, 0, 0, berlin)
	if err := SeedMaLo(ctx, store, mk, Supply{MaLo: maloID, From: supplyFrom}); err != nil {
		return "", err
	}
	return fmt.Sprintf("MaLo %s in the grid of %s, supplied by %s since %s", maloID, mk.NB.Name, mk.LFA.Name, supplyFrom.Format("2006-01-02")), nil
}

func (lfw24Script) begin(now time.Time, mk Market, maloID string) (time.Time, erpCommand, error) {
	// The earliest Zuordnungsbeginn LFW24 allows (W + 1 day), computed for a
	// receipt a few minutes from now so that the NB's receipt cannot fall on
	// a later Übertragungstag than the one the date was computed for.
	start := fristen.Default().LFW24(now.Add(10 * time.Minute)).EarliestZuordnungsbeginn
	cmd := map[string]any{"malo": maloID, "start": start.UTC().Format(time.RFC3339), "nb": mk.NB.MPID, "lfn": mk.LFN.MPID}
	for k, v := range CustomerData() {
		cmd[k] = v
	}
	return start, erpCommand{party: mk.LFN, typ: gpke.ERPRegisterSupplyStart, data: cmd,
		what: fmt.Sprintf("MaLo %s from %s", maloID, start.In(berlin).Format("Mon 2006-01-02"))}, nil
}

func (lfw24Script) react(ev ReceivedEvent, mk Market, st *playState) (cmds []erpCommand, done bool) {
	switch {
	case ev.Tenant == mk.LFA.Tenant && ev.Event.Type == gpke.CEDecisionRequested:
		return []erpCommand{consent(mk.LFA, gpke.ERPDecide, mk.NB.MPID, ev.Data.TransactionID, gpke.DecisionKey(mk.NB.MPID, ev.Data.TransactionID))}, false
	case ev.Tenant == mk.LFN.Tenant && (ev.Event.Type == erp.TypeProcessCompleted || ev.Event.Type == erp.TypeProcessFailed):
		st.failed(ev)
		return nil, true
	}
	return nil, false
}
