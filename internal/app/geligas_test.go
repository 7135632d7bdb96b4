package app

import (
	"testing"

	"github.com/mako-engine/mako/internal/demo"
	"github.com/mako-engine/mako/pkg/malo"
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
	rec.BaseMSB, rec.MSBRole = "9800000000021", "Z40"
	if l, _ := GasLocation(rec); l.BaseMSB != "9800000000021" {
		t.Fatalf("base MSB %q", l.BaseMSB)
	}
	if _, ok := GasLocation(malo.Record{MaLo: demo.DefaultGasMaLo, Gas: g}); ok {
		t.Fatal("a location without network data")
	}
}
