package app

import (
	"context"

	"github.com/mako-engine/mako/pkg/geligas"
	"github.com/mako-engine/mako/pkg/malo"
)

// GasMasterData is the geligas master-data source of the deployment:
// geligas.FromMaLo on r with GasLocation, plus the LF's facts of the record
// that FromMaLo does not read yet — the customer and the MaLo's address of
// rec.GasNetwork (for the LFA's 44017: NAD+Z09, NAD+DP) and the Bilanzkreis
// (rec.BalanceGroup) — where FromMaLo left them empty. The record is read
// once per request.
func GasMasterData(r malo.Reader) geligas.MasterDataSource {
	return geligas.MasterDataFunc(func(ctx context.Context, q geligas.Query) (geligas.MasterData, error) {
		var rec *malo.Record
		once := readerFunc(func(ctx context.Context, tenant, maloID string) (*malo.Record, error) {
			var err error
			rec, err = r.Lookup(ctx, tenant, maloID)
			return rec, err
		})
		md, err := geligas.FromMaLo(once, GasLocation).MasterData(ctx, q)
		if err != nil || rec == nil {
			return md, err
		}
		if md.BalanceGroup == "" {
			md.BalanceGroup = rec.BalanceGroup
		}
		if n := rec.GasNetwork; n != nil && md.Customer == "" {
			md.Customer, md.CustomerFirst, md.CustomerCompany = n.Customer, n.CustomerFirst, n.CustomerCompany
			if a := n.Address; a != nil && md.Address == nil {
				md.Address = gasAddress(a)
			}
		}
		return md, nil
	})
}

// readerFunc adapts a function to malo.Reader.
type readerFunc func(ctx context.Context, tenant, maloID string) (*malo.Record, error)

// Lookup implements malo.Reader.
func (f readerFunc) Lookup(ctx context.Context, tenant, maloID string) (*malo.Record, error) {
	return f(ctx, tenant, maloID)
}

// gasAddress is a as the geligas family's address.
func gasAddress(a *malo.Address) *geligas.Address {
	return &geligas.Address{Street: a.Street, HouseNo: a.HouseNo, City: a.City, PostCode: a.PostCode, Country: a.Country}
}

// GasLocation is the deployment's geligas.LocationFunc: the NB's gas
// master data of a MaLo (what 44002 and 44013 carry) from its record in
// pkg/malo — the Marktgebiet, Gasqualität and Druckebene of rec.Gas (as
// their UTILMD Gas codes), the network data of rec.GasNetwork, the first
// MeLo and the MSBs of the record (the grundzuständige MSB is BaseMSB, or
// MSB when its role is Z39). ok is false when the record holds no gas
// network data. Whether the values suffice for the AHB is
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
	return l, true
}
