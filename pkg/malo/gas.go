package malo

import (
	"fmt"
	"strings"
	"time"
)

// Gas is the gas master data of a MaLo (GeLi Gas): what the NB reports in
// its confirmation of an Anmeldung (UTILMD Gas FV2610 PID 44002, SG8
// SEQ+Z01 "Daten der Marktlokation" and SEQ+Z18 "Daten der Messlokation",
// SG10 CCI/CAV) and what the LF names in its requests (44001 CCI+Z19).
// The Netzbetreiber of the MaLo is Record.GridOperator (a DVGW code 98…
// or a GLN for a gas MaLo). Empty fields are unknown.
//
// Source of the segments and codes: AHB UTILMD Gas FV2610 (MIG G1.2), as
// extracted in ../shared/ahb-data/edifactgenerator-bca06f9/202610/
// Stammdaten/UTILMD/Gas/pruef-ids/_form-meta.js, PID 44002.
type Gas struct {
	// MarketArea is the Marktgebiet the MaLo belongs to, as its code
	// (44002 SG10 CCI+Z21, DE7037 an..17).
	MarketArea string `json:"market_area,omitempty"`
	// BalanceGroup is the Bilanzkreis the MaLo's gas is balanced in (44001/
	// 44002 SG10 CCI+Z19, DE7037 an..17).
	BalanceGroup string `json:"balance_group,omitempty"`
	// Quality is the Gasqualität: H-Gas or L-Gas (44002 SG10 CCI+Y02, CAV
	// Y04/Y05).
	Quality GasQuality `json:"gas_quality,omitempty"`
	// Pressure is the Druckebene der Marktlokation (44002 SG10 CCI+Y01,
	// CAV Y01/Y02/Y03).
	Pressure PressureLevel `json:"pressure_level,omitempty"`
}

// Empty reports whether no gas field is set (not IsZero: Record embeds Gas,
// and an IsZero would be promoted to Record).
func (g Gas) Empty() bool { return g == Gas{} }

// maxCode is the MIG length of DE7037 (CCI) in UTILMD Gas G1.2: an..17
// (../shared/ahb-data/edifactgenerator-bca06f9/_engine/daten/mig-formate.js).
const maxCode = 17

// Validate checks the codes: Marktgebiet and Bilanzkreis are 1–17
// characters of [0-9A-Za-z-] (DE7037 an..17, without EDIFACT service
// characters), the quality and the pressure level one of their values.
func (g Gas) Validate() error {
	for _, f := range []struct{ name, v string }{{"market area", g.MarketArea}, {"balance group", g.BalanceGroup}} {
		if f.v == "" {
			continue
		}
		if len(f.v) > maxCode || strings.IndexFunc(f.v, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-')
		}) >= 0 {
			return fmt.Errorf("%s %q: want 1–%d characters of 0-9, A-Z, a-z, -", f.name, f.v, maxCode)
		}
	}
	if g.Quality != "" {
		if _, ok := g.Quality.Code(); !ok {
			return fmt.Errorf("gas quality %q: want %s or %s", g.Quality, GasH, GasL)
		}
	}
	if g.Pressure != "" {
		if _, ok := g.Pressure.Code(); !ok {
			return fmt.Errorf("pressure level %q: want %s, %s or %s", g.Pressure, PressureHigh, PressureMedium, PressureLow)
		}
	}
	return nil
}

// merge returns g with the non-empty fields of o.
func (g Gas) merge(o Gas) Gas {
	if o.MarketArea != "" {
		g.MarketArea = o.MarketArea
	}
	if o.BalanceGroup != "" {
		g.BalanceGroup = o.BalanceGroup
	}
	if o.Quality != "" {
		g.Quality = o.Quality
	}
	if o.Pressure != "" {
		g.Pressure = o.Pressure
	}
	return g
}

// GasQuality is the Gasqualität of a MaLo.
type GasQuality string

