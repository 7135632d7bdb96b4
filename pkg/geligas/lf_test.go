package geligas

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
)

var (
	kEnd   = gas(2027, 1, 1)
	kwh    = int64(14230)
	lfaMD  = MasterData{Known: true, Supplied: true, AnnualConsumption: &kwh, Customer: "Becker", CustomerFirst: "Anna", Address: &Address{Street: "Am Markt", HouseNo: "5", City: "Erfurt", PostCode: "99084"}}
	termin = RequestTermination{MaLo: maloID, Date: kEnd, LFA: mpLFA, LFN: mpLFN}
)

// kuendigung runs the LFN's 44016 into a fresh LFA process with md.
func kuendigung(t *testing.T, md MasterData, opts ...Option) (lfn, lfa *proc, d engine.Decision) {
	t.Helper()
	lfn = newParty(t, "lfn").Start(WorkflowLFNKuendigung)
	d = lfn.Exec(t0, termin)
	lfa = newParty(t, "lfa", opts...).Start(WorkflowLFAKuendigung)
	d = lfa.Exec(t0.Add(time.Hour), enriched(deliver(t, out(t, d, mpLFA, "UTILMD", PIDKuendigung)), md))
	return lfn, lfa, d
}

// TestKuendigung walks E_3001: no contract (A03 without LOC, [361]),
// Mehrfachkündigung (Z34 with DTM+Z05, [15]), Vertragsbindung by policy
// (Z12 with DTM+157/Z01, [16]), consent (44017 with QTY+Z09, NAD+Z09,
// NAD+DP) and the LFN's outcome.
func TestKuendigung(t *testing.T) {
	bound := lfaMD
	bound.ContractBinding, bound.NoticePeriod, bound.EarliestEnd = true, "03MM", gas(2027, 4, 1)
	multi := lfaMD
	multi.ConfirmedEnd, multi.ContractEnd = true, gas(2026, 12, 1)
	for _, c := range []struct {
		name      string
		md        MasterData
		pid, code string
		check     func(t *testing.T, o engine.Outbound)
	}{
		{"no contract", MasterData{Known: true}, PIDKuendigungAbl, "A03", func(t *testing.T, o engine.Outbound) {
			if _, ok := maloOf(view(t, o)); ok {
				t.Error("LOC with A03")
			}
		}},
		{"Mehrfachkündigung", multi, PIDKuendigungAbl, "Z34", func(t *testing.T, o engine.Outbound) {
			if !dateOf(view(t, o), "Z05").Equal(gas(2026, 12, 1)) {
				t.Error("DTM+Z05")
			}
		}},
		{"Vertragsbindung", bound, PIDKuendigungAbl, "Z12", func(t *testing.T, o engine.Outbound) {
			tx := view(t, o)
			if !dateOf(tx, "157").Equal(gas(2027, 4, 1)) {
				t.Error("DTM+157")
			}
			if _, ok := tx.Date("Z01"); !ok {
				t.Error("DTM+Z01")
			}
		}},
		{"consent", lfaMD, PIDKuendigungBest, "E15", func(t *testing.T, o engine.Outbound) {
			tx := view(t, o)
			if !dateOf(tx, "93").Equal(kEnd) {
				t.Error("DTM+93")
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			lfn, lfa, d := kuendigung(t, c.md, WithERPDecision(0))
			o := out(t, d, mpLFN, "UTILMD", c.pid)
			if code, list := answerOf(t, o); code != c.code || (list != "G_0005" && list != "G_0006") {
				t.Fatalf("answer %s:%s", code, list)
			}
			c.check(t, o)
			lfn.Exec(t0.Add(2*time.Hour), deliver(t, o))
			want := OutcomeRejected
			if c.pid == PIDKuendigungBest {
				want = OutcomeConfirmed
			}
			if outcome(lfn) != want || outcome(lfa) != want {
				t.Fatalf("outcomes %s/%s", outcome(lfn), outcome(lfa))
			}
		})
	}
}

// TestKuendigungERP: the LFA asks the ERP (DecisionRequested, bound under
// DecisionKey); Decide with an own end date answers Z01 with DTM+471 and no
// DTM+93 ([12], [13]); without Decide the default (the policy) applies at
// the deadline; a late Decide is noted.
func TestKuendigungERP(t *testing.T) {
	_, lfa, d := kuendigung(t, lfaMD)
	dr, ok := has[DecisionRequested](d.Events)
	if !ok || dr.ObjectCode != "Z12" || dr.ConsentCode != "E15" || !keyBound(lfa, DecisionKey(mpLFN, dr.TransactionID)) {
		t.Fatalf("decision request %+v", dr)
	}
	if len(d.Outbound) != 0 {
		t.Fatal("answered before the ERP")
	}
	// A Decide for another transaction is noted.
	lfa.Exec(t0.Add(90*time.Minute), Decide{Partner: mpLFN, TransactionID: "other"})
	d = lfa.Exec(t0.Add(91*time.Minute), Decide{Partner: mpLFN, TransactionID: dr.TransactionID, End: gas(2027, 2, 1)})
	o := out(t, d, mpLFN, "UTILMD", PIDKuendigungBest)
	tx := view(t, o)
	if c, _ := answerOf(t, o); c != "Z01" || !dateOf(tx, "471").Equal(gas(2027, 2, 1)) {
		t.Fatalf("Z01: %s %s", c, dateOf(tx, "471"))
	}
	if _, ok := tx.Date("93"); ok {
		t.Fatal("DTM+93 with Z01")
	}
	d = lfa.Exec(t0.Add(92*time.Minute), Decide{Partner: mpLFN, TransactionID: dr.TransactionID, Object: true})
	if len(d.Outbound) != 0 {
		t.Fatal("second decision sent")
	}

	bound := lfaMD
	bound.ContractBinding, bound.NoticePeriod, bound.EarliestEnd = true, "01MM", gas(2027, 3, 1)
	_, lfa, _ = kuendigung(t, bound)
	d = lfa.Fire(labelDecision)
	o = out(t, d, mpLFN, "UTILMD", PIDKuendigungAbl)
	if dec, _ := has[Decided](lfa.All); dec.Source != "default" || !dec.Object {
		t.Fatalf("default decision %+v", dec)
	}
}

// TestKuendigungIncompleteMasterData: a consent whose 44017 data are not in
// the master data, or a Vertragsbindung without notice period, fails the
// process with the reason; nothing non-conformant is sent.
func TestKuendigungIncompleteMasterData(t *testing.T) {
	for _, md := range []MasterData{{Known: true, Supplied: true}, {Known: true, Supplied: true, ContractBinding: true}} {
		_, lfa, d := kuendigung(t, md, WithERPDecision(0))
		if len(d.Outbound) != 0 || outcome(lfa) != OutcomeFailed {
			t.Fatalf("%+v: %v %s", md, pids(t, d), outcome(lfa))
		}
	}
}

// TestAbmeldungVomNB: the NB's 44007 (Stilllegung Z33, DTM+159), the LF's
// 44008 (consent by default, DTM+159 echoed [33]) and both master-data
// changes; an objection by the policy answers 44009 E14 with FTX+ACB.
func TestAbmeldungVomNB(t *testing.T) {
	end := gas(2027, 2, 1)
	nb := newParty(t, "nb").Start(WorkflowNBAbmeldung)
	d := nb.Exec(t0, DeregisterSupply{MaLo: maloID, End: end, NB: mpNB, LF: mpLFA})
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldungNB)
	if tx := view(t, req); statusReason(tx) != "Z33" || !dateOf(tx, "159").Equal(end) {
		t.Fatal("44007 content")
	}
	lf := newParty(t, "lfa").Start(WorkflowLFAbmeldungNB)
	d = lf.Exec(t0.Add(time.Hour), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	ans := out(t, d, mpNB, "UTILMD", PIDAbmeldungNBBest)
	if tx := view(t, ans); !dateOf(tx, "159").Equal(end) {
		t.Fatal("44008 without DTM+159")
	}
	if e, ok := has[SupplyEnded](lf.All); !ok || e.Supplier != mpLFA {
		t.Fatal("LF supply not ended")
	}
	nb.Exec(t0.Add(2*time.Hour), deliver(t, ans))
	if e, ok := has[SupplyEnded](nb.All); !ok || e.Supplier != mpLFA || outcome(nb) != OutcomeConfirmed {
		t.Fatalf("NB: %+v %s", e, outcome(nb))
	}

	obj := newParty(t, "lfa", WithObjectionPolicy(func(string, MasterData, time.Time) bool { return true })).Start(WorkflowLFAbmeldungNB)
	d = obj.Exec(t0.Add(time.Hour), enriched(deliver(t, req), MasterData{Known: true, Supplied: true}))
	rej := out(t, d, mpNB, "UTILMD", PIDAbmeldungNBAbl)
	if c, l := answerOf(t, rej); c != "E14" || l != "G_0068" {
		t.Fatalf("44009 %s:%s", c, l)
	}
}

// TestEoG: the NB's 44013 with its master data (CCI+Z42 ZB9), the
// Grundversorger's 44014 echoing them with its Bilanzkreis and billing
// interval, the assignments on both sides; the ERP's objection answers
// 44015; a 44013 without master data is not sent.
func TestEoG(t *testing.T) {
	begin := gas(2027, 1, 1)
	nb := newParty(t, "nb").Start(WorkflowNBEoG)
	d := nb.Exec(berlin(2026, 12, 10, 9, 0), RegisterEoG{MaLo: maloID, Start: begin, NB: mpNB, LF: mpLFA, Location: testLocation()})
	req := out(t, d, mpLFA, "UTILMD", PIDEoG)
	gv := newParty(t, "gv", WithERPDecision(0)).Start(WorkflowLFEoG)
	d = gv.Exec(berlin(2026, 12, 10, 10, 0), enriched(deliver(t, req), MasterData{Known: true, Grundversorger: true, BalanceGroup: "THE0GVE026380000", BillingMonths: 1}))
	ans := out(t, d, mpNB, "UTILMD", PIDEoGBest)
	if l, err := readLocation(view(t, ans)); err != nil || l.MeterNumber != "7DKZ0012345678" || l.MarketArea != "37Y005053MH0000R" {
		t.Fatalf("44014 master data %+v %v", l, err)
	}
	if e, ok := has[SupplierAssigned](gv.All); !ok || e.Supplier != mpLFA || !e.From.Equal(begin) {
		t.Fatal("GV assignment")
	}
	nb.Exec(berlin(2026, 12, 10, 11, 0), deliver(t, ans))
	if e, ok := has[SupplierAssigned](nb.All); !ok || e.Supplier != mpLFA || outcome(nb) != OutcomeConfirmed {
		t.Fatal("NB assignment")
	}

	gv = newParty(t, "gv").Start(WorkflowLFEoG)
	d = gv.Exec(berlin(2026, 12, 10, 10, 0), enriched(deliver(t, req), MasterData{Known: true}))
	dr, _ := has[DecisionRequested](d.Events)
	d = gv.Exec(berlin(2026, 12, 10, 10, 5), Decide{Partner: mpNB, TransactionID: dr.TransactionID, Object: true, Note: "Marktlokation nicht im Versorgungsgebiet"})
	rej := out(t, d, mpNB, "UTILMD", PIDEoGAbl)
	if c, _ := answerOf(t, rej); c != "E14" {
		t.Fatalf("44015 %s", c)
	}

	empty := newParty(t, "nb").Start(WorkflowNBEoG)
	d = empty.Exec(berlin(2026, 12, 10, 9, 0), RegisterEoG{MaLo: maloID, Start: begin, NB: mpNB, LF: mpLFA})
	if len(d.Outbound) != 0 || outcome(empty) != OutcomeFailed {
		t.Fatal("44013 without master data")
	}
}

// TestEoGDefaultBillingMonths: a Grundversorger whose master data name no
// billing interval fails a confirmed 44013 with the reason and sends
// nothing; with WithDefaultBillingMonths it confirms with that interval
// (44014 DTM+Z20), and an interval of the master data wins over the
// default. The option refuses what DTM+Z20 (802, an..2) cannot carry.
func TestEoGDefaultBillingMonths(t *testing.T) {
	begin := gas(2027, 1, 1)
	req := out(t, newParty(t, "nb").Start(WorkflowNBEoG).Exec(berlin(2026, 12, 10, 9, 0),
		RegisterEoG{MaLo: maloID, Start: begin, NB: mpNB, LF: mpLFA, Location: testLocation()}), mpLFA, "UTILMD", PIDEoG)
	md := MasterData{Known: true, Grundversorger: true, BalanceGroup: "THE0GVE026380000"}
	at := berlin(2026, 12, 10, 10, 0)

	gv := newParty(t, "gv", WithERPDecision(0)).Start(WorkflowLFEoG)
	if d := gv.Exec(at, enriched(deliver(t, req), md)); len(d.Outbound) != 0 || outcome(gv) != OutcomeFailed {
		t.Fatalf("no billing interval: %v %s", pids(t, d), outcome(gv))
	}
	if f, ok := has[Failed](gv.All); !ok || !strings.Contains(f.Reason, "billing interval") {
		t.Fatalf("failure reason %+v", f)
	}
	for _, tc := range []struct{ md, def, want int }{{0, 12, 12}, {3, 12, 3}} {
		gv := newParty(t, "gv", WithERPDecision(0), WithDefaultBillingMonths(tc.def)).Start(WorkflowLFEoG)
		m := md
		m.BillingMonths = tc.md
		ans := out(t, gv.Exec(at, enriched(deliver(t, req), m)), mpNB, "UTILMD", PIDEoGBest)
		if seg := fmt.Sprintf("DTM+Z20:%d:802'", tc.want); !strings.Contains(string(ans.Payload), seg) || outcome(gv) != OutcomeConfirmed {
			t.Errorf("master data %d, default %d: 44014 lacks %s (%s)", tc.md, tc.def, seg, outcome(gv))
		}
	}
	for _, bad := range []int{0, -1, 100} {
		if _, err := Workflows(WithDefaultBillingMonths(bad)); err == nil {
			t.Errorf("default billing interval %d accepted", bad)
		}
	}
}

// TestInvalidInbound: a request whose date is no Gastag boundary gets an
// error APERAK (Z29) and ends; a valid one gets no APERAK (Gas).
func TestInvalidInbound(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNKuendigung)
	d := lfn.Exec(t0, termin)
	o := out(t, d, mpLFA, "UTILMD", PIDKuendigung)
	bad := engine.Outbound{Recipient: o.Recipient, MessageType: o.MessageType, InterchangeRef: o.InterchangeRef,
		Payload: []byte(replaceOnce(string(o.Payload), "DTM+93:202701010500?+00:303", "DTM+93:202701010000?+00:303"))}
	lfa := newParty(t, "lfa").Start(WorkflowLFAKuendigung)
	d = lfa.Exec(t0.Add(time.Hour), enriched(deliver(t, bad), lfaMD))
	if got := pids(t, d); len(got) != 1 || got[0] != "APERAK" || outcome(lfa) != OutcomeAperakRejected {
		t.Fatalf("bad date: %v %s", got, outcome(lfa))
	}
	// The LFN's process fails on the error APERAK.
	lfn.Exec(t0.Add(2*time.Hour), deliver(t, out(t, d, mpLFN, "APERAK", "")))
	if outcome(lfn) != OutcomeAperakRejected {
		t.Fatalf("LFN outcome %s", outcome(lfn))
	}
}

