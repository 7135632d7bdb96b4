package gpke

import (
	"bytes"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
)

func contrlFor(t *testing.T, o engine.Outbound, action string) engine.Outbound {
	t.Helper()
	ix, err := edifact.Parse(o.Payload)
	if err != nil {
		t.Fatal(err)
	}
	unb := ix.UNB()
	b := edifact.NewInterchangeBuilder(unb.Recipient, unb.Sender, "CT1", t0)
	b.Message("1", "CONTRL", "D", "3", "UN", "2.0b").
		Segment("UCI", edifact.E(unb.ControlRef), edifact.C(unb.Sender.ID, unb.Sender.Qualifier), edifact.C(unb.Recipient.ID, unb.Recipient.Qualifier), edifact.E(action))
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return engine.Outbound{Payload: out}
}

func TestContrlRejectsRequest(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	anm := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	d = lfn.Exec(t0.Add(time.Minute), deliver(t, contrlFor(t, anm, "4")))
	if c, ok := has[ContrlReceived](d.Events); !ok || !c.Rejected {
		t.Fatalf("%+v", d.Events)
	}
	if f, ok := has[Failed](d.Events); !ok || f.Outcome != OutcomeContrlRejected {
		t.Fatalf("%+v", d.Events)
	}
	if len(d.Outbound) != 0 {
		t.Fatal("answered a CONTRL")
	}
	// An accepting CONTRL (action 7) changes nothing but is recorded.
	lfn2 := newParty(t, "lfn2").Start(WorkflowLFNLieferbeginn)
	d = lfn2.Exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	d = lfn2.Exec(t0.Add(time.Minute), deliver(t, contrlFor(t, out(t, d, mpNB, "UTILMD", PIDAnmeldung), "7")))
	if _, ok := has[Failed](d.Events); ok || lfn2.S.Done {
		t.Fatalf("%+v", d.Events)
	}
}

func TestAnswerRejectedByPartner(t *testing.T) {
	// The LFN rejects the NB's 55002 by APERAK 313: recorded as an alert; the
	// NB's decision stands.
	_, nb, d := switchUntilAnfrage(t, MasterData{Known: true, InGrid: true})
	best := out(t, d, mpLFN, "UTILMD", PIDAnmeldungBestaetig)
	d = nb.Exec(t0.Add(5*time.Minute), rejectAperak(t, best, t0.Add(4*time.Minute), "Z14"))
	ar, ok := has[AperakReceived](d.Events)
	if !ok || ar.Accepted || ar.PID != PIDAnmeldungBestaetig {
		t.Fatalf("%+v", d.Events)
	}
	if typ, _, _ := ar.CloudEvent(); typ != CEAperakRejected {
		t.Fatal(typ)
	}
	if nb.S.Outcome != OutcomeConfirmed || len(d.Outbound) != 0 {
		t.Fatalf("outcome %s, %d outbound", nb.S.Outcome, len(d.Outbound))
	}
}

// BenchmarkNBAnmeldung measures the NB's decision on a 55001 with an LFA
// (parse, APERAK 312, 55010 built).
func BenchmarkNBAnmeldung(b *testing.B) {
	lfn := newParty(b, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	e := enriched(deliver(b, d.Outbound[0]), mdNB())
	ws, _ := Workflows()
	var nb flow
	for _, w := range ws {
		if w.Name() == WorkflowNBLieferbeginn {
			nb = w.(flow)
		}
	}
	cmd := engine.Command{ID: "bench", Type: e.CommandType(), ReceivedAt: t0, FormatVersion: mustFV(t0), Payload: e}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := nb.Handle(nb.Initial(), cmd); err != nil {
			b.Fatal(err)
		}
	}
}

// A request that cannot be read as a UTILMD (here: the message behind the
// transaction is not one) is answered with APERAK 313 Z29 and ends the
// process, instead of failing the command without an answer.
func TestUnreadableRequestGetsAperak313(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d0 := lfn.Exec(t0, reg(RegisterSupplyStart{RequestID: "erp-bad", MaLo: maloID, Start: start, NB: mpNB, LFN: mpLFN}))
	tx := deliver(t, out(t, d0, mpNB, "UTILMD", PIDAnmeldung))
	tx.Interchange = bytes.Replace(tx.Interchange, []byte("UTILMD:D:11A"), []byte("MSCONS:D:04B"), 1)
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d := nb.Exec(t0.Add(time.Minute), enriched(tx, mdNB()))
	ap := out(t, d, mpLFN, "APERAK", "")
	if !bytes.Contains(ap.Payload, []byte("BGM+313")) || !bytes.Contains(ap.Payload, []byte("ERC+Z29")) {
		t.Fatalf("want APERAK 313 Z29, got %s", ap.Payload)
	}
	if f, ok := has[Failed](d.Events); !ok || f.Outcome != OutcomeAperakRejected {
		t.Fatalf("process not ended: %+v", d.Events)
	}
	if len(d.Outbound) != 1 {
		t.Fatalf("%d outbound messages; an unreadable request must not be processed", len(d.Outbound))
	}
}