// The gas qualities (AHB UTILMD Gas FV2610 44002 SG10 CAV "Gasqualität").
const (
	// GasH is H-Gas (high calorific value), code Y04.
	GasH GasQuality = "H-Gas"
	// GasL is L-Gas (low calorific value), code Y05.
	GasL GasQuality = "L-Gas"
)

// gasQualityCodes maps a quality to its CAV 7111 code (44002 SG10 CAV).
var gasQualityCodes = map[GasQuality]string{GasH: "Y04", GasL: "Y05"}

// Code returns the UTILMD Gas code of q (CAV 7111: Y04 H-Gas, Y05 L-Gas)
// and false for an unknown quality.
func (q GasQuality) Code() (string, bool) { c, ok := gasQualityCodes[q]; return c, ok }

// ParseGasQuality reads "H-Gas"/"L-Gas" (also "H", "L" and the codes Y04,
// Y05; case-insensitive).
func ParseGasQuality(s string) (GasQuality, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "H-GAS", "H", "Y04":
		return GasH, nil
	case "L-GAS", "L", "Y05":
		return GasL, nil
	}
	return "", fmt.Errorf("%w: gas quality %q: want H-Gas or L-Gas", ErrInvalid, s)
}

// PressureLevel is the Druckebene of a MaLo.
type PressureLevel string

// The pressure levels (AHB UTILMD Gas FV2610 44002 SG10 CAV "Druckebene der
// Marktlokation").
const (
	// PressureHigh is Hochdruck, code Y01.
	PressureHigh PressureLevel = "Hochdruck"
	// PressureMedium is Mitteldruck, code Y02.
	PressureMedium PressureLevel = "Mitteldruck"
	// PressureLow is Niederdruck, code Y03.
	PressureLow PressureLevel = "Niederdruck"
)

var pressureCodes = map[PressureLevel]string{PressureHigh: "Y01", PressureMedium: "Y02", PressureLow: "Y03"}

// Code returns the UTILMD Gas code of p (CAV 7111: Y01 Hochdruck, Y02
// Mitteldruck, Y03 Niederdruck) and false for an unknown level.
func (p PressureLevel) Code() (string, bool) { c, ok := pressureCodes[p]; return c, ok }

