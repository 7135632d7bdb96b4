package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

func erpEvent(tenant, typ, pid, outcome, tx string) ReceivedEvent {
	return ReceivedEvent{Tenant: tenant, Event: erp.CloudEvent{Type: typ},
		Data: erp.ProcessData{Workflow: "geligas.x", PID: pid, Outcome: outcome, TransactionID: tx}}
}

// The gas script as the parties' ERPs: consent to the LFA's decisions (to
// the LFN's Kündigung and to the NB's Abmeldungsanfrage), the Anmeldung
// once the Kündigung is confirmed, done with the LFN's answer; a refusal
// ends the switch with its reason.
func TestGasScriptReacts(t *testing.T) {
	mk := DefaultGasMarket
	st := &playState{Start: time.Date(2026, 12, 24, 5, 0, 0, 0, time.UTC), MaLo: DefaultGasMaLo, sent: map[string]bool{}}
	sc := gasScript{}
	cmds, done := sc.react(erpEvent("lfa", geligas.CEDecisionRequested, geligas.PIDKuendigung, "", "T1"), mk, st)
	if done || len(cmds) != 1 || cmds[0].typ != geligas.ERPDecide || cmds[0].data["partner"] != mk.LFN.MPID || cmds[0].data["object"] != false {
		t.Fatalf("decision on 44016: %+v %v", cmds, done)
	}
	cmds, _ = sc.react(erpEvent("lfa", geligas.CEDecisionRequested, geligas.PIDAbmeldeanfrage, "", "T2"), mk, st)
	if len(cmds) != 1 || cmds[0].data["partner"] != mk.NB.MPID {
		t.Fatalf("decision on 44010: %+v", cmds)
	}
	cmds, done = sc.react(erpEvent("lfn", erp.TypeProcessCompleted, geligas.PIDKuendigungBest, "confirmed", "T3"), mk, st)
	if done || len(cmds) != 1 || cmds[0].typ != geligas.ERPRegisterSupplyStart || cmds[0].data["start"] != "2026-12-24T05:00:00Z" || cmds[0].data["nb"] != mk.NB.MPID {
		t.Fatalf("after 44017: %+v %v", cmds, done)
	}
	if _, done = sc.react(erpEvent("lfn", erp.TypeProcessCompleted, geligas.PIDAnmeldungBest, "confirmed", "T4"), mk, st); !done || st.failure != "" {
		t.Fatalf("after 44002: done %v failure %q", done, st.failure)
	}
	reactsWithFailure(t, sc, erpEvent("lfn", erp.TypeProcessCompleted, geligas.PIDKuendigungAbl, "rejected", "T5"), true, "rejected")
	reactsWithFailure(t, sc, erpEvent("lfa", erp.TypeProcessFailed, "", "failed", ""), false, "lfa's process")
}

// reactsWithFailure checks that sc, on ev alone, records a failure naming
// want and ends the demo iff done.
func reactsWithFailure(t *testing.T, sc script, ev ReceivedEvent, done bool, want string) {
	t.Helper()
	st := &playState{sent: map[string]bool{}}
	if _, got := sc.react(ev, DefaultGasMarket, st); got != done || !strings.Contains(st.failure, want) {
		t.Errorf("%s %s of %s: done %v failure %q, want done %v and a failure naming %q", ev.Event.Type, ev.Data.PID, ev.Tenant, got, st.failure, done, want)
	}
}

// The EoG script as the parties' ERPs: the Grundversorger (lfn) consents to
// the NB's 44013; done with the NB's answer; a refusal or failure ends the
// demo with its reason; the first command is the NB's register_eog for the
// next Gastag (06:00 German local time).
func TestEoGScriptReacts(t *testing.T) {
	mk := DefaultGasMarket
	sc := eogScript{}
	start, first, err := sc.begin(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC), mk, DefaultEoGMaLo)
	if err != nil || !start.Equal(time.Date(2026, 3, 29, 4, 0, 0, 0, time.UTC)) || first.party != mk.NB || first.typ != geligas.ERPRegisterEoG ||
		first.data["lf"] != mk.LFN.MPID || first.data["start"] != "2026-03-29T04:00:00Z" {
		t.Fatalf("begin: %v %+v %v", start, first, err)
	}
	st := &playState{Start: start, MaLo: DefaultEoGMaLo, sent: map[string]bool{}}
	cmds, done := sc.react(erpEvent("lfn", geligas.CEDecisionRequested, geligas.PIDEoG, "", "T1"), mk, st)
	if done || len(cmds) != 1 || cmds[0].party != mk.LFN || cmds[0].typ != geligas.ERPDecide || cmds[0].data["partner"] != mk.NB.MPID ||
		cmds[0].data["transaction_id"] != "T1" || cmds[0].data["object"] != false {
		t.Fatalf("decision on 44013: %+v %v", cmds, done)
	}
	if _, done = sc.react(erpEvent("nb", erp.TypeProcessCompleted, geligas.PIDEoGBest, "confirmed", "T2"), mk, st); !done || st.failure != "" {
		t.Fatalf("after 44014: done %v failure %q", done, st.failure)
	}
	reactsWithFailure(t, sc, erpEvent("nb", erp.TypeProcessCompleted, geligas.PIDEoGAbl, "rejected", "T3"), true, "rejected")
	reactsWithFailure(t, sc, erpEvent("lfn", erp.TypeProcessFailed, "", "failed", ""), false, "lfn's process")
}
