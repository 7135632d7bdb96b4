package geligas

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// Query names the master data a request needs: the tenant and its own
// MP-ID (the request's recipient), the partner (its sender), the PID, the
// MaLo and the requested date (DTM+92 start or DTM+93 end, a Gastag
// boundary; zero if absent). The type is shared with gpke (utilmdkit.Query).
type Query = utilmdkit.Query

// MasterDataSource reads the master data of a gas MaLo as the tenant knows
// it. Module.Enrich calls it (I/O is allowed there, never in Handle). A MaLo
// the tenant does not know is MasterData{MaLo: id} with Known = false and a
// nil error; an error means the facts could not be read (the command is
// retried). FromMaLo adapts pkg/malo.
type MasterDataSource = utilmdkit.Source[MasterData]

// MasterDataFunc adapts a function to MasterDataSource.
type MasterDataFunc = utilmdkit.SourceFunc[MasterData]

// MasterData are the facts about one gas Marktlokation that a decision
// needs and the message does not carry (docs/geligas.md "Master data").
// Module.Enrich fills them from a MasterDataSource; Handle never looks
// anything up. The zero value means "nothing known": an unknown MaLo.
type MasterData struct {
	// MaLo is the Marktlokations-ID the facts are about.
	MaLo string
	// Known: the MaLo exists in the deployment's master data.
	Known bool

	// NB view.

	// InGrid: the MaLo is in the NB's grid at the requested date; a known
	// MaLo outside it is answered with CodeAnmeldungOtherNB naming
	// SuccessorNB (44003 NAD+VY).
	InGrid      bool
	SuccessorNB string
	// Supplier is the MP-ID of the LF assigned on the Gastag before the
	// requested date (the LFA of an Anmeldung, the sender of an Abmeldung);
	// "" if none.
	Supplier string
	// PendingRegistration: another Anmeldung of the MaLo is being processed
	// and not yet answered (E_3005, ZC5); PendingStart and NextProcessing
	// are its Lieferbeginn and the date its processing continues (44003
	// DTM+Z07/Z08, AHB [36]).
	PendingRegistration bool
	PendingStart        time.Time
	NextProcessing      time.Time
	// FutureSupplier is an LF whose assignment is confirmed to start at
	// FutureStart, after the requested end (NB: a confirmed Abmeldung for a
	// move-out cancels it with 44038 ZG9).
	FutureSupplier string
	FutureStart    time.Time
	// Location is the NB's gas master data of the MaLo that 44002 and 44013
	// carry; nil: not known (the NB then cannot confirm an Anmeldung: the
	// process fails with the reason, nothing non-conformant is sent).
	Location *LocationData

	// LF view.

	// Supplied: the deployment (as LF) supplies the MaLo on the Gastag
	// before the requested end (E_3020, E_3001, E_3002).
	Supplied bool
	// ContractBinding: the LF's contract continues beyond the requested end
	// (E_3020 → CodeAbmeldeanfrageObject, E_3001 → CodeKuendigungBinding).
	ContractBinding bool
	// ConfirmedEnd: an end of supply at (or before) the requested date is
	// already confirmed (NB: CodeAbmeldungAlready; LF: CodeKuendigungMultiple
	// with ContractEnd in DTM+Z05).
	ConfirmedEnd bool
	// ContractEnd is the end of the LF's contract (zero: open-ended).
	ContractEnd time.Time
	// NoticePeriod is the contract's notice period in the AHB format ZZRB
	// (44018 DTM+Z01, e.g. "03MM") and EarliestEnd the earliest possible end
	// (44018 DTM+157, AHB [581]); both needed for CodeKuendigungBinding.
	NoticePeriod string
	EarliestEnd  time.Time
	// AnnualConsumption is the previous-year consumption in kWh (44017 SG9
	// QTY+Z09); nil: none.
	AnnualConsumption *int64
	// BalanceGroup is the Bilanzkreis of the LF (a Grundversorger's for
	// 44014 CCI+Z19), Grundversorger whether the LF takes E/G
	// registrations for the MaLo (E_3008).
	BalanceGroup   string
	Grundversorger bool
	// BillingMonths is the LF's Abrechnungsintervall in months (44014 SG6
	// DTM+Z20); 0: none, the module's WithDefaultBillingMonths applies.
	BillingMonths int
	// Customer, CustomerFirst, CustomerCompany and Address (LF) are the
	// customer and the MaLo's address of the LF's contract, for 44017
	// (NAD+Z09, NAD+DP: mandatory).
	Customer        string
	CustomerFirst   string
	CustomerCompany bool
	Address         *Address
}