// ParsePressureLevel reads Hochdruck, Mitteldruck or Niederdruck (also the
// codes Y01–Y03; case-insensitive).
func ParsePressureLevel(s string) (PressureLevel, error) {
	v := strings.TrimSpace(s)
	for p, c := range pressureCodes {
		if strings.EqualFold(v, string(p)) || strings.EqualFold(v, c) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: pressure level %q: want Hochdruck, Mitteldruck or Niederdruck", ErrInvalid, s)
}

// SetGas sets the MaLo's gas master data; empty fields of g leave the
// stored ones as they are. The record's sector becomes Gas.
func SetGas(maloID string, g Gas) Change {
	return Change{Kind: KindGas, MaLo: maloID, Gas: &g}
}

// GasNetwork is the NB's network data of a gas MaLo beyond Gas: what its
// confirmation of an Anmeldung and its Anmeldung EoG carry (UTILMD Gas
// FV2610 44002/44013 SG6 DTM, SG8 SEQ+Z01/Z02/Z07/Z18/Z03/Z20 with their
// SG10 CCI/CAV, SG12 NAD). Field names and codes are those of the AHB; the
// JSON names are those of geligas.LocationData, which the geligas family
// builds from a Record (with Gas, MeLos, MSB and BaseMSB) and checks
// against the AHB code lists when it sends — this package stores the
// values as given and checks only that an address is complete.
type GasNetwork struct {
	// CaseGroup is the Fallgruppe nach GABi Gas (CCI+Z17), e.g. GABi-RLMmT.
	CaseGroup string `json:"case_group,omitempty"`
	// Household: Haushaltskunde gem. EnWG (CCI+Z15, else Z18).
	Household bool `json:"household"`
	// NetContract (CAV+Z74: Z08 customer–NB, Z09 LF–NB), NetPayer (CAV+Z73:
	// Z10 customer, Z11 LF) and BillingVariant (CAV+ZB1: Z14, Z15).
	NetContract    string `json:"net_contract,omitempty"`
	NetPayer       string `json:"net_payer,omitempty"`
	BillingVariant string `json:"billing_variant,omitempty"`
	// BillingDay (DTM+Z21, MMDD), NextBillingYear (DTM+Z09, CCYY) and
	// BillingMonths (DTM+Z22) of the network-usage billing.
	BillingDay      string `json:"billing_day,omitempty"`
	NextBillingYear string `json:"next_billing_year,omitempty"`
	BillingMonths   int    `json:"billing_months,omitempty"`
	// BillingYearStart is the Start des Abrechnungsjahrs (DTM+155, a
	// Gastag boundary), needed only in FV2604 messages (AHB FV2604
	// 44002/44013/44014 SG6 DTM+155 for an RLM MaLo).
	BillingYearStart time.Time `json:"billing_year_start,omitzero"`
	// OBIS is the MaLo's OBIS code (SEQ+Z02 PIA+5), Granularity its
	// Wertegranularität (CCI+ZE4: ZD9, ZE8, ZE9, ZB7).
	OBIS        string `json:"obis,omitempty"`
	Granularity string `json:"granularity,omitempty"`
	// Concession is the Konzessionsabgabe (SEQ+Z07 CAV: KAS, SA, SAS, TA,
	// TAS, TK, TKS).
	Concession string `json:"concession,omitempty"`
	// MunicipalDiscount is the Gemeinderabatt in percent (SEQ+Z12 QTY+Z16;
	// the AHB allows 0..10, [938]).
	MunicipalDiscount float64 `json:"municipal_discount,omitempty"`
	// The meter (SEQ+Z03, SEQ+Z20): type (CAV NMG, DKZ, BGZ …), size (G4 …
	// G16000), number, reading (AMR, MMR), the register's OBIS code and its
	// digits ("8,2").
	MeterType      string `json:"meter_type,omitempty"`
	MeterSize      string `json:"meter_size,omitempty"`
	MeterNumber    string `json:"meter_number,omitempty"`
	MeterReading   string `json:"meter_reading,omitempty"`
	RegisterOBIS   string `json:"register_obis,omitempty"`
	RegisterDigits string `json:"register_digits,omitempty"`
	// The customer (Anschlussnutzer; NAD+Z09) and the MaLo's address
	// (NAD+DP, also used for NAD+Z04/Z05).
	Customer        string   `json:"customer,omitempty"`
	CustomerFirst   string   `json:"customer_first_name,omitempty"`
	CustomerCompany bool     `json:"customer_company,omitempty"`
	Address         *Address `json:"address,omitempty"`
}

// Address is a postal address.
type Address struct {
	Street   string `json:"street"`
	HouseNo  string `json:"house_no,omitempty"`
	City     string `json:"city"`
	PostCode string `json:"post_code"`
	// Country is the ISO 3166 code ("" = DE).
	Country string `json:"country,omitempty"`
}

// Validate checks that an address, when given, names street, city and
// post code, and that the Gemeinderabatt is not negative.
func (n GasNetwork) Validate() error {
	if n.MunicipalDiscount < 0 {
		return fmt.Errorf("gas network: negative municipal discount")
	}
	if a := n.Address; a != nil && (a.Street == "" || a.City == "" || a.PostCode == "") {
		return fmt.Errorf("gas network: address needs street, city and post_code")
	}
	return nil
}

// clone returns a deep copy of n.
func (n *GasNetwork) clone() *GasNetwork {
	if n == nil {
		return nil
	}
	c := *n
	if n.Address != nil {
		a := *n.Address
		c.Address = &a
	}
	return &c
}
