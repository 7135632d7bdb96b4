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
	refused := &playState{sent: map[string]bool{}}
	if _, done = sc.react(erpEvent("lfn", erp.TypeProcessCompleted, geligas.PIDKuendigungAbl, "rejected", "T5"), mk, refused); !done || !strings.Contains(refused.failure, "rejected") {
		t.Fatalf("after 44018: done %v failure %q", done, refused.failure)
	}
	lfaFailed := &playState{sent: map[string]bool{}}
	if _, done = sc.react(erpEvent("lfa", erp.TypeProcessFailed, "", "failed", ""), mk, lfaFailed); done || !strings.Contains(lfaFailed.failure, "lfa's process") {
		t.Fatalf("LFA failed: done %v failure %q", done, lfaFailed.failure)
	}
}