// LocationData is the NB's gas master data of a MaLo (UTILMD Gas AHB
// FV2610 44002/44013/44014 SG6 and SG8): the Marktgebiet and Bilanzkreis,
// the network-usage data, the Messlokation with its meter and the customer.
// Both forecast models: without LoadProfile an RLM MaLo (SG10 CCI+++ZC0
// "Prognose auf Basis von Werten", with the Fallgruppe CCI+Z17, AHB [19]);
// with LoadProfile an SLP MaLo (CCI+++ZA6 "Prognose auf Basis von
// Profilen": SG9 QTY+31/Y02 and SG8 SEQ+Z35 Lastprofildaten, AHB [106]).
type LocationData struct {
	// LoadProfile is the Standardlastprofil of an SLP MaLo; nil: RLM.
	LoadProfile *LoadProfile `json:"load_profile,omitempty"`
	// MarketArea is the Marktgebiet (CCI+Z21, EIC, e.g. THE's
	// 37Y005053MH0000R).
	MarketArea string `json:"market_area"`
	// Pressure is the Druckebene: Y01, Y02 or Y03 (CAV after CCI+Y01).
	Pressure string `json:"pressure"`
	// CaseGroup is the Fallgruppe nach GABi Gas (CCI+Z17): GABi-RLMmT or
	// GABi-RLMoT; RLM only ("Muss [19]": ZC0), ignored for an SLP MaLo.
	CaseGroup string `json:"case_group"`
	// Household: Haushaltskunde gem. EnWG (CCI Z15, else Z18).
	Household bool `json:"household"`
	// NetContract is the Netznutzungsvertrag (CAV+Z74): Z08 customer–NB, Z09
	// LF–NB; NetPayer who pays the network usage (CAV+Z73): Z10 customer
	// (only with Z08), Z11 LF; BillingVariant the Netznutzungsabrechnungs-
	// variante (CAV+ZB1): Z14 or Z15.
	NetContract    string `json:"net_contract"`
	NetPayer       string `json:"net_payer"`
	BillingVariant string `json:"billing_variant"`
	// BillingDay (DTM+Z21, MMDD format 106), NextBillingYear (DTM+Z09,
	// CCYY format 602) and BillingMonths (DTM+Z22, months): the NB's
	// network-usage billing.
	BillingDay      string `json:"billing_day"`
	NextBillingYear string `json:"next_billing_year"`
	BillingMonths   int    `json:"billing_months"`
	// BillingYearStart is the Start des Abrechnungsjahrs (DTM+155, a Gastag
	// boundary), needed only in FV2604 messages (AHB FV2604 44002/44013/44014
	// SG6 DTM+155 "Muss [19]" for an RLM MaLo); FV2610 has no such line.
	BillingYearStart time.Time `json:"billing_year_start,omitzero"`
	// OBIS is the OBIS code of the MaLo (SEQ+Z02 PIA+5, e.g. 7-0:33.86.0)
	// and Granularity its Wertegranularität (ZD9, ZE8, ZE9, ZB7).
	OBIS        string `json:"obis"`
	Granularity string `json:"granularity"`
	// Concession is the Konzessionsabgabe code (KAS, SA, SAS, TA, TAS, TK,
	// TKS).
	Concession string `json:"concession"`
	// MunicipalDiscount is the Gemeinderabatt in percent (SEQ+Z12 QTY+Z16,
	// 0..10, AHB [938]).
	MunicipalDiscount float64 `json:"municipal_discount,omitempty"`
	// GasQuality is Y04 or Y05 (CCI+Y02).
	GasQuality string `json:"gas_quality"`
	// MeLo is the Messlokation, MSB and BaseMSB its (grundzuständiger)
	// Messstellenbetreiber (CAV+Z91, CAV+ZF0).
	MeLo    string `json:"melo"`
	MSB     string `json:"msb"`
	BaseMSB string `json:"base_msb"`
	// Meter: type (CAV NMG, DKZ, BGZ …), size (G4 … G16000), number,
	// reading (AMR or MMR), the register's OBIS code and digits ("8,2").
	MeterType      string `json:"meter_type"`
	MeterSize      string `json:"meter_size"`
	MeterNumber    string `json:"meter_number"`
	MeterReading   string `json:"meter_reading"`
	RegisterOBIS   string `json:"register_obis"`
	RegisterDigits string `json:"register_digits"`
	// Customer and Address (NAD+Z09, NAD+Z04, NAD+DP, NAD+Z05).
	Customer        string   `json:"customer"`
	CustomerFirst   string   `json:"customer_first_name,omitempty"`
	CustomerCompany bool     `json:"customer_company,omitempty"`
	Address         *Address `json:"address"`
}