// TestNegativeContrl: a negative CONTRL makes the interchange not received
// and fails the sending process; a missing master data source is an error.
func TestNegativeContrl(t *testing.T) {
	lf := newParty(t, "lf").Start(WorkflowLFLieferende)
	d := lf.Exec(t0, RegisterSupplyEnd{MaLo: maloID, End: gas(2027, 1, 1), NB: mpNB, LF: mpLFA, Reason: "E01"})
	lf.Exec(t0.Add(time.Minute), contrl(t, out(t, d, mpNB, "UTILMD", PIDAbmeldung), t0.Add(time.Minute), false))
	if outcome(lf) != OutcomeContrlRejected || lf.S.Out[0].Aperak != "contrl" {
		t.Fatalf("%s %+v", outcome(lf), lf.S.Out[0])
	}
	if _, ok := lf.Deadlines[labelAperak+lf.S.Out[0].TransactionID]; ok {
		t.Fatal("APERAK deadline kept")
	}
	// An error APERAK for the rejected interchange's transaction is
	// recorded as such, not as one after the APERAK deadline.
	lf.Exec(t0.Add(2*time.Minute), errorAperak(t, out(t, d, mpNB, "UTILMD", PIDAbmeldung), t0.Add(2*time.Minute), "Z14"))
	if n := lf.S.Notes; len(n) == 0 || !strings.Contains(n[len(n)-1], "whose interchange a CONTRL rejected") || outcome(lf) != OutcomeContrlRejected {
		t.Fatalf("error APERAK after a negative CONTRL: %s %q", outcome(lf), n)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferende)
	_, err := nb.Try(t0, deliver(t, out(t, d, mpNB, "UTILMD", PIDAbmeldung)))
	if !errors.Is(err, ErrNoMasterData) {
		t.Fatalf("err %v", err)
	}
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	panic("not found: " + old)
}

