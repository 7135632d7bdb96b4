package app

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
	"github.com/rs/zerolog"
)

// GasLocation maps a record with the demo's gas master data to a
// geligas.LocationData that satisfies the family's AHB checks, with the
// codes of quality and pressure and the MSBs of the record; a record
// without gas network data has none.
func TestGasLocation(t *testing.T) {
	g, n := demo.GasMasterData()
	rec := malo.Record{MaLo: demo.DefaultGasMaLo, Sector: "Gas", GridOperator: demo.DefaultGasMarket.NB.MPID, Gas: g, GasNetwork: &n,
		MeLos: []string{demo.DemoMeLo(demo.DefaultGasMaLo)}, MSB: demo.DefaultGasMarket.NB.MPID, MSBRole: "Z39"}
	if err := rec.Validate(); err != nil {
		t.Fatal(err)
	}
	l, ok := GasLocation(rec)
	if !ok {
		t.Fatal("no location")
	}
	if err := l.Validate(); err != nil {
		t.Fatalf("location %+v: %v", l, err)
	}
	if l.GasQuality != "Y04" || l.Pressure != "Y02" || l.MarketArea != g.MarketArea || l.MeLo != rec.MeLos[0] ||
		l.MSB != rec.MSB || l.BaseMSB != rec.MSB || l.Address == nil || l.Address.City != n.Address.City || l.OBIS != n.OBIS {
		t.Fatalf("location %+v", l)
	}
	n.BillingYearStart = time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC)
	if l, _ := GasLocation(rec); !l.BillingYearStart.Equal(n.BillingYearStart) {
		t.Fatalf("billing year start %v", l.BillingYearStart)
	}
	rec.BaseMSB, rec.MSBRole = "9800000000021", "Z40"
	if l, _ := GasLocation(rec); l.BaseMSB != "9800000000021" {
		t.Fatalf("base MSB %q", l.BaseMSB)
	}
	if _, ok := GasLocation(malo.Record{MaLo: demo.DefaultGasMaLo, Gas: g}); ok {
		t.Fatal("a location without network data")
	}
}

// GasMasterData: FromMaLo's facts plus the LF's customer, address and
// Bilanzkreis of the record; the NB's location from GasLocation; an unknown
// MaLo is unknown.
func TestGasMasterData(t *testing.T) {
	ctx := context.Background()
	store := malo.NewMemStore(nil)
	mk := demo.DefaultGasMarket
	from := time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC)
	if err := demo.SeedGasMaLo(ctx, store, mk, demo.Supply{MaLo: demo.DefaultGasMaLo, From: from}); err != nil {
		t.Fatal(err)
	}
	src := GasMasterData(store)
	at := time.Date(2026, 12, 24, 5, 0, 0, 0, time.UTC)
	lfa, err := src.MasterData(ctx, geligas.Query{Tenant: "lfa", Own: mk.LFA.MPID, Partner: mk.LFN.MPID, PID: "44016", MaLo: demo.DefaultGasMaLo, Date: at})
	if err != nil {
		t.Fatal(err)
	}
	if !lfa.Known || !lfa.Supplied || lfa.Customer != demo.GasCustomer.Name || !lfa.CustomerCompany || lfa.Address == nil ||
		lfa.Address.PostCode != demo.GasCustomer.Address.PostCode || lfa.BalanceGroup == "" || lfa.AnnualConsumption == nil {
		t.Fatalf("LFA master data %+v", lfa)
	}
	nb, err := src.MasterData(ctx, geligas.Query{Tenant: "nb", Own: mk.NB.MPID, Partner: mk.LFN.MPID, PID: "44001", MaLo: demo.DefaultGasMaLo, Date: at})
	if err != nil {
		t.Fatal(err)
	}
	if !nb.Known || !nb.InGrid || nb.Supplier != mk.LFA.MPID || nb.Location == nil || nb.Location.Validate() != nil {
		t.Fatalf("NB master data %+v", nb)
	}
	none, err := src.MasterData(ctx, geligas.Query{Tenant: "lfn", Own: mk.LFN.MPID, MaLo: demo.DefaultGasMaLo, Date: at})
	if err != nil || none.Known || none.Customer != "" {
		t.Fatalf("LFN master data %+v %v", none, err)
	}
}

