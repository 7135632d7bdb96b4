package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/fristen"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/partner"
)

var berlin = fristen.Berlin()

// Party is one market party of the demo market: a tenant of the deployment
// with its MP-ID and market role.
type Party struct {
	// Tenant is the deployment's tenant id (e.g. "lfn").
	Tenant string
	// MPID is the party's market partner id.
	MPID string
	// Role is the BDEW market role: "LF" or "NB".
	Role string
	// Name is the display name in printed conversations ("LFN", "NB", "LFA").
	Name string
}

// Market is the three parties of a supplier switch: the new supplier, the
// grid operator and the old supplier.
type Market struct {
	LFN, NB, LFA Party
}

// DefaultMarket is the market of docs/gpke.md ("A market in one test") and
// of makod's default tenants: MP-IDs with valid check digits.
var DefaultMarket = Market{
	LFN: Party{Tenant: "lfn", MPID: "9900000000004", Role: "LF", Name: "LFN"},
	NB:  Party{Tenant: "nb", MPID: "9900000000011", Role: "NB", Name: "NB"},
	LFA: Party{Tenant: "lfa", MPID: "9900000000028", Role: "LF", Name: "LFA"},
}

// DefaultGasMarket is the gas side of the same three tenants: makod's
// default tenants serve both sectors, each with a DVGW code (98…, valid
// check digit) for Gas beside its BDEW code for Strom.
var DefaultGasMarket = Market{
	LFN: Party{Tenant: "lfn", MPID: "9800000000007", Role: "LF", Name: "LFN"},
	NB:  Party{Tenant: "nb", MPID: "9800000000014", Role: "NB", Name: "NB"},
	LFA: Party{Tenant: "lfa", MPID: "9800000000021", Role: "LF", Name: "LFA"},
}

// DefaultMaLo is the market location the demo switches (valid check digit).
const DefaultMaLo = "51234567895"

// DefaultGasMaLo is the gas market location `mako demo gas` switches (valid
// check digit; another MaLo than DefaultMaLo, since master data are keyed by
// tenant and MaLo-ID alone).
const DefaultGasMaLo = "41000000004"

// Parties returns LFN, NB and LFA.
func (m Market) Parties() []Party { return []Party{m.LFN, m.NB, m.LFA} }

// Names returns the display names by MP-ID.
func (m Market) Names() Names {
	n := Names{}
	for _, p := range m.Parties() {
		n[p.MPID] = p.Name
	}
	return n
}

// IngestSubject is the default partner channel subject: the recipient
// tenant's mako.ingest.<tenant> on the same NATS account (one makod serving
// all three tenants).
func IngestSubject(tenant string) string { return inbound.Subject(engine.TenantID(tenant)) }

// SeedPartners gives every party a partner record for each other party with
// a nats channel to subject(other tenant), so that the deliverer routes the
// outbox of each tenant to the other's ingest. Existing records are kept
// (IfAbsent): an operator's configuration wins. It reports how many records
// it created.
func SeedPartners(ctx context.Context, store partner.Store, m Market, subject func(tenant string) string) (created int, err error) {
	for _, own := range m.Parties() {
		for _, other := range m.Parties() {
			if other.MPID == own.MPID {
				continue
			}
			p := partner.Partner{MPID: other.MPID, Name: "demo " + other.Name, Roles: []string{other.Role},
				Channels: []partner.Channel{{Transport: partner.TransportNATS, Subject: subject(other.Tenant)}}}
			_, err := store.Put(ctx, own.Tenant, p, kvrecord.IfAbsent())
			switch {
			case errors.Is(err, partner.ErrConflict):
			case err != nil:
				return created, fmt.Errorf("demo: partner %s in tenant %s: %w", other.MPID, own.Tenant, err)
			default:
				created++
			}
		}
	}
	return created, nil
}

// Supply is the master data of a MaLo before a switch: in the NB's grid,
// supplied by the LFA since From.
type Supply struct {
	MaLo string
	From time.Time
}

// DemoMeLo is the demo's Messlokation of a MaLo: "DE", twenty zeros and
// the MaLo-ID (33 characters, the MeLo-ID format; no real id).
func DemoMeLo(maloID string) string { return "DE00000000000000000000" + maloID }

// CustomerData are the customer and product fields of the ERP command
// gpke.lfn.register_supply_start that the 55001 AHB requires (demo values:
// a household customer without EnFG privilege, balance group
// 11XMAKO-DEMO-BKE is an EIC with a valid check character, not a real one).
func CustomerData() map[string]any {
	return map[string]any{"customer": "Mustermann", "customer_first_name": "Erika", "household": true, "enfg": "ZG0",
		"address":       map[string]any{"street": "Musterstraße", "house_no": "1", "city": "Musterstadt", "post_code": "12345"},
		"balance_group": "11XMAKO-DEMO-BKE"}
}