// Validate reports the first field of l the AHB of 44002/44013 needs and
// l lacks or holds outside the AHB's code list.
func (l LocationData) Validate() error {
	oneOf := func(name, v string, codes ...string) error {
		if !slices.Contains(codes, v) {
			return fmt.Errorf("%s %q: want one of %v", name, v, codes)
		}
		return nil
	}
	for _, err := range []error{
		oneOf("pressure", l.Pressure, "Y01", "Y02", "Y03"),
		oneOf("net_contract", l.NetContract, "Z08", "Z09"),
		oneOf("net_payer", l.NetPayer, "Z10", "Z11"),
		oneOf("billing_variant", l.BillingVariant, "Z14", "Z15"),
		oneOf("granularity", l.Granularity, "ZD9", "ZE8", "ZE9", "ZB7"),
		oneOf("concession", l.Concession, "KAS", "SA", "SAS", "TA", "TAS", "TK", "TKS"),
		oneOf("gas_quality", l.GasQuality, "Y04", "Y05"),
		oneOf("meter_type", l.MeterType, "NMG", "DKZ", "BGZ", "TRZ", "UGZ", "WGZ", "EHZ", "IVA"),
		oneOf("meter_reading", l.MeterReading, "AMR", "MMR"),
	} {
		if err != nil {
			return err
		}
	}
	if l.LoadProfile != nil {
		if err := l.LoadProfile.Validate(true); err != nil {
			return err
		}
	} else if err := oneOf("case_group", l.CaseGroup, "GABi-RLMmT", "GABi-RLMoT"); err != nil {
		return err
	}
	switch {
	case l.MunicipalDiscount < 0 || l.MunicipalDiscount > 10:
		return fmt.Errorf("municipal_discount %v: want 0..10 percent (AHB [938])", l.MunicipalDiscount)
	case l.NetPayer == "Z10" && l.NetContract != "Z08":
		return fmt.Errorf("net_payer Z10 needs net_contract Z08 (AHB [216])")
	case l.MarketArea == "" || l.OBIS == "" || l.MeterSize == "" || l.MeterNumber == "" || l.RegisterOBIS == "" || l.RegisterDigits == "":
		return fmt.Errorf("market_area, obis, meter_size, meter_number, register_obis and register_digits are required")
	case len(l.BillingDay) != 4 || len(l.NextBillingYear) != 4 || l.BillingMonths < 1:
		return fmt.Errorf("billing_day (MMDD), next_billing_year (CCYY) and billing_months (≥ 1) are required")
	case l.Customer == "" || l.Address == nil || l.Address.Street == "" || l.Address.City == "" || l.Address.PostCode == "":
		return fmt.Errorf("customer and address (street, city, post_code) are required")
	}
	if err := ident.ValidateMeLo(l.MeLo); err != nil {
		return fmt.Errorf("melo: %w", err)
	}
	for _, id := range []string{l.MSB, l.BaseMSB} {
		if err := ident.ValidateMPID(id); err != nil {
			return fmt.Errorf("msb: %w", err)
		}
	}
	return nil
}

