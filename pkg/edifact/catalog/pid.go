package catalog

import (
	"slices"

	"github.com/mako-engine/mako/pkg/fv"
)

// ValidPIDFormat reports whether s has the shape of a Prüfidentifikator:
// five digits, the first not 0 (regex ^[1-9]\d{4}$, edifact.md §6.2 after
// Hochfrequenz/efoli src/efoli/edifact_format.py [B]).
func ValidPIDFormat(s string) bool {
	if len(s) != 5 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := 1; i < 5; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// prefixRow is one cell of the edifact.md §6.2 table.
type prefixRow struct {
	prefix string
	typ    string
	sector Sector
	// since/until bound the validity by format version ("" = open). The
	// table says 11 = UTILMD before FV2310, 44/55 = UTILMD Gas/Strom since.
	since, until string
}

// pidPrefixes restates edifact.md §6.2 "PID prefix → message type" [B: Hochfrequenz/efoli
// src/efoli/edifact_format.py]. The prefixes 91/92/99 (CONTRL/APERAK) are a tooling
// convention only — CONTRL and APERAK carry no PID (§6.1) — and are deliberately absent.
var pidPrefixes = []prefixRow{
	{prefix: "11", typ: UTILMD, until: "FV2310"},
	{prefix: "13", typ: MSCONS},
	{prefix: "15", typ: QUOTES},
	{prefix: "17", typ: ORDERS},
	{prefix: "19", typ: ORDRSP},
	{prefix: "21", typ: IFTSTA},
	{prefix: "23", typ: INSRPT},
	{prefix: "25", typ: UTILTS},
	{prefix: "27", typ: PRICAT},
	{prefix: "29", typ: COMDIS},
	{prefix: "31", typ: INVOIC},
	{prefix: "33", typ: REMADV},
	{prefix: "35", typ: REQOTE},
	{prefix: "37", typ: PARTIN},
	{prefix: "39", typ: ORDCHG},
	{prefix: "44", typ: UTILMD, sector: Gas, since: "FV2310"},
	{prefix: "55", typ: UTILMD, sector: Strom, since: "FV2310"},
}

func (r prefixRow) validIn(v fv.Version) bool {
	if v.IsZero() {
		return true
	}
	if r.since != "" && v.Before(fv.MustParse(r.since)) {
		return false
	}
	if r.until != "" && !v.Before(fv.MustParse(r.until)) {
		return false
	}
	return true
}

// PIDMessageType returns the message type (and for UTILMD since FV2310 the
// sector) that a PID's two-digit prefix belongs to, per edifact.md §6.2. The
// prefix 11 maps to UTILMD only before FV2310, 44/55 only since; pass the
// zero fv.Version to ignore the era. It reports false for malformed PIDs and
// unassigned prefixes.
func PIDMessageType(pid string, v fv.Version) (msgType string, sector Sector, ok bool) {
	if !ValidPIDFormat(pid) {
		return "", SectorUnspecified, false
	}
	for _, r := range pidPrefixes {
		if r.prefix == pid[:2] && r.validIn(v) {
			return r.typ, r.sector, true
		}
	}
	return "", SectorUnspecified, false
}

// Scope says where a message type carries its PID (edifact.md §6.1).
type Scope uint8

const (
	// ScopeNone: the type carries no PID (APERAK, CONTRL).
	ScopeNone Scope = iota
	// ScopeMessage: one RFF+Z13 per message.
	ScopeMessage
	// ScopeTransaction: one RFF+Z13 per transaction (Geschäftsvorfall);
	// a message may hold many transactions.
	ScopeTransaction
)

// String returns "none", "message" or "transaction".
func (s Scope) String() string {
	switch s {
	case ScopeMessage:
		return "message"
	case ScopeTransaction:
		return "transaction"
	}
	return "none"
}

// PIDPlacement describes where RFF+Z13 sits in a message type (edifact.md
// §6.1 table).
type PIDPlacement struct {
	Type  string
	Scope Scope
	// TransactionTag is the segment tag that opens a transaction group for
	// ScopeTransaction types ("IDE", "CNI", "DOC"); empty otherwise.
	TransactionTag string
	// TransactionGroup / PIDGroup name the MIG groups (e.g. "SG4" / "SG6").
	// PIDGroup is "" for a top-level RFF (COMDIS, REMADV).
	TransactionGroup string
	PIDGroup         string
	// Note records exceptions stated in §6.1.
	Note string
}

// pidPlacements restates edifact.md §6.1 [A: UTILMD MIG S2.1 structure; MSCONS AHB 3.1f;
// B: Hochfrequenz/machine-readable_anwendungshandbuecher @f3e2388, FV2504/<TYPE>/csv].
var pidPlacements = []PIDPlacement{
	{Type: UTILMD, Scope: ScopeTransaction, TransactionTag: "IDE", TransactionGroup: "SG4", PIDGroup: "SG6",
		Note: "IDE+24 Vorgang and the list form IDE+Z01 (e.g. 55065) both carry RFF+Z13 in SG6; up to 99,999 SG4 per message"},
	{Type: UTILTS, Scope: ScopeTransaction, TransactionTag: "IDE", TransactionGroup: "SG5", PIDGroup: "SG6"},
	{Type: IFTSTA, Scope: ScopeTransaction, TransactionTag: "CNI", TransactionGroup: "SG14", PIDGroup: "SG15",
		Note: "SG14 CNI -> SG15 for 21007-21047; the MaBiS PIDs 21000-21005 carry RFF+Z13 in SG4"},
	{Type: INSRPT, Scope: ScopeTransaction, TransactionTag: "DOC", TransactionGroup: "SG3", PIDGroup: "SG4"},
	{Type: MSCONS, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: INVOIC, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: ORDERS, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: ORDRSP, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: ORDCHG, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: PARTIN, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: PRICAT, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: QUOTES, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: REQOTE, Scope: ScopeMessage, PIDGroup: "SG1"},
	{Type: COMDIS, Scope: ScopeMessage, Note: "top-level RFF, no group"},
	{Type: REMADV, Scope: ScopeMessage, Note: "top-level RFF, no group"},
	{Type: APERAK, Scope: ScopeNone},
	{Type: CONTRL, Scope: ScopeNone},
}

// PlacementOf returns where msgType carries its PID (edifact.md §6.1).
func PlacementOf(msgType string) (PIDPlacement, bool) {
	for _, p := range pidPlacements {
		if p.Type == msgType {
			return p, true
		}
	}
	return PIDPlacement{}, false
}

// PIDScope returns the PID scope of msgType: ScopeTransaction for UTILMD,
// UTILTS, IFTSTA and INSRPT, ScopeMessage for the other PID-bearing types,
// ScopeNone for APERAK, CONTRL and unknown types (edifact.md §6.1).
func PIDScope(msgType string) Scope {
	p, _ := PlacementOf(msgType)
	return p.Scope
}

// Coverage says how complete the catalog's PID value list is for one
// (message type, format version).
type Coverage uint8

const (
	// CoverageNone: no value list for this FV; only format and prefix can be
	// checked.
	CoverageNone Coverage = iota
	// CoverageComplete: no valid PID of this type and FV is known to be
	// missing, so a PID outside the list is unknown (a CONTRL syntax error
	// per edifact.md §6.3). The list may still contain PIDs that were
	// withdrawn (see the source notes).
	CoverageComplete
)

// String returns "none" or "complete".
func (c Coverage) String() string {
	if c == CoverageComplete {
		return "complete"
	}
	return "none"
}

// pidListSource documents each value list; see PIDListSource.
var pidListSource = map[string]string{
	"FV2510": "edifact_mapper fixtures/generated/fv2510 (shared/testdata/edifact-synthetic), edifact.md §16 [B]",
	"FV2604": "edifact_mapper fixtures/generated/fv2604 (shared/testdata/edifact-synthetic), edifact.md §16 [B]; " +
		"counts cross-checked with edifact.md §8",
	"FV2610": "derived: the FV2604 list with the changes edifact.md §8 names (UTILMD +55693/55694/44183, " +
		"ORDERS -17003/17011); ORDRSP 40->39 and IFTSTA 35->32 drop PIDs §8 does not name, so those lists " +
		"keep the FV2604 PIDs (a superset)",
}

// fv2610Changes restates the FV2604 -> FV2610 column of edifact.md §8 where it names PIDs.
var fv2610Changes = struct{ add, drop map[string][]string }{
	add:  map[string][]string{UTILMD: {"55693", "55694", "44183"}},
	drop: map[string][]string{ORDERS: {"17003", "17011"}},
}

// pidList returns the value list of msgType in v (sorted, shared; callers
// must not modify it) or nil.
func pidList(msgType string, v fv.Version) []string {
	switch v.String() {
	case "FV2510", "FV2604":
		return fixturePIDs[v.String()][msgType]
	case "FV2610":
		return fv2610List(msgType)
	}
	return nil
}

func fv2610List(msgType string) []string {
	base := fixturePIDs["FV2604"][msgType]
	if base == nil {
		return nil
	}
	out := slices.Clone(base)
	out = append(out, fv2610Changes.add[msgType]...)
	out = slices.DeleteFunc(out, func(p string) bool { return slices.Contains(fv2610Changes.drop[msgType], p) })
	slices.Sort(out)
	return out
}

// PIDListSource names the source of the value lists for format version v,
// or "" when the catalog has none. edifact.md itself enumerates PIDs only in
// §9 (mostly FV2604 names); the complete lists for FV2510 and FV2604 come
// from the per-PID fixture corpus it describes in §16, and FV2610 is derived
// from FV2604 and the changes of §8. FV2404, FV2410 and FV2504 have no list.
// To add a format version, add its list to pids_fixture.go (or a derivation
// like fv2610List) and a source line here.
func PIDListSource(v fv.Version) string { return pidListSource[v.String()] }

// PIDCoverage reports whether the catalog has a complete value list for
// msgType in v. Types without a PID (APERAK, CONTRL) report CoverageNone.
func PIDCoverage(msgType string, v fv.Version) Coverage {
	if pidList(msgType, v) != nil {
		return CoverageComplete
	}
	return CoverageNone
}

// PIDs returns a copy of the value list of msgType in format version v,
// sorted, or nil when the catalog has none (see PIDCoverage). For UTILMD
// the list holds Strom and Gas PIDs; use PIDsForSector to split it.
func PIDs(msgType string, v fv.Version) []string { return slices.Clone(pidList(msgType, v)) }

// PIDsForSector is PIDs restricted to one UTILMD sector (prefix 55 Strom, 44
// Gas, edifact.md §6.2). For other types or SectorUnspecified it equals PIDs.
func PIDsForSector(msgType string, sector Sector, v fv.Version) []string {
	out := PIDs(msgType, v)
	if msgType != UTILMD || sector == SectorUnspecified {
		return out
	}
	return slices.DeleteFunc(out, func(p string) bool {
		_, s, _ := PIDMessageType(p, v)
		return s != sector
	})
}

// KnownPID reports whether pid is in the catalog's value list of msgType in
// format version v. It is false when the catalog has no list for v; use
// CheckPID to tell "unknown" from "cannot decide".
func KnownPID(msgType string, v fv.Version, pid string) bool {
	_, found := slices.BinarySearch(pidList(msgType, v), pid)
	return found
}

// PIDStatus is the verdict of CheckPID.
type PIDStatus uint8

const (
	// PIDUndetermined: the PID is well-formed and its prefix fits the type,
	// but the catalog has no value list for this FV, so it cannot decide.
	// Do not reject on this verdict.
	PIDUndetermined PIDStatus = iota
	// PIDKnown: the PID is in the value list.
	PIDKnown
	// PIDUnknown: the PID is malformed, its prefix belongs to another type
	// or sector (edifact.md §6.2), or it is absent from a complete value
	// list. Per edifact.md §6.3 this is a syntax error (CONTRL, UCD 12).
	PIDUnknown
)

// String returns "undetermined", "known" or "unknown".
func (s PIDStatus) String() string {
	switch s {
	case PIDKnown:
		return "known"
	case PIDUnknown:
		return "unknown"
	}
	return "undetermined"
}

// CheckPID classifies pid for a message of msgType in format version v. For
// UTILMD pass the sector from the UNH version (SectorFromUTILMDVersion);
// with SectorUnspecified both UTILMD sectors are accepted. A type that
// carries no PID (APERAK, CONTRL) yields PIDUnknown for any value.
func CheckPID(msgType string, sector Sector, v fv.Version, pid string) PIDStatus {
	t, s, ok := PIDMessageType(pid, v)
	if !ok || t != msgType || PIDScope(msgType) == ScopeNone {
		return PIDUnknown
	}
	if msgType == UTILMD && sector != SectorUnspecified && s != SectorUnspecified && s != sector {
		return PIDUnknown
	}
	list := pidList(msgType, v)
	if list == nil {
		return PIDUndetermined
	}
	if _, found := slices.BinarySearch(list, pid); found {
		return PIDKnown
	}
	return PIDUnknown
}
