package malo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/malo"
)

// DVGW MP-ID with a valid check digit (pkg/edifact/ident tests).
const nbGas = "9800000000014"

func gasData() malo.Gas {
	return malo.Gas{MarketArea: "THE", BalanceGroup: "THE0BFH027950000", Quality: malo.GasH, Pressure: malo.PressureLow}
}

// SetGas merges the gas master data into a record, marks it Gas and keeps
// what it does not name; codes map to the UTILMD Gas AHB codes.
func TestGasMasterData(t *testing.T) {
	r := malo.Apply(malo.Record{}, malo.SetGrid(maloA, "NG-G", nbGas))
	r = malo.Apply(r, malo.SetGas(maloA, gasData()))
	if r.Sector != "Gas" || r.MarketArea != "THE" || r.BalanceGroup != "THE0BFH027950000" || r.Quality != malo.GasH || r.Pressure != malo.PressureLow || r.GridOperator != nbGas {
		t.Fatalf("record %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r2 := malo.Apply(r, malo.SetGas(maloA, malo.Gas{Quality: malo.GasL}))
	if r2.Quality != malo.GasL || r2.MarketArea != "THE" || r2.BalanceGroup != "THE0BFH027950000" || r.Quality != malo.GasH {
		t.Fatalf("partial update %+v (before %+v)", r2, r)
	}
	// A Strom record refuses gas master data.
	s := malo.Apply(malo.Record{MaLo: maloA, Sector: "Strom"}, malo.SetGas(maloA, gasData()))
	if err := s.Validate(); !errors.Is(err, malo.ErrInvalid) {
		t.Fatalf("gas data on Strom: %v", err)
	}
	for q, code := range map[malo.GasQuality]string{malo.GasH: "Y04", malo.GasL: "Y05"} {
		if c, ok := q.Code(); !ok || c != code {
			t.Errorf("%s: %s %v", q, c, ok)
		}
	}
	for p, code := range map[malo.PressureLevel]string{malo.PressureHigh: "Y01", malo.PressureMedium: "Y02", malo.PressureLow: "Y03"} {
		if c, ok := p.Code(); !ok || c != code {
			t.Errorf("%s: %s %v", p, c, ok)
		}
	}
	for in, want := range map[string]malo.GasQuality{"H-Gas": malo.GasH, "l-gas": malo.GasL, "H": malo.GasH, "Y05": malo.GasL} {
		if q, err := malo.ParseGasQuality(in); err != nil || q != want {
			t.Errorf("ParseGasQuality(%q) = %q %v", in, q, err)
		}
	}
	for in, want := range map[string]malo.PressureLevel{"niederdruck": malo.PressureLow, "Y01": malo.PressureHigh, "Mitteldruck": malo.PressureMedium} {
		if p, err := malo.ParsePressureLevel(in); err != nil || p != want {
			t.Errorf("ParsePressureLevel(%q) = %q %v", in, p, err)
		}
	}
	for _, bad := range []string{"", "M-Gas", "Y06"} {
		if _, err := malo.ParseGasQuality(bad); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("ParseGasQuality(%q): %v", bad, err)
		}
		if _, err := malo.ParsePressureLevel(bad); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("ParsePressureLevel(%q): %v", bad, err)
		}
	}
}

func TestGasValidate(t *testing.T) {
	for name, g := range map[string]malo.Gas{
		"long area":     {MarketArea: strings.Repeat("A", 18)},
		"service char":  {BalanceGroup: "THE+1"},
		"space":         {MarketArea: "THE 1"},
		"bad quality":   {Quality: "M-Gas"},
		"bad pressure":  {Pressure: "Vakuum"},
		"umlaut in bkv": {BalanceGroup: "Bilanzkreis-Ä"},
	} {
		if err := (malo.Record{MaLo: maloA, Gas: g}).Validate(); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, c := range map[string]malo.Change{
		"empty":   malo.SetGas(maloA, malo.Gas{}),
		"nil":     {Kind: malo.KindGas, MaLo: maloA},
		"invalid": malo.SetGas(maloA, malo.Gas{Quality: "x"}),
	} {
		if err := c.Validate(); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (malo.Record{MaLo: maloA, Gas: malo.Gas{MarketArea: strings.Repeat("A", 17)}}).Validate(); err != nil {
		t.Errorf("17 characters: %v", err)
	}
}

// The stored format stays backward compatible: a record written before the
// gas fields existed decodes, a Strom record encodes without them, and a
// gas record round-trips with flat fields.
func TestGasStoredFormat(t *testing.T) {
	old := `{"malo":"51238696781","grid_operator":"9900000000011","sector":"Strom","periods":[{"supplier":"9900000000004","from":"2026-01-01T00:00:00Z"}],"updated_at":"2026-11-20T09:15:00Z"}`
	r, err := malo.Decode([]byte(old))
	if err != nil || r.MaLo != maloA || !r.Gas.Empty() {
		t.Fatalf("old record: %+v %v", r, err)
	}
	b, err := malo.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != old {
		t.Fatalf("Strom record re-encoded as\n%s\nwant\n%s", b, old)
	}
	g := malo.Apply(malo.Record{}, malo.SetGas(maloA, gasData()))
	b, err = malo.Encode(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"market_area":"THE"`, `"balance_group":"THE0BFH027950000"`, `"gas_quality":"H-Gas"`, `"pressure_level":"Niederdruck"`, `"sector":"Gas"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoded %s lacks %s", b, want)
		}
	}
	back, err := malo.Decode(b)
	if err != nil || back.Gas != g.Gas {
		t.Fatalf("round trip %+v %v", back, err)
	}
	// A change carrying gas data round-trips as event data.
	if _, err := malo.Decode([]byte(`{"malo":"51238696781","gas":{}}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
}

// GasNetwork is stored as a nested object, deep-copied by Clone and refused
// on a Strom MaLo.
func TestGasNetwork(t *testing.T) {
	n := &malo.GasNetwork{CaseGroup: "GABi-RLMmT", Household: true, NetContract: "Z09", NetPayer: "Z11", OBIS: "7-0:33.86.0",
		Customer: "Mustermann", Address: &malo.Address{Street: "Musterstraße", HouseNo: "1", City: "Musterstadt", PostCode: "12345"}}
	r := malo.Record{MaLo: maloA, Sector: "Gas", GasNetwork: n}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	c := r.Clone()
	c.GasNetwork.Address.City = "Anderswo"
	if r.GasNetwork.Address.City != "Musterstadt" {
		t.Fatal("Clone shares the gas network address")
	}
	b, err := malo.Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"gas_network":{"case_group":"GABi-RLMmT","household":true`) {
		t.Fatalf("encoded %s", b)
	}
	back, err := malo.Decode(b)
	if err != nil || back.GasNetwork == nil || back.GasNetwork.Address.PostCode != "12345" || back.GasNetwork.OBIS != "7-0:33.86.0" {
		t.Fatalf("round trip %+v %v", back.GasNetwork, err)
	}
	for name, bad := range map[string]malo.Record{
		"strom":   {MaLo: maloA, Sector: "Strom", GasNetwork: n},
		"address": {MaLo: maloA, GasNetwork: &malo.GasNetwork{Address: &malo.Address{Street: "x"}}},
	} {
		if err := bad.Validate(); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