// LoadProfile is the Standardlastprofil (SLP) of a gas MaLo whose forecast
// is based on profiles (Prognosegrundlage ZA6): AHB UTILMD Gas FV2610 (and
// FV2604) 44001/44002/44013/44014 SG8 SEQ+Z35 "Lastprofildaten" with SG10
// CCI+Z12 (Lastprofil) CAV and CCI+Z99/ZA0 (Klimazone /
// Temperaturmessstelle), and SEQ+Z01 SG9 QTY+31 (Veranschlagte Jahresmenge,
// "Muss [106] ∧ [513]") and QTY+Y02 (TUM Kundenwert, "Soll [47] ∧ [108] ∧
// [106] Muss [46] ∧ [106]"). In a 44001 the LF names the profile it expects
// (SEQ+Z35 with CCI+Z12 only, QTY+31/Y02 optional, all "Kann").
//
// The fields and their JSON names are those of malo.GasLoadProfile (the
// stored form): Code and Agency (CAV DE7111 an..3 / DE3055 293 BDEW list of
// the TUM profiles or 89 the NB's own; the code list itself, EDI@Energy
// "Codierung der Standardlastprofile nach Maßgaben der TU München", is not
// in the shared data: the code is taken as given), Method (CCI+Z12 DE7037:
// E01 synthetisch, default, or Z10 analytisch), AnnualKWh (QTY+31, integer
// [937]), CustomerValue (QTY+Y02, up to 4 decimals [907]: required by the NB
// with a BDEW profile, [46], else sent when given, "Soll [47] ∧ [108]"), and
// the NB's Klimazone / Temperaturmessstelle: ClimateKind (ZA0, default, or
// Z99), ClimateID, ClimateProvider (DE1131, needed with ClimateAgency 293,
// [58]) and ClimateAgency (89, default, or 293).
type LoadProfile malo.GasLoadProfile

// method, climateKind and climateAgency return the fields or their
// defaults.
func (p LoadProfile) method() string { return cmp.Or(p.Method, "E01") }

func (p LoadProfile) climateKind() string { return cmp.Or(p.ClimateKind, "ZA0") }

func (p LoadProfile) climateAgency() string { return cmp.Or(p.ClimateAgency, "89") }

// Validate reports the first field of p the AHB needs and p lacks or holds
// outside its code list; nb: the NB's full profile (44002/44013/44014:
// Jahresmenge, Klimazone, the TUM Kundenwert with a BDEW profile), else the
// LF's expectation in a 44001.
func (p LoadProfile) Validate(nb bool) error {
	switch {
	case p.Code == "" || len(p.Code) > 3:
		return fmt.Errorf("load_profile code %q: want 1..3 characters (CAV DE7111 an..3)", p.Code)
	case p.Agency != "89" && p.Agency != "293":
		return fmt.Errorf("load_profile agency %q: want 293 (BDEW) or 89 (NB)", p.Agency)
	case p.method() != "E01" && p.method() != "Z10":
		return fmt.Errorf("load_profile method %q: want E01 or Z10", p.Method)
	case p.AnnualKWh < 0:
		return fmt.Errorf("load_profile annual_kwh must be ≥ 0")
	}
	if p.CustomerValue != "" {
		if err := decimal(p.CustomerValue, 4); err != nil {
			return fmt.Errorf("load_profile customer_value: %w", err)
		}
	}
	if !nb {
		return nil
	}
	switch {
	case p.Agency == "293" && p.CustomerValue == "":
		return fmt.Errorf("load_profile customer_value (TUM Kundenwert) is required with a BDEW profile (AHB [46])")
	case p.climateKind() != "ZA0" && p.climateKind() != "Z99":
		return fmt.Errorf("load_profile climate_kind %q: want ZA0 or Z99", p.ClimateKind)
	case p.ClimateID == "":
		return fmt.Errorf("load_profile climate_id (Klimazone / Temperaturmessstelle) is required")
	case p.climateAgency() != "89" && p.climateAgency() != "293":
		return fmt.Errorf("load_profile climate_agency %q: want 89 or 293", p.ClimateAgency)
	case p.climateAgency() == "293" && p.ClimateProvider == "":
		return fmt.Errorf("load_profile climate_provider is required with climate_agency 293 (AHB [58])")
	}
	return nil
}

