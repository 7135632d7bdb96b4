package catalog

import (
	"github.com/mako-engine/mako/pkg/fv"
)

// unhFVs are the columns of the edifact.md §7.2 table, oldest first.
var unhFVs = []string{"FV2404", "FV2410", "FV2504", "FV2510", "FV2604", "FV2610"}

// unhRow is one row of the edifact.md §7.2 table: the fixed S009 parts of a
// message type and its 0057 (association assigned code) per format version,
// in the order of unhFVs.
type unhRow struct {
	typ      string
	sector   Sector // only for UTILMD
	version  string // S009 0052
	release  string // S009 0054
	assoc    [6]string
	inferred [6]bool // footnote ²: "Inferred, not observed"
}

// unhTable restates edifact.md §7.2 "UNH S009 per message type and FV".
//
// Sources named there: FV2404–FV2504 Hochfrequenz/machine-readable_anwendungshandbuecher
// AHB data [B] (snapshot 2025-03-03, FV2504 may predate corrections); FV2510 the
// conuti-gmbh/maco-edi-testfiles v202510 corpus [B]; FV2604/FV2610 sh-prog-edi/EdifactGenerator
// docs/QUELLEN_MANIFEST.json [B/C], cross-checked with conuti v202604. Footnote ² marks
// REMADV 2.9d, COMDIS 1.0f and UTILMD G1.0a in FV2510 as inferred, not observed (edifact.md
// §19 lists them as open points); the synthetic FV2510 fixtures in shared/testdata carry
// exactly these values. CONTRL uses the layout CONTRL:D:3:UN:2.0b (§10.2).
var unhTable = []unhRow{
	{typ: UTILMD, sector: Strom, version: "D", release: "11A", assoc: [6]string{"S1.1a", "S1.1a", "S2.1", "S2.1", "S2.1", "S2.2"}},
	{typ: UTILMD, sector: Gas, version: "D", release: "11A", assoc: [6]string{"G1.0a", "G1.0a", "G1.0a", "G1.0a", "G1.1", "G1.2"}, inferred: [6]bool{3: true}},
	{typ: MSCONS, version: "D", release: "04B", assoc: [6]string{"2.4c", "2.4c", "2.4c", "2.4c", "2.4c", "2.5"}},
	{typ: APERAK, version: "D", release: "07B", assoc: [6]string{"2.1h", "2.1h", "2.1i", "2.1i", "2.1i", "2.2"}},
	{typ: CONTRL, version: "D", release: "3", assoc: [6]string{"2.0b", "2.0b", "2.0b", "2.0b", "2.0b", "2.0b"}},
	{typ: IFTSTA, version: "D", release: "18A", assoc: [6]string{"2.0e", "2.0e", "2.0f", "2.0g", "2.0g", "2.1"}},
	{typ: INSRPT, version: "D", release: "10A", assoc: [6]string{"1.1a", "1.1a", "1.1a", "1.1a", "1.1a", "1.1a"}},
	{typ: INVOIC, version: "D", release: "06A", assoc: [6]string{"2.8c", "2.8c", "2.8d", "2.8e", "2.8e", "2.8e"}},
	{typ: REMADV, version: "D", release: "05A", assoc: [6]string{"2.9c", "2.9c", "2.9c", "2.9d", "2.9e", "2.9e"}, inferred: [6]bool{3: true}},
	{typ: COMDIS, version: "D", release: "17A", assoc: [6]string{"1.0d", "1.0d", "1.0e", "1.0f", "1.0g", "1.0g"}, inferred: [6]bool{3: true}},
	{typ: ORDERS, version: "D", release: "09B", assoc: [6]string{"1.3", "1.3", "1.4a", "1.4b", "1.4b", "1.4c"}},
	{typ: ORDRSP, version: "D", release: "10A", assoc: [6]string{"1.3", "1.3", "1.4", "1.4a", "1.4b", "1.4c"}},
	{typ: ORDCHG, version: "D", release: "20B", assoc: [6]string{"1.1", "1.1", "1.1", "1.1", "1.1", "1.2"}},
	{typ: QUOTES, version: "D", release: "10A", assoc: [6]string{"1.3", "1.3", "1.3a", "1.3b", "1.3b", "1.3c"}},
	{typ: REQOTE, version: "D", release: "10A", assoc: [6]string{"1.3", "1.3", "1.3b", "1.3c", "1.3c", "1.3c"}},
	{typ: PRICAT, version: "D", release: "20B", assoc: [6]string{"2.0c", "2.0c", "2.0d", "2.0e", "2.0e", "2.1"}},
	{typ: PARTIN, version: "D", release: "20B", assoc: [6]string{"1.0d", "1.0d", "1.0e", "1.0e", "1.0f", "1.1"}},
	{typ: UTILTS, version: "D", release: "18A", assoc: [6]string{"1.1c", "1.1c", "1.1e", "1.1e", "1.1e", "1.1e"}},
}

