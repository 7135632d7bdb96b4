package geligas

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/ahb"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/utilmdkit"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// TestModule: every workflow for both format versions, routes that a
// router accepts (no conflicts with themselves), every PID of the scope
// routed for the role that receives it, configuration errors returned.
func TestModule(t *testing.T) {
	m, err := Module()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Definitions) != 2*len(workflowNames) || m.Enrich != nil {
		t.Fatalf("%d definitions, enrich %v", len(m.Definitions), m.Enrich != nil)
	}
	for _, d := range m.Definitions {
		if err := d.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := routing.New(m.Routes...); err != nil {
		t.Fatalf("routes: %v", err)
	}
	got := map[string]bool{}
	for _, r := range m.Routes {
		got[string(r.Role)+" "+r.PID] = true
		if !slices.Contains(workflowNames, r.Workflow) {
			t.Errorf("route %s to unknown workflow %s", r.PID, r.Workflow)
		}
	}
	for _, want := range []string{"NB 44001", "NB 44004", "NB 44011", "NB 44012", "NB 44008", "NB 44009", "NB 44014", "NB 44015", "NB 44022",
		"LF 44002", "LF 44003", "LF 44005", "LF 44006", "LF 44007", "LF 44010", "LF 44013", "LF 44016", "LF 44017", "LF 44018",
		"LF 44022", "LF 44023", "LF 44024", "LF 44036", "LF 44037", "LF 44038"} {
		if !got[want] {
			t.Errorf("no route %s", want)
		}
	}
	if _, err := Module(WithCode("nope", "E15", "")); !errors.Is(err, ErrInvalidOption) {
		t.Error("unknown code key accepted")
	}
	if _, err := Module(WithCode(CodeAbmeldungAlready, "E14", "")); err == nil {
		t.Error("E14 without remark accepted")
	}
	if _, err := Module(WithERPDecision(-time.Second)); err == nil {
		t.Error("negative wait accepted")
	}
	for name, o := range map[string]Option{"calendar": WithCalendar(nil), "APERAK clock": WithAPERAKClock(nil), "gas clock": WithGasClock(nil),
		"master data": WithMasterData(nil), "process index": WithProcessIndex(nil), "objection policy": WithObjectionPolicy(nil),
		"APERAK grace": WithAPERAKGrace(-time.Second), "billing interval": WithDefaultBillingMonths(0),
		"decision PID": WithERPDecision(time.Minute, PIDAnmeldung)} {
		if _, err := Module(o); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("invalid %s: %v, want ErrInvalidOption", name, err)
		}
	}
	m, err = Module(WithMasterData(MasterDataFunc(func(context.Context, Query) (MasterData, error) { return MasterData{}, nil })))
	if err != nil || m.Enrich == nil {
		t.Fatalf("enrich %v %v", m.Enrich != nil, err)
	}
}

// TestCodes: the answer-code table has one row per key, every row names
// its source, the verified rows are exactly the codes an AHB condition
// names, and WithCode replaces a code (marked unverified).
func TestCodes(t *testing.T) {
	verified := map[string]bool{"ZC5": true, "Z35": true, "Z01": true, "Z12": true, "Z34": true, "E14": true}
	seen := map[string]bool{}
	for _, r := range DefaultCodes() {
		if seen[r.Key] || r.Source == "" || r.List == "" || len(r.Code) != 3 {
			t.Errorf("bad row %+v", r)
		}
		seen[r.Key] = true
		if r.Verified && !verified[r.Code] {
			t.Errorf("%s: %s marked verified", r.Key, r.Code)
		}
		if r.Code == "E14" && r.Remark == "" {
			t.Errorf("%s: E14 without remark ([48])", r.Key)
		}
	}
	_, lfa, d := kuendigung(t, lfaMD, WithERPDecision(0), WithCode(CodeKuendigungConfirm, "Z99", ""))
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDKuendigungBest)); c != "Z99" || outcome(lfa) != OutcomeConfirmed {
		t.Fatalf("WithCode: %s", c)
	}
}