// SeedMaLo writes the master data of a MaLo supplied by the LFA: the NB's
// record (grid operator NB, period LFA from s.From, open-ended) and the
// LFA's record (its own period), and removes the LFN's record, so that a
// switch starts from the same facts every time. It overwrites earlier
// records of this MaLo in the three tenants.
func SeedMaLo(ctx context.Context, store malo.Store, m Market, s Supply) error {
	rec := malo.Record{MaLo: s.MaLo, GridOperator: m.NB.MPID, Sector: "Strom",
		Periods: []malo.Period{{Supplier: m.LFA.MPID, From: s.From.UTC()}},
		MeLos:   []string{DemoMeLo(s.MaLo)}, MSB: m.NB.MPID, MSBRole: "Z39"}
	for _, t := range []string{m.NB.Tenant, m.LFA.Tenant} {
		r := rec
		if t == m.LFA.Tenant {
			kwh := int64(3200) // the LFA's previous-year consumption (UTILMD 55017)
			r.AnnualConsumption = &kwh
		}
		if _, err := store.Put(ctx, t, r); err != nil {
			return fmt.Errorf("demo: master data of %s in tenant %s: %w", s.MaLo, t, err)
		}
	}
	if err := store.Delete(ctx, m.LFN.Tenant, s.MaLo); err != nil && !errors.Is(err, malo.ErrNotFound) {
		return fmt.Errorf("demo: master data of %s in tenant %s: %w", s.MaLo, m.LFN.Tenant, err)
	}
	return nil
}

// GasCustomer is the customer of the demo's gas MaLo: a business customer
// with a metered (RLM) supply, as in the realistic 44002 of
// pkg/ahb/testdata/realistic-fv2610-gas (demo values, no real party).
var GasCustomer = struct {
	Name    string
	Address malo.Address
}{"Musterbaeckerei GmbH", malo.Address{Street: "Industriestrasse", HouseNo: "20", City: "Musterstadt", PostCode: "12345", Country: "DE"}}

// GasMasterData are the demo's gas master data of the NB: Marktgebiet THE
// (its EIC 37Y005053MH0000R), a Bilanzkreis code of THE's format, H-Gas,
// Mitteldruck, and the network data of an RLM business customer as in
// pkg/ahb/testdata/realistic-fv2610-gas/utilmd-gas-44002.edi (demo values).
func GasMasterData() (malo.Gas, malo.GasNetwork) {
	addr := GasCustomer.Address
	return malo.Gas{MarketArea: "37Y005053MH0000R", BalanceGroup: "THE0BFH026380000", Quality: malo.GasH, Pressure: malo.PressureMedium},
		malo.GasNetwork{CaseGroup: "GABi-RLMmT", Household: false, NetContract: "Z09", NetPayer: "Z11", BillingVariant: "Z14",
			BillingDay: "0101", NextBillingYear: "2027", BillingMonths: 1, OBIS: "7-0:33.86.0", Granularity: "ZE8", Concession: "SA",
			MeterType: "DKZ", MeterSize: "G100", MeterNumber: "7DKZ0012345678", MeterReading: "AMR", RegisterOBIS: "7-0:3.0.0", RegisterDigits: "8,2",
			Customer: GasCustomer.Name, CustomerCompany: true, Address: &addr}
}

// SeedGasMaLo writes the master data of a gas MaLo supplied by the LFA
// (m is the gas market): the NB's record (grid operator NB, period LFA from
// s.From, open-ended, Sector Gas, GasMasterData, the NB as grundzuständiger
// MSB of the MeLo) and the LFA's record (its own period, the customer and
// its previous-year consumption), and removes the LFN's record, so that a
// switch starts from the same facts every time. It overwrites earlier
// records of this MaLo in the three tenants.
func SeedGasMaLo(ctx context.Context, store malo.Store, m Market, s Supply) error {
	gas, network := GasMasterData()
	nb := malo.Record{MaLo: s.MaLo, GridOperator: m.NB.MPID, Sector: "Gas", Gas: gas, GasNetwork: &network,
		Periods: []malo.Period{{Supplier: m.LFA.MPID, From: s.From.UTC()}},
		MeLos:   []string{DemoMeLo(s.MaLo)}, MSB: m.NB.MPID, MSBRole: "Z39"}
	kwh := int64(250000) // the LFA's previous-year consumption (44017 QTY+Z09)
	lfaNetwork := malo.GasNetwork{Customer: network.Customer, CustomerCompany: true, Address: network.Address}
	lfa := malo.Record{MaLo: s.MaLo, GridOperator: m.NB.MPID, Sector: "Gas", Gas: malo.Gas{BalanceGroup: gas.BalanceGroup},
		GasNetwork: &lfaNetwork, Periods: []malo.Period{{Supplier: m.LFA.MPID, From: s.From.UTC()}}, AnnualConsumption: &kwh}
	for t, r := range map[string]malo.Record{m.NB.Tenant: nb, m.LFA.Tenant: lfa} {
		if _, err := store.Put(ctx, t, r); err != nil {
			return fmt.Errorf("demo: master data of %s in tenant %s: %w", s.MaLo, t, err)
		}
	}
	if err := store.Delete(ctx, m.LFN.Tenant, s.MaLo); err != nil && !errors.Is(err, malo.ErrNotFound) {
		return fmt.Errorf("demo: master data of %s in tenant %s: %w", s.MaLo, m.LFN.Tenant, err)
	}
	return nil
}