// S009 is the message identifier composite of UNH (edifact.md §3, §7.2):
// Type:Version:Release:Agency:Association, e.g. UTILMD:D:11A:UN:S2.2.
type S009 struct {
	Type        string // 0065
	Version     string // 0052, "D"
	Release     string // 0054, e.g. "11A"; "3" for CONTRL
	Agency      string // 0051, "UN"
	Association string // 0057, the BDEW MIG version/release, e.g. "S2.2"
	// Inferred is true when edifact.md §7.2 marks the value "inferred, not
	// observed" (footnote ²). Treat such a value as unverified.
	Inferred bool
}

// String renders the composite with ':' separators, e.g.
// "UTILMD:D:11A:UN:S2.2". None of the parts needs escaping.
func (s S009) String() string {
	return s.Type + ":" + s.Version + ":" + s.Release + ":" + s.Agency + ":" + s.Association
}

// UNHFormatVersions returns the format versions the §7.2 table covers,
// oldest first (FV2404 … FV2610). Lookups for other versions report false.
func UNHFormatVersions() []fv.Version {
	out := make([]fv.Version, len(unhFVs))
	for i, s := range unhFVs {
		out[i] = fv.MustParse(s)
	}
	return out
}

func unhColumn(v fv.Version) int {
	s := v.String()
	for i, c := range unhFVs {
		if c == s {
			return i
		}
	}
	return -1
}

func unhRowFor(msgType string, sector Sector) (unhRow, bool) {
	for _, r := range unhTable {
		if r.typ != msgType {
			continue
		}
		if r.typ == UTILMD && r.sector != sector {
			continue
		}
		return r, true
	}
	return unhRow{}, false
}

// UNHS009 returns the full S009 for a message type in format version v.
// For UTILMD the sector must be Strom or Gas; for every other type the
// sector is ignored. It reports false for unknown types and for format
// versions outside the §7.2 table (before FV2404; no source dates one after
// FV2610).
func UNHS009(msgType string, sector Sector, v fv.Version) (S009, bool) {
	r, ok := unhRowFor(msgType, sector)
	col := unhColumn(v)
	if !ok || col < 0 {
		return S009{}, false
	}
	return S009{
		Type: r.typ, Version: r.version, Release: r.release, Agency: "UN",
		Association: r.assoc[col], Inferred: r.inferred[col],
	}, true
}

// UNHVersion returns the UNH 0057 value (BDEW MIG version/release, e.g.
// "S2.2") valid for msgType in format version v (edifact.md §7.2). Sector
// rules as for UNHS009.
func UNHVersion(msgType string, sector Sector, v fv.Version) (string, bool) {
	s, ok := UNHS009(msgType, sector, v)
	return s.Association, ok
}

// UNHRelease returns the fixed S009 0052/0054 parts of a message type, e.g.
// ("D", "11A") for UTILMD and ("D", "3") for CONTRL (edifact.md §7.2, §10.2).
func UNHRelease(msgType string) (version, release string, ok bool) {
	for _, r := range unhTable {
		if r.typ == msgType {
			return r.version, r.release, true
		}
	}
	return "", "", false
}

// UNHVersionFVs returns the format versions of the §7.2 table in which
// association (UNH 0057) is the valid version of msgType, oldest first. One
// 0057 spans several FVs (UTILMD S2.1: FV2504, FV2510, FV2604), so UNH alone
// does not identify the FV (edifact.md §7.3). For UTILMD with
// SectorUnspecified the sector is taken from the version's first letter.
// The comparison is exact: "S1.2A" matches nothing. It returns nil when the
// version is valid in no covered FV.
func UNHVersionFVs(msgType string, sector Sector, association string) []fv.Version {
	if msgType == UTILMD && sector == SectorUnspecified {
		sector, _ = SectorFromUTILMDVersion(association)
	}
	r, ok := unhRowFor(msgType, sector)
	if !ok {
		return nil
	}
	var out []fv.Version
	for i, a := range r.assoc {
		if a == association {
			out = append(out, fv.MustParse(unhFVs[i]))
		}
	}
	return out
}

// UNHVersionValid reports whether association is the 0057 of msgType in
// format version v. This is the check of edifact.md §7.3 step (2); a
// mismatch is a syntax error (CONTRL; UCM 12 is [guidance], §3 footnote ²).
// For UTILMD with SectorUnspecified the sector is taken from association.
func UNHVersionValid(msgType string, sector Sector, v fv.Version, association string) bool {
	if msgType == UTILMD && sector == SectorUnspecified {
		sector, _ = SectorFromUTILMDVersion(association)
	}
	want, ok := UNHVersion(msgType, sector, v)
	return ok && want == association
}