// TestERPCommands: strict decoding (unknown fields, trailing data), the
// AHB's required data and the Gastag rule are refused with
// ErrInvalidCommand; Decide routes to its DecisionKey.
func TestERPCommands(t *testing.T) {
	cmds := map[string]erp.CommandType{}
	for _, c := range ERPCommands() {
		cmds[c.Type] = c
	}
	ok := `{"malo":"50112233445","start":"2026-12-01T05:00:00Z","nb":"9800800000023","lfn":"9800800000016","customer":"Becker",
		"address":{"street":"Am Markt","city":"Erfurt","post_code":"99084"},"balance_group":"THE0BFH026380000","household":false,"billing_months":12}`
	if p, err := cmds[ERPRegisterSupplyStart].Decode(json.RawMessage(ok)); err != nil || p.(RegisterSupplyStart).netContract() != "Z09" {
		t.Fatalf("valid command: %v", err)
	}
	for name, c := range map[string]struct{ typ, data string }{
		"unknown field":   {ERPRegisterSupplyStart, strings.Replace(ok, `"billing_months":12`, `"billing_months":12,"x":1`, 1)},
		"trailing data":   {ERPRegisterSupplyStart, ok + `{}`},
		"not 06:00":       {ERPRegisterSupplyStart, strings.Replace(ok, "05:00:00Z", "23:00:00Z", 1)},
		"no household":    {ERPRegisterSupplyStart, strings.Replace(ok, `"household":false,`, "", 1)},
		"Z10 without Z08": {ERPRegisterSupplyStart, strings.Replace(ok, `"billing_months":12`, `"billing_months":12,"net_payer":"Z10"`, 1)},
		"bad MaLo":        {ERPRequestTermination, `{"malo":"50112233446","date":"2027-01-01T05:00:00Z","lfa":"9800800000030","lfn":"9800800000016"}`},
		"bad reason":      {ERPRegisterSupplyEnd, `{"malo":"50112233445","end":"2027-01-01T05:00:00Z","nb":"9800800000023","lf":"9800800000030","reason":"ZG9"}`},
		"bad category":    {ERPRequestCancellation, `{"sender":"9800800000016","recipient":"9800800000023","transaction_id":"X","category":"E44"}`},
		"decide w/o tx":   {ERPDecide, `{"partner":"9800800000023","object":true}`},
		"eog bad loc":     {ERPRegisterEoG, `{"malo":"50112233445","start":"2027-01-01T05:00:00Z","nb":"9800800000023","lf":"9800800000030","location":{"pressure":"Y09"}}`},
	} {
		if _, err := cmds[c.typ].Decode(json.RawMessage(c.data)); err == nil {
			t.Errorf("%s: accepted", name)
		} else if name != "unknown field" && name != "trailing data" && !errors.Is(err, ErrInvalidCommand) {
			t.Errorf("%s: %v is no ErrInvalidCommand", name, err)
		}
	}
	p, err := cmds[ERPDecide].Decode(json.RawMessage(`{"partner":"9800800000023","transaction_id":"T1","object":true}`))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := cmds[ERPDecide].Route(context.Background(), erp.Request{}, p)
	if err != nil || tg.Existing == nil || *tg.Existing != DecisionKey(mpNB, "T1") {
		t.Fatalf("route %+v %v", tg, err)
	}
	// geligas.request_cancellation goes to the process that sent the
	// cancelled transaction (its sender's transaction key).
	p, err = cmds[ERPRequestCancellation].Decode(json.RawMessage(`{"sender":"9800800000016","recipient":"9800800000023","transaction_id":"T2","category":"E01"}`))
	if err != nil {
		t.Fatal(err)
	}
	tg, err = cmds[ERPRequestCancellation].Route(context.Background(), erp.Request{}, p)
	if err != nil || tg.Existing == nil || *tg.Existing != inbound.TransactionKey(mpLFN, "T2") {
		t.Fatalf("route %+v %v", tg, err)
	}
	if _, err := cmds[ERPRequestCancellation].Route(context.Background(), erp.Request{}, Decide{}); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("a Decide routed as a cancellation: %v", err)
	}
	for _, c := range ERPCommands() {
		if c.Type != ERPDecide && c.Type != ERPRequestCancellation && c.Workflow == "" {
			t.Errorf("%s without workflow", c.Type)
		}
	}
}

// memReader is a malo.Reader over records (tenant → MaLo → record).
type memReader map[string]*malo.Record

func (r memReader) Lookup(_ context.Context, tenant, id string) (*malo.Record, error) {
	if err := malo.ValidateTenant(tenant); err != nil {
		return nil, err
	}
	return r[tenant+"/"+id], nil
}