// TestErrorAperak: an error APERAK for the LFN's 44001 fails its process
// (aperak_rejected, the APERAK deadline cancelled); an error APERAK for the
// NB's 44010 makes it count as not received: the NB decides at once as on
// the LFA's silence (44002 + 44037); an error APERAK after the deadline is
// recorded and still ends the sending process.
func TestErrorAperak(t *testing.T) {
	lfn := newParty(t, "lfn").Start(WorkflowLFNLieferbeginn)
	d := lfn.Exec(t0, reg(RegisterSupplyStart{Start: start}))
	a := out(t, d, mpNB, "UTILMD", PIDAnmeldung)
	lfn.Exec(t0.Add(time.Hour), errorAperak(t, a, t0.Add(time.Hour), "Z14"))
	if outcome(lfn) != OutcomeAperakRejected || lfn.S.Out[0].Aperak != "313" {
		t.Fatalf("%s %+v", outcome(lfn), lfn.S.Out[0])
	}
	if _, ok := lfn.Deadlines[labelAperak+lfn.S.Out[0].TransactionID]; ok {
		t.Fatal("APERAK deadline kept")
	}

	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d = nb.Exec(t0, enriched(deliver(t, a), nbMD()))
	req := out(t, d, mpLFA, "UTILMD", PIDAbmeldeanfrage)
	d = nb.Exec(t0.Add(time.Hour), errorAperak(t, req, t0.Add(time.Hour), "Z18"))
	if got := pids(t, d); len(got) != 2 || got[0] != PIDAnmeldungBest || got[1] != PIDInfoBeendigung {
		t.Fatalf("NB sent %v", got)
	}

	late := newParty(t, "lf").Start(WorkflowLFNKuendigung)
	d = late.Exec(t0, termin)
	k := out(t, d, mpLFA, "UTILMD", PIDKuendigung)
	late.Fire(labelAperak + late.S.Out[0].TransactionID)
	if late.S.Out[0].Aperak != "processed" || late.S.Done {
		t.Fatalf("%+v", late.S.Out[0])
	}
	late.Exec(t0.Add(7*24*time.Hour), errorAperak(t, k, t0.Add(7*24*time.Hour), "Z14"))
	if outcome(late) != OutcomeAperakRejected || len(late.S.Notes) == 0 {
		t.Fatalf("late error APERAK: %s %v", outcome(late), late.S.Notes)
	}
}

