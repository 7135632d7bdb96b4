package gpke

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/wire/erp"
)

// The contracts of gpke-contract §7, checked at compile time.
var (
	_ erp.Event                          = RequestReceived{}
	_ erp.Event                          = Initiated{}
	_ erp.Event                          = AperakReceived{}
	_ erp.Event                          = AperakMissing{}
	_ erp.Event                          = ContrlReceived{}
	_ erp.Event                          = DecisionRequested{}
	_ erp.Event                          = Completed{}
	_ erp.Event                          = Failed{}
	_ erp.PIDEvent                       = Completed{}
	_ malo.Changer                       = SupplierAssigned{}
	_ malo.Changer                       = SupplyEnded{}
	_ module.Outcome                     = Completed{}
	_ module.Outcome                     = Failed{}
	_ interface{ AperakMissed() string } = AperakMissing{}
)

func TestMaLoChanges(t *testing.T) {
	st := malo.NewMemStore(nil)
	ctx := context.Background()
	if _, err := st.Put(ctx, "nb", malo.Record{MaLo: maloID, GridOperator: mpNB, Sector: "Strom",
		Periods: []malo.Period{{Supplier: mpLFA, From: berlin(2026, 1, 1, 0, 0)}}}); err != nil {
		t.Fatal(err)
	}
	src := FromMaLo(st)
	md, err := src.MasterData(ctx, Query{Tenant: "nb", Own: mpNB, Partner: mpLFN, PID: PIDAnmeldung, MaLo: maloID, Date: start})
	if err != nil || !md.Known || !md.InGrid || md.Supplier != mpLFA {
		t.Fatalf("NB view %+v %v", md, err)
	}
	// The switch's events change the record: LFN from the start, LFA until it.
	_, nb, d := switchUntilAnfrage(t, md)
	d = nb.FireAt(labelLFA, deadline(t, d, labelLFA))
	for i, e := range d.Events {
		if c, ok := e.(malo.Changer); ok {
			if _, err := malo.ApplyChange(ctx, st, "nb", string(rune('a'+i)), c.MaLoChange()); err != nil {
				t.Fatal(err)
			}
		}
	}
	md, _ = src.MasterData(ctx, Query{Tenant: "nb", Own: mpNB, MaLo: maloID, Date: start.Add(time.Hour)})
	if md.Supplier != mpLFN {
		t.Fatalf("after the switch the supplier is %s", md.Supplier)
	}
	md, _ = src.MasterData(ctx, Query{Tenant: "nb", Own: mpNB, MaLo: maloID, Date: start})
	if md.Supplier != mpLFA {
		t.Fatalf("before the switch the supplier is %s", md.Supplier)
	}
	// Another NB's MaLo → Z16 with the successor; unknown → not known.
	md, _ = src.MasterData(ctx, Query{Tenant: "nb", Own: mpNB2, MaLo: maloID, Date: start})
	if md.InGrid || md.SuccessorNB != mpNB {
		t.Fatalf("foreign grid %+v", md)
	}
	md, _ = src.MasterData(ctx, Query{Tenant: "other", Own: mpNB, MaLo: maloID, Date: start})
	if md.Known {
		t.Fatal("unknown MaLo known")
	}
	// LF view: the LFA supplies the MaLo.
	if _, err := st.Put(ctx, "lfa", malo.Record{MaLo: maloID, GridOperator: mpNB, Periods: []malo.Period{{Supplier: mpLFA, From: berlin(2026, 1, 1, 0, 0)}},
		MeLos: []string{testMeLo}, MSB: testMSB, AnnualConsumption: &testKWh}); err != nil {
		t.Fatal(err)
	}
	md, _ = src.MasterData(ctx, Query{Tenant: "lfa", Own: mpLFA, Partner: mpNB, MaLo: maloID, Date: start})
	if !md.Supplied || md.ConfirmedEnd {
		t.Fatalf("LF view %+v", md)
	}
	// The answer data of the record (55002/55078, 55017).
	if len(md.MeLos) != 1 || md.MeLos[0] != testMeLo || md.MSB != testMSB || md.AnnualConsumption == nil || *md.AnnualConsumption != testKWh {
		t.Fatalf("answer data %+v", md)
	}
	if m := msbOf(md); m == nil || m.Role != "Z39" || m.Base != testMSB {
		t.Fatalf("msbOf %+v", m)
	}
}