// The default modules run side by side: their routes build one router
// without conflict, and each sector's PIDs reach its family for the roles
// of the default tenants.
func TestDefaultModulesRoute(t *testing.T) {
	t.Setenv("MAKO_MODULES", "")
	t.Setenv("MAKO_TENANTS", "")
	var c Config
	c.Register(newFlagSet())
	if err := c.Finish(); err != nil {
		t.Fatal(err)
	}
	pc, err := c.PipelineConfig(zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	var routes []routing.Route
	for _, m := range pc.Modules {
		for _, r := range m.Routes {
			r.Module = m.Name
			routes = append(routes, r)
		}
	}
	router, err := routing.New(routes...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pid    string
		sector catalog.Sector
		role   routing.Role
		module string
	}{
		{"55001", catalog.Strom, routing.RoleNB, "gpke"},
		{"55010", catalog.Strom, routing.RoleLF, "gpke"},
		{"44001", catalog.Gas, routing.RoleNB, "geligas"},
		{"44010", catalog.Gas, routing.RoleLF, "geligas"},
		{"44016", catalog.Gas, routing.RoleLF, "geligas"},
	} {
		r, err := router.Resolve(tc.pid, tc.sector, []routing.Role{tc.role})
		if err != nil || r.Module != tc.module {
			t.Errorf("%s %v %s: %+v %v, want module %s", tc.pid, tc.sector, tc.role, r, err, tc.module)
		}
	}
	if _, err := router.Resolve("44001", catalog.Strom, []routing.Role{routing.RoleNB}); err == nil {
		t.Error("a gas PID resolved in Strom")
	}
}

// Every field of geligas.LocationData is filled from a record that holds
// every gas fact: a field the family adds without a source in pkg/malo
// fails here.
func TestGasLocationCoversLocationData(t *testing.T) {
	g, n := demo.GasMasterData()
	n.CustomerFirst, n.MunicipalDiscount, n.Household, n.CustomerCompany = "Erika", 1.5, true, true
	n.BillingYearStart = time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC)
	n.LoadProfile = &malo.GasLoadProfile{Code: "HK3", Agency: "293", Method: "E01", AnnualKWh: 18500, CustomerValue: "52.7431",
		ClimateKind: "Z99", ClimateID: "10554", ClimateProvider: "ZT1", ClimateAgency: "293"}
	rec := malo.Record{MaLo: demo.DefaultGasMaLo, Sector: "Gas", Gas: g, GasNetwork: &n,
		MeLos: []string{demo.DemoMeLo(demo.DefaultGasMaLo)}, MSB: "9800000000021", MSBRole: "Z40", BaseMSB: "9800000000014"}
	l, ok := GasLocation(rec)
	if !ok {
		t.Fatal("no location")
	}
	if err := l.Validate(); err != nil { // an SLP location: the Fallgruppe is not needed, the profile is complete
		t.Errorf("SLP location: %v", err)
	}
	for _, v := range []reflect.Value{reflect.ValueOf(l), reflect.ValueOf(*l.LoadProfile)} {
		for i := range v.NumField() {
			if v.Field(i).IsZero() {
				t.Errorf("geligas.%s.%s is not filled from pkg/malo", v.Type().Name(), v.Type().Field(i).Name)
			}
		}
	}
}

// parseConfig is the Config of a command run with args (Register, Parse,
// Finish).
func parseConfig(args ...string) (*Config, error) {
	var c Config
	fs := newFlagSet()
	c.Register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return &c, c.Finish()
}