// TestFromMaLoAndEnrich: FromMaLo answers from the records (NB: supplier
// before the date, grid, future supplier, location by the LocationFunc; LF:
// own supply, contract end, customer and address from the location) and Enrich wraps a request into Enriched with
// them and finds another Anmeldung in process via the process index.
func TestFromMaLoAndEnrich(t *testing.T) {
	end := start
	rd := memReader{
		"nb/" + maloID: {MaLo: maloID, GridOperator: mpNB, Periods: []malo.Period{{Supplier: mpLFA, From: gas(2020, 1, 1), To: &end}, {Supplier: mpLFN, From: gas(2027, 3, 1)}}},
		"lf/" + maloID: {MaLo: maloID, Periods: []malo.Period{{Supplier: mpLFA, From: gas(2020, 1, 1)}}, Gas: malo.Gas{BalanceGroup: "THE0GVE026380000"}},
	}
	loc := func(malo.Record) (LocationData, bool) { return *testLocation(), true }
	src := FromMaLo(rd, loc)
	md, err := src.MasterData(context.Background(), Query{Tenant: "nb", Own: mpNB, Partner: mpLFA, MaLo: maloID, Date: start})
	if err != nil || !md.Known || !md.InGrid || md.Supplier != mpLFA || !md.ConfirmedEnd || md.FutureSupplier != mpLFN || md.Location == nil {
		t.Fatalf("NB %+v %v", md, err)
	}
	md, _ = src.MasterData(context.Background(), Query{Tenant: "lf", Own: mpLFA, Partner: mpLFN, MaLo: maloID, Date: kEnd})
	if !md.Supplied || md.ConfirmedEnd || md.BalanceGroup != "THE0GVE026380000" || md.Customer != testLocation().Customer || !md.CustomerCompany || md.Address == nil || md.Address.City != "Erfurt" {
		t.Fatalf("LF %+v", md)
	}
	if md, _ := src.MasterData(context.Background(), Query{Tenant: "nb", Own: mpNB, MaLo: "50112233446"}); md.Known {
		t.Fatal("invalid MaLo known")
	}

	other := engine.ProcessIdentity{Tenant: "nb", Workflow: engine.WorkflowID{Name: WorkflowNBLieferbeginn}, Process: "p-other"}
	ix := ProcessIndexFunc(func(_ context.Context, _ engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
		if k == MaLoKey(maloID) {
			return []engine.ProcessIdentity{other}, nil
		}
		return nil, nil
	})
	m, err := Module(WithMasterData(src), WithProcessIndex(ix))
	if err != nil {
		t.Fatal(err)
	}
	tx := deliver(t, anmeldung(t, t0, start))
	cmd := engine.Command{ID: "c1", ReceivedAt: t0, Payload: tx, Type: tx.CommandType()}
	id := engine.ProcessIdentity{Tenant: "nb", Workflow: engine.WorkflowID{Name: WorkflowNBLieferbeginn}, Process: "p1"}
	if err := m.Enrich(context.Background(), id, &cmd); err != nil {
		t.Fatal(err)
	}
	e, ok := cmd.Payload.(Enriched)
	if !ok || cmd.Type != "geligas.enriched" || !e.MasterData.PendingRegistration || e.MasterData.Supplier != "" && e.MasterData.Supplier != mpLFA {
		t.Fatalf("enriched %+v", cmd.Payload)
	}
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d := nb.Exec(t0, e)
	if c, _ := answerOf(t, out(t, d, mpLFN, "UTILMD", PIDAnmeldungAbl)); c != "ZC5" {
		t.Fatalf("code %s", c)
	}
	// RegisterEoG without location gets it from the source.
	eog := engine.Command{ID: "c2", ReceivedAt: t0, Payload: RegisterEoG{MaLo: maloID, Start: start, NB: mpNB, LF: mpLFA}}
	if err := m.Enrich(context.Background(), engine.ProcessIdentity{Tenant: "nb", Workflow: engine.WorkflowID{Name: WorkflowNBEoG}}, &eog); err != nil {
		t.Fatal(err)
	}
	if eog.Payload.(RegisterEoG).Location == nil {
		t.Fatal("EoG location not enriched")
	}
}

// TestOutboundGuard: a decision whose message would violate its AHB (the
// LFA named by a BDEW code 99…, whose NAD agency 293 the Gas AHB does not
// allow: only 9 GS1 and 332 DVGW) is refused with a *NonConformantError:
// no events, nothing sent.
func TestOutboundGuard(t *testing.T) {
	md := nbMD()
	md.Supplier = "9900000000011"
	nb := newParty(t, "nb").Start(WorkflowNBLieferbeginn)
	d, err := nb.Try(t0, enriched(deliver(t, anmeldung(t, t0, start)), md))
	var nc *NonConformantError
	if !errors.As(err, &nc) || !errors.Is(err, ErrNonConformant) || len(nc.Findings) == 0 || nc.PIDs[0] != PIDInfoZuordnung {
		t.Fatalf("err %v", err)
	}
	if len(d.Events) != 0 || len(d.Outbound) != 0 {
		t.Fatal("refused decision has content")
	}
}