// decimal checks a non-negative decimal with at most n decimals (AHB [902]
// "≥ 0", [907] "max. 4 Nachkommastellen"; the decimal mark is ".").
func decimal(s string, n int) error {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(frac) > n {
		return fmt.Errorf("%q: want a number ≥ 0 with at most %d decimals", s, n)
	}
	return nil
}

// LocationFunc reads the gas LocationData of a malo.Record (the record's
// gas fields, which the deployment's master-data store holds); ok = false:
// none recorded.
type LocationFunc func(rec malo.Record) (LocationData, bool)

// FromMaLo adapts pkg/malo's master data to MasterDataSource. A malo.Record
// carries the grid operator and the supply periods, so it answers:
//
//   - Known: the tenant has a record of the MaLo (an invalid MaLo-ID is
//     unknown, not an error);
//   - InGrid / SuccessorNB: the record's grid operator is the tenant's own
//     MP-ID (or not set); otherwise that operator is the succeeding NB;
//   - Supplier (NB): the LF whose period covers the instant before the
//     requested date (the Gastag before it);
//   - FutureSupplier/FutureStart (NB): the first period of another LF that
//     starts after the requested date;
//   - Supplied (LF): the tenant's own period covers the instant before the
//     requested date;
//   - ConfirmedEnd: a period of the sender (NB) or of the tenant (LF) ends
//     exactly at the requested date (the end is already recorded);
//     ContractEnd: the end of the tenant's period covering the Gastag before
//     the requested date;
//   - AnnualConsumption from the record;
//   - BalanceGroup: the record's Bilanzkreis (malo.Gas, the LF's for its
//     44014 CCI+Z19);
//   - Location from loc (nil: none; pkg/malo's gas fields are read by the
//     deployment's LocationFunc), and from it Customer, CustomerFirst,
//     CustomerCompany and Address (the LF's view, 44017 NAD+Z09/NAD+DP).
//
// This is the one place where a malo.Record becomes MasterData (with loc
// for the gas network data). Facts the record does not hold
// (PendingRegistration, ContractBinding, NoticePeriod, EarliestEnd,
// Grundversorger, the LF's BillingMonths) stay false/zero: wrap the source
// to add them from other systems (for BillingMonths, a deployment may
// instead set WithDefaultBillingMonths).
func FromMaLo(r malo.Reader, loc LocationFunc) MasterDataSource {
	return MasterDataFunc(func(ctx context.Context, q Query) (MasterData, error) {
		// Supplied: the tenant's period covers the Gastag before the date.
		f, rec, err := utilmdkit.ReadMaLo(ctx, r, q, func(p malo.Period, at time.Time) bool { return p.Contains(at.Add(-time.Nanosecond)) })
		md := MasterData{MaLo: q.MaLo, Known: f.Known, InGrid: f.InGrid, SuccessorNB: f.SuccessorNB, Supplier: f.Supplier, Supplied: f.Supplied,
			ContractEnd: f.ContractEnd, ConfirmedEnd: f.ConfirmedEnd, AnnualConsumption: f.AnnualConsumption}
		if err != nil || rec == nil {
			return md, err
		}
		md.BalanceGroup = rec.BalanceGroup
		for _, p := range rec.Periods {
			if p.Supplier != q.Partner && p.Supplier != q.Own && p.From.After(f.At) && md.FutureSupplier == "" {
				md.FutureSupplier, md.FutureStart = p.Supplier, p.From
			}
		}
		if loc != nil {
			if l, ok := loc(*rec); ok {
				md.Location = &l
				// The LF's view of its contract (44017 NAD+Z09, NAD+DP): the
				// customer and address the record's location data hold.
				md.Customer, md.CustomerFirst, md.CustomerCompany, md.Address = l.Customer, l.CustomerFirst, l.CustomerCompany, l.Address
			}
		}
		return md, nil
	})
}