func TestERPCommands(t *testing.T) {
	reg, err := erp.NewRegistry(ERPCommands()...)
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := reg.Lookup(ERPRegisterSupplyStart)
	cust := `,"customer":"Mustermann","customer_first_name":"Erika","household":true,"enfg":"ZG0","balance_group":"` + testBalanceGroup +
		`","address":{"street":"Musterstraße","house_no":"1","city":"Musterstadt","post_code":"12345"}`
	p, err := ct.Decode(json.RawMessage(`{"malo":"` + maloID + `","start":"2026-11-11T23:00:00Z","nb":"` + mpNB + `","lfn":"` + mpLFN + `"` + cust + `}`))
	if err != nil {
		t.Fatal(err)
	}
	if c := p.(RegisterSupplyStart); !c.Start.Equal(start) || c.NB != mpNB || c.Address.City != "Musterstadt" || !*c.Household {
		t.Fatalf("%+v", c)
	}
	// Without what the 55001 AHB requires the ERP gets a refusal.
	for _, drop := range []string{`"balance_group"`, `"address"`, `"household"`, `"enfg"`} {
		body := `{"malo":"` + maloID + `","start":"2026-11-11T23:00:00Z","nb":"` + mpNB + `","lfn":"` + mpLFN + `"` + cust + `}`
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, strings.Trim(drop, `"`))
		b, _ := json.Marshal(m)
		if _, err := ct.Decode(b); !errors.Is(err, ErrInvalidCommand) {
			t.Errorf("without %s: %v", drop, err)
		}
	}
	if _, err := ct.Decode(json.RawMessage(`{"malo":"` + maloID + `","start":"2026-11-11T23:00:00Z","nb":"1","lfn":"` + mpLFN + `"}`)); err == nil {
		t.Fatal("invalid MP-ID accepted")
	}
	if _, err := ct.Decode(json.RawMessage(`{"malo":"` + maloID + `","begin":"2026-11-11T23:00:00Z"}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
	dt, _ := reg.Lookup(ERPDecide)
	p, err = dt.Decode(json.RawMessage(`{"partner":"` + mpNB + `","transaction_id":"VG1","object":true}`))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := dt.Route(context.Background(), erp.Request{}, p)
	if err != nil || tg.Existing == nil || *tg.Existing != DecisionKey(mpNB, "VG1") {
		t.Fatalf("route %+v %v", tg, err)
	}
	// The LFA process binds that key when it asks the ERP.
	_, _, d := switchUntilAnfrage(t, mdNB())
	lfa := newParty(t, "lfa").Start(WorkflowLFABeendigung)
	tx := deliver(t, out(t, d, mpLFA, "UTILMD", PIDAnfrageBeendigung))
	dl := lfa.Exec(t0, enriched(tx, MasterData{Known: true, Supplied: true, ContractBinding: true}))
	found := false
	for _, k := range dl.Correlate {
		found = found || k == DecisionKey(mpNB, tx.TransactionID)
	}
	if !found {
		t.Fatalf("decision key not bound: %v", dl.Correlate)
	}
	// A Decide for another request is ignored; the matching one answers.
	if dl = lfa.Exec(t0.Add(time.Minute), Decide{Partner: mpNB, TransactionID: "other", Object: false}); len(dl.Outbound) != 0 {
		t.Fatal("mismatched decision answered")
	}
	dl = lfa.Exec(t0.Add(time.Minute), Decide{Partner: mpNB, TransactionID: tx.TransactionID, Object: true})
	if c, _ := answerOf(t, out(t, dl, mpNB, "UTILMD", PIDAnfrageAbl)); c != "A35" {
		t.Fatalf("code %s", c)
	}
	typ, subj, data := Completed{Outcome: OutcomeRejected, PID: PIDAnfrageAbl, Code: "A35", MaLo: maloID}.CloudEvent()
	if typ != erp.TypeProcessCompleted || subj != "" {
		t.Fatal(typ, subj)
	}
	b, _ := json.Marshal(data)
	if !json.Valid(b) || !strings.Contains(string(b), `"marktlokationsId":"`+maloID+`"`) {
		t.Fatalf("%s", b)
	}
}

func TestDocumentedMPIDs(t *testing.T) {
	// docs/gpke.md names these MP-IDs for the market test.
	if mpLFA != "9900000000028" || mpLFN != "9900000000004" || mpNB != "9900000000011" {
		t.Fatalf("%s %s %s", mpLFN, mpNB, mpLFA)
	}
}
