package app

import (
	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
)

// GasMasterData is the geligas master-data source of the deployment:
// geligas.FromMaLo on r with GasLocation as its LocationFunc. The mapping
// of a record lives there and in GasLocation; this only wires them.
func GasMasterData(r malo.Reader) geligas.MasterDataSource {
	return geligas.FromMaLo(r, GasLocation)
}

// gasAddress is a as the geligas family's address (the same fields: a
// conversion, so a field added to one and not the other fails to compile).
func gasAddress(a *malo.Address) *geligas.Address {
	g := geligas.Address(*a)
	return &g
}

// GasLocation is the deployment's geligas.LocationFunc: the NB's gas
// master data of a MaLo (what 44002 and 44013 carry) from its record in
// pkg/malo — the Marktgebiet, Gasqualität and Druckebene of rec.Gas (as
// their UTILMD Gas codes), the network data of rec.GasNetwork (with the
// Lastprofil of an SLP MaLo), the first MeLo and the MSBs of the record
// (the grundzuständige MSB is BaseMSB, or MSB when its role is Z39). ok is
// false when the record holds no gas network data. Whether the values suffice for the AHB is
// geligas.LocationData.Validate's to say, when the family uses them.
func GasLocation(rec malo.Record) (geligas.LocationData, bool) {
	n := rec.GasNetwork
	if n == nil {
		return geligas.LocationData{}, false
	}
	l := geligas.LocationData{
		MarketArea: rec.MarketArea, CaseGroup: n.CaseGroup, Household: n.Household,
		NetContract: n.NetContract, NetPayer: n.NetPayer, BillingVariant: n.BillingVariant,
		BillingDay: n.BillingDay, NextBillingYear: n.NextBillingYear, BillingMonths: n.BillingMonths, BillingYearStart: n.BillingYearStart,
		OBIS: n.OBIS, Granularity: n.Granularity, Concession: n.Concession, MunicipalDiscount: n.MunicipalDiscount,
		MSB: rec.MSB, BaseMSB: rec.BaseMSB,
		MeterType: n.MeterType, MeterSize: n.MeterSize, MeterNumber: n.MeterNumber, MeterReading: n.MeterReading,
		RegisterOBIS: n.RegisterOBIS, RegisterDigits: n.RegisterDigits,
		Customer: n.Customer, CustomerFirst: n.CustomerFirst, CustomerCompany: n.CustomerCompany,
	}
	l.Pressure, _ = rec.Pressure.Code()
	l.GasQuality, _ = rec.Quality.Code()
	if len(rec.MeLos) > 0 {
		l.MeLo = rec.MeLos[0]
	}
	if l.BaseMSB == "" && rec.MSBRole == "Z39" {
		l.BaseMSB = rec.MSB
	}
	if a := n.Address; a != nil {
		l.Address = gasAddress(a)
	}
	if p := n.LoadProfile; p != nil {
		lp := geligas.LoadProfile(*p)
		l.LoadProfile = &lp
	}
	return l, true
}