// TestProjectionAndEvents: the state labels and PIDs of the overview, the
// CloudEvents (Sparte GAS, processed-by-silence is no alert), the outcomes.
func TestProjectionAndEvents(t *testing.T) {
	var _ module.Projectable = RequestReceived{}
	if f := (Sent{PID: PIDAbmeldeanfrage}).ProjectionFields(); f.State != utilmdkit.StateWaitingForLFA {
		t.Errorf("44010 label %q", f.State)
	}
	if f := (Sent{PID: PIDAnmeldung}).ProjectionFields(); f.State != utilmdkit.StateWaitingForAnswer {
		t.Errorf("44001 label %q", f.State)
	}
	if f := (InfoReceived{PID: PIDInfoBeendigung, MaLo: maloID}).ProjectionFields(); f.PIDs[0] != PIDInfoBeendigung || f.MaLo[0] != maloID {
		t.Errorf("info fields %+v", f)
	}
	if f := (Completed{Outcome: OutcomeInformed, PID: PIDInfoAufhebung}).ProjectionFields(); f.State != OutcomeInformed {
		t.Errorf("completed %+v", f)
	}
	typ, _, data := RequestReceived{PID: PIDAnmeldung, MaLo: maloID}.CloudEvent()
	if pd := data.(erp.ProcessData); typ != CEInitiated || pd.Marktlokation.Sparte != "GAS" {
		t.Errorf("CloudEvent %s %+v", typ, pd)
	}
	if typ, _, _ := (Processed{PID: PIDAnmeldung}).CloudEvent(); typ != CEAperakAccepted {
		t.Errorf("processed → %s", typ)
	}
	var alert any = Processed{}
	if _, ok := alert.(module.AperakAlert); ok {
		t.Error("Processed is an APERAK alert; Gas has none")
	}
	var o module.Outcome = Failed{Outcome: OutcomeFailed}
	if o.ProcessOutcome() != OutcomeFailed {
		t.Error("outcome")
	}
	if typ, _, _ := (InfoReceived{}).CloudEvent(); typ != CEInfoReceived {
		t.Error("info CloudEvent")
	}
}

// TestTransactionReasons: every Transaktionsgrund the package sends for a
// PID is one the AHB's STS+7 line of that PID allows (FV2610 and FV2604),
// and the list is the AHB's whole list but for what transactionReasons
// documents as not offered (44004: ZG9/ZH1/ZH2; 44038: ZH0/ZH1).
func TestTransactionReasons(t *testing.T) {
	notOffered := map[string][]string{PIDAbmeldung: {"ZG9", "ZH1", "ZH2"}, PIDInfoAufhebung: {"ZH0", "ZH1"}}
	for _, v := range formatVersions {
		for _, pid := range []string{PIDAnmeldung, PIDAbmeldung, PIDAbmeldungNB, PIDEoG, PIDKuendigung, PIDStorno, PIDInfoZuordnung,
			PIDInfoBeendigung, PIDInfoAufhebung} {
			ours := transactionReasons(fv.MustParse(v), pid)
			spec, err := ahb.Find(fv.MustParse(v), pid)
			if err != nil {
				t.Fatal(err)
			}
			lines, _ := spec.Lines(pid)
			var ahbCodes []string
			for _, l := range lines {
				if l.Line.Seg != "STS" || !strings.HasSuffix(l.ID, "STS+7") {
					continue
				}
				for _, e := range l.Line.Elements {
					if e.ID == "9013" {
						for _, c := range e.Codes {
							ahbCodes = append(ahbCodes, c[0])
						}
					}
				}
			}
			want := slices.DeleteFunc(slices.Clone(ahbCodes), func(c string) bool { return slices.Contains(notOffered[pid], c) })
			got := slices.Sorted(slices.Values(ours))
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: Transaktionsgründe %v, AHB STS+7 %v (not offered: %v)", v, pid, ours, ahbCodes, notOffered[pid])
			}
		}
	}
}

// A Transaktionsgrund the AHB of the process's format version does not
// list is refused before anything is sent: ZZD in a 44004 of FV2604 (from
// FV2610 on it is sent).
func TestTransactionReasonByFV(t *testing.T) {
	end := gas(2026, 11, 1)
	cmd := RegisterSupplyEnd{MaLo: maloID, End: end, NB: mpNB, LF: mpLFA, Reason: reasonZZD}
	d, err := newParty(t, "lf").Start(WorkflowLFLieferende).Try(berlin(2026, 9, 15, 10, 0), cmd)
	if !errors.Is(err, ErrInvalidCommand) || len(d.Outbound) != 0 {
		t.Fatalf("FV2604 ZZD: %v, %d outbound", err, len(d.Outbound))
	}
	d = newParty(t, "lf").Start(WorkflowLFLieferende).Exec(berlin(2026, 10, 5, 10, 0), cmd)
	if got := pids(t, d); len(got) != 1 || got[0] != PIDAbmeldung {
		t.Fatalf("FV2610 ZZD: sent %v", got)
	}
}