// TestRemarks: FTX+ACB carries the ERP's note or the table's text of an E14
// answer, never an internal step name; an answer without remark has none.
func TestRemarks(t *testing.T) {
	_, _, d := kuendigung(t, MasterData{Known: true}, WithERPDecision(0))
	if tx := view(t, out(t, d, mpLFN, "UTILMD", PIDKuendigungAbl)); len(ftx(tx)) != 0 {
		t.Fatalf("A03 with FTX %v", ftx(tx))
	}
	_, lfa, _ := kuendigung(t, lfaMD)
	d = lfa.Exec(t0.Add(2*time.Hour), Decide{Partner: mpLFN, TransactionID: lfa.S.Request.TransactionID, Object: true, Code: "E14", Note: "Kunde widerspricht"})
	if got := ftx(view(t, out(t, d, mpLFN, "UTILMD", PIDKuendigungAbl))); len(got) != 1 || got[0] != "Kunde widerspricht" {
		t.Fatalf("ERP note %v", got)
	}
}

// ftx returns the texts of the FTX+ACB segments of tx.
func ftx(tx *utilmd.Transaction) []string {
	var out []string
	for _, s := range tx.Segments {
		if s.Is("FTX", "ACB") {
			out = append(out, s.Value(3, 0))
		}
	}
	return out
}