// --gas-lead-times and --gas-lfa-answer set the unverified GeLi Gas
// deadlines of the deployment; bad values are refused.
func TestGasDeadlineFlags(t *testing.T) {
	t.Setenv("MAKO_GAS_LEAD_TIMES", "")
	t.Setenv("MAKO_GAS_LFA_ANSWER", "")
	c, err := parseConfig()
	if err != nil || c.gasClock != nil {
		t.Fatalf("defaults: %v %v", c.gasClock, err)
	}
	c, err = parseConfig("--gas-lead-times", "5,7", "--gas-lfa-answer", "2")
	if err != nil || c.gasClock == nil {
		t.Fatalf("set: %v", err)
	}
	want, err := fristen.NewGeLiGas(nil, fristen.WithGasLeadTimes(5, 7), fristen.WithGasLFAAnswer(2))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := fristen.NewGeLiGas(nil)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	for _, k := range []bool{false, true} {
		if got := c.gasClock.EarliestStart(at, k); !got.Equal(want.EarliestStart(at, k)) || got.Equal(def.EarliestStart(at, k)) {
			t.Errorf("kündigung %v: earliest start %v, want %v (default %v)", k, got, want.EarliestStart(at, k), def.EarliestStart(at, k))
		}
	}
	if got := c.gasClock.LFAAnswerDue(at); !got.Equal(want.LFAAnswerDue(at)) {
		t.Errorf("LFA answer due %v, want %v", got, want.LFAAnswerDue(at))
	}
	for _, bad := range [][]string{{"--gas-lead-times", "10"}, {"--gas-lead-times", "a,b"}, {"--gas-lead-times", "-1,3"}, {"--gas-lfa-answer", "99"}} {
		if _, err := parseConfig(bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	t.Setenv("MAKO_GAS_LEAD_TIMES", "8,11")
	if c, err := parseConfig(); err != nil || c.GasLeadTimes != "8,11" || c.gasClock == nil {
		t.Fatalf("env: %+v %v", c, err)
	}
}

// A default deployment's Grundversorger confirms an EoG: the geligas
// options of a Config with its defaults (--gas-billing-months 12) let the
// LF answer a 44013 with a 44014 stating that billing interval, from the
// master data GasMasterData reads (the GV's record holds its Bilanzkreis,
// no billing interval). With --gas-billing-months 0 the same 44013 fails
// the process, nothing sent; out-of-range values are refused.
func TestGasDefaultBillingMonths(t *testing.T) {
	t.Setenv("MAKO_GAS_BILLING_MONTHS", "")
	ctx := context.Background()
	store := malo.NewMemStore(nil)
	mk := demo.DefaultGasMarket
	maloID := demo.DefaultGasMaLo
	if err := demo.SeedGasMaLo(ctx, store, mk, demo.Supply{MaLo: maloID, From: time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	// The Grundversorger (lfn) knows the MaLo with its own Bilanzkreis.
	if _, err := store.Put(ctx, mk.LFN.Tenant, malo.Record{MaLo: maloID, GridOperator: mk.NB.MPID, Sector: "Gas",
		Gas: malo.Gas{BalanceGroup: "THE0BFL0000000GV"}}); err != nil {
		t.Fatal(err)
	}
	nbRec, err := store.Lookup(ctx, mk.NB.Tenant, maloID)
	if err != nil {
		t.Fatal(err)
	}
	loc, ok := GasLocation(*nbRec)
	if !ok {
		t.Fatal("NB record without gas location")
	}
	versionless := func(c engine.CommandData) bool {
		switch c.(type) {
		case geligas.RegisterEoG, geligas.Decide, geligas.Timeout:
			return true
		}
		return false
	}
	log := utilmdtest.NewLog()
	start := time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC) // 06:00 German local time
	at := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	// eog plays the NB's 44013 to the GV of a deployment configured by
	// args and returns the GV's decision after its ERP consented.
	eog := func(args ...string) (engine.Decision, *utilmdtest.Proc[geligas.State]) {
		c, err := parseConfig(args...)
		if err != nil {
			t.Fatal(err)
		}
		opts := c.geligasOptions()
		nbWfs, err := geligas.Workflows(opts...)
		if err != nil {
			t.Fatal(err)
		}
		l := loc
		d := utilmdtest.NewParty(t, "nb", nbWfs, log, versionless).Start(geligas.WorkflowNBEoG).
			Exec(at, geligas.RegisterEoG{MaLo: maloID, Start: start, NB: mk.NB.MPID, LF: mk.LFN.MPID, Location: &l})
		req := utilmdtest.Deliver(t, utilmdtest.Out(t, d, mk.LFN.MPID, "UTILMD", geligas.PIDEoG), "Gas")
		m, err := geligas.Module(append(opts, geligas.WithMasterData(GasMasterData(store)))...)
		if err != nil {
			t.Fatal(err)
		}
		cmd := &engine.Command{Payload: req, ReceivedAt: at.Add(time.Hour)}
		id := engine.ProcessIdentity{Tenant: engine.TenantID(mk.LFN.Tenant), Process: "gv-eog", Workflow: engine.WorkflowID{Name: geligas.WorkflowLFEoG}}
		if err := m.Enrich(ctx, id, cmd); err != nil {
			t.Fatal(err)
		}
		gvWfs, err := geligas.Workflows(opts...)
		if err != nil {
			t.Fatal(err)
		}
		gv := utilmdtest.NewParty(t, "gv", gvWfs, log, versionless).Start(geligas.WorkflowLFEoG)
		d = gv.Exec(cmd.ReceivedAt, cmd.Payload)
		var asked *geligas.DecisionRequested
		for _, e := range d.Events {
			if dr, ok := e.(geligas.DecisionRequested); ok {
				asked = &dr
			}
		}
		if asked == nil {
			t.Fatalf("the GV's ERP was not asked: %+v", d.Events)
		}
		return gv.Exec(cmd.ReceivedAt.Add(time.Minute), geligas.Decide{Partner: mk.NB.MPID, TransactionID: asked.TransactionID}), gv
	}

	d, gv := eog()
	ans := utilmdtest.Out(t, d, mk.NB.MPID, "UTILMD", geligas.PIDEoGBest)
	for _, seg := range []string{"DTM+Z20:12:802'", "CCI+Z19++THE0BFL0000000GV'"} {
		if !strings.Contains(string(ans.Payload), seg) {
			t.Errorf("44014 of a default deployment lacks %s", seg)
		}
	}
	if gv.S.Outcome != geligas.OutcomeConfirmed {
		t.Errorf("GV outcome %s", gv.S.Outcome)
	}
	if d, gv := eog("--gas-billing-months", "0"); len(d.Outbound) != 0 || gv.S.Outcome != geligas.OutcomeFailed {
		t.Errorf("no billing interval: %d outbound, outcome %s", len(d.Outbound), gv.S.Outcome)
	}
	for _, bad := range []string{"-1", "100"} {
		if _, err := parseConfig("--gas-billing-months", bad); err == nil {
			t.Errorf("--gas-billing-months %s accepted", bad)
		}
	}
	t.Setenv("MAKO_GAS_BILLING_MONTHS", "6")
	if c, err := parseConfig(); err != nil || c.GasBillingMonths != 6 {
		t.Fatalf("env: %+v %v", c, err)
	}
}

// makod -h shows --gas-billing-months with its default (12), so the
// deployment choice is visible.
func TestHelpShowsGasBillingMonths(t *testing.T) {
	t.Setenv("MAKO_GAS_BILLING_MONTHS", "")
	var out bytes.Buffer
	if err := RunDaemon(context.Background(), []string{"-h"}, &out); err != nil {
		t.Fatalf("makod -h: %v", err)
	}
	entry := helpEntry(t, out.String(), "-gas-billing-months")
	if !strings.Contains(entry, "deployment choice") || !strings.Contains(entry, "(default 12)") {
		t.Fatalf("-gas-billing-months help %q: want the deployment choice and its default 12", entry)
	}
}

// helpEntry is flag's entry in a flag set's help text (up to the next
// flag); the test fails when help has none.
func helpEntry(t *testing.T, help, flag string) string {
	t.Helper()
	i := strings.Index(help, flag)
	if i < 0 {
		t.Fatalf("no %s in help:\n%s", flag, help)
	}
	entry := help[i:]
	if j := strings.Index(entry[1:], "\n  -"); j > 0 {
		entry = entry[:j+1]
	}
	return entry
}
