// Package catalog holds the EDI@Energy domain data that pkg/edifact and its
// sub-packages look up: UNH S009 versions per message type and format
// version, Prüfidentifikator (PID) value lists, names, prefixes and scope,
// BGM document codes, CONTRL DE0085 codes per level, APERAK ERC codes and
// the DTM format codes of edifact.md §4 (with ParseDTM).
//
// Every table cites the section of shared/reference/edifact.md it restates
// and the primary source that section names. The package is pure data: it
// imports no EDIFACT parser (pkg/edifact imports catalog, not the other way
// round), holds no mutable exported state, and every function returns a copy
// or a value, so callers cannot change the tables.
//
// Message types are the upper-case UNH 0065 names ("UTILMD", "MSCONS", …).
// UTILMD is split into Strom and Gas since FV2310 (edifact.md §7.1); lookups
// that depend on it take a Sector.
package catalog

import (
	"slices"
	"strings"
)

// Sector is the energy sector (Sparte) of a message. It matters for UTILMD,
// which has separate MIGs for Strom (0057 "S…") and Gas (0057 "G…") since
// FV2310 (edifact.md §7.1, §7.2), and for the answer rules of CONTRL/APERAK.
type Sector uint8

const (
	// SectorUnspecified means the sector is not known or does not matter for
	// the lookup. Lookups that need a sector treat it as "either".
	SectorUnspecified Sector = iota
	// Strom is electricity.
	Strom
	// Gas is gas.
	Gas
)

// String returns "Strom", "Gas" or "" for SectorUnspecified.
func (s Sector) String() string {
	switch s {
	case Strom:
		return "Strom"
	case Gas:
		return "Gas"
	}
	return ""
}

// Message type names as they appear in UNH 0065 (edifact.md §7.2, §8).
const (
	UTILMD = "UTILMD"
	MSCONS = "MSCONS"
	APERAK = "APERAK"
	CONTRL = "CONTRL"
	IFTSTA = "IFTSTA"
	INSRPT = "INSRPT"
	INVOIC = "INVOIC"
	REMADV = "REMADV"
	COMDIS = "COMDIS"
	ORDERS = "ORDERS"
	ORDRSP = "ORDRSP"
	ORDCHG = "ORDCHG"
	QUOTES = "QUOTES"
	REQOTE = "REQOTE"
	PRICAT = "PRICAT"
	PARTIN = "PARTIN"
	UTILTS = "UTILTS"
)

// messageTypes lists every EDI@Energy message type of edifact.md §7.2 / §8.
var messageTypes = []string{
	UTILMD, MSCONS, APERAK, CONTRL, IFTSTA, INSRPT, INVOIC, REMADV, COMDIS,
	ORDERS, ORDRSP, ORDCHG, QUOTES, REQOTE, PRICAT, PARTIN, UTILTS,
}

// MessageTypes returns the EDI@Energy message types (edifact.md §7.2, §8), in
// the order of the §7.2 table. The slice is a fresh copy.
func MessageTypes() []string { return slices.Clone(messageTypes) }

// IsMessageType reports whether t is an EDI@Energy message type (exact,
// upper-case UNH 0065 spelling).
func IsMessageType(t string) bool { return slices.Contains(messageTypes, t) }

// SectorFromUTILMDVersion returns the sector of a UTILMD UNH 0057 value:
// "S…" is Strom and "G…" is Gas (edifact.md §7.1: FV2310 split UTILMD into
// Strom (S…) and Gas (G…)). Versions before the split (e.g. "5.2") give
// false. The comparison of the first letter is case-insensitive because the
// corpus contains "S1.2A" (edifact.md §7.2 footnote 1).
func SectorFromUTILMDVersion(v string) (Sector, bool) {
	if len(v) < 2 {
		return SectorUnspecified, false
	}
	switch strings.ToUpper(v[:1]) {
	case "S":
		return Strom, true
	case "G":
		return Gas, true
	}
	return SectorUnspecified, false
}
