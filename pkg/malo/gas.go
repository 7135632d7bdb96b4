package malo

import (
	"fmt"
	"strings"
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
