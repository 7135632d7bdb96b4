package cond

import "strconv"

// RefKind says what a bracketed reference in an AHB expression names.
type RefKind uint8

// Reference kinds.
const (
	// RefCondition is a numbered condition "[n]" (requirement, hint, format
	// or repeatability condition, see Kind).
	RefCondition RefKind = iota + 1
	// RefPackage is a code package "[nP]" or "[nPa..b]".
	RefPackage
	// RefTime is a time condition ("Unterbedingung") "[UBn]".
	RefTime
)

// Many is the Max of a package cardinality written "n" (unbounded).
const Many = 0xFFFF

// Ref is one bracketed reference of an AHB expression.
type Ref struct {
	// Kind says whether N numbers a condition, a package or a UB condition.
	Kind RefKind
	// N is the number inside the brackets ("[480]" → 480, "[2P0..n]" → 2,
	// "[UB1]" → 1).
	N uint16
	// Min and Max are the cardinality of a package reference "[nPa..b]"
	// (Max = Many for "n"); both 0 for a package written without range and
	// for other kinds.
	Min, Max uint16
}

// String renders the reference as in the AHB: "[480]", "[2P0..n]", "[UB1]".
func (r Ref) String() string {
	n := strconv.Itoa(int(r.N))
	switch r.Kind {
	case RefPackage:
		if r.Min == 0 && r.Max == 0 {
			return "[" + n + "P]"
		}
		max := "n"
		if r.Max != Many {
			max = strconv.Itoa(int(r.Max))
		}
		return "[" + n + "P" + strconv.Itoa(int(r.Min)) + ".." + max + "]"
	case RefTime:
		return "[UB" + n + "]"
	}
	return "[" + n + "]"
}

// Kind classifies a condition by what it contributes to an AHB line.
type Kind uint8

// Condition kinds.
const (
	// KindUnknown: a number outside every range of the Allgemeine Festlegungen.
	KindUnknown Kind = iota
	// KindRequirement: a prerequisite ("Voraussetzung", [1]–[499]); decides
	// whether the status applies.
	KindRequirement
	// KindHint: informational ("Hinweis", [500]–[899]); never part of the
	// prerequisite (neutral in ∧ ∨ ⊻).
	KindHint
	// KindFormat: a format condition ([900]–[999]) on the data element
	// value; also the time conditions [UBn] (in UTILMD: the time of day a
	// date must carry).
	KindFormat
	// KindValue: a rule on the value of the line ("Es sind nur … erlaubt",
	// "Wert muss identisch mit … sein"): checked like a format condition,
	// neutral for the status. Only registered classifications yield it
	// (numbers in [1]–[499] default to KindRequirement).
	KindValue
	// KindRepeat: a repeatability condition ([2000]–[2499]): a cardinality
	// the validator checks; neutral for the status.
	KindRepeat
	// KindPackage: a code package reference [nPa..b]: a cardinality of the
	// codes of package n; neutral for the status.
	KindPackage
)

// String returns a short English name of the kind.
func (k Kind) String() string {
	switch k {
	case KindRequirement:
		return "requirement"
	case KindHint:
		return "hint"
	case KindFormat:
		return "format"
	case KindValue:
		return "value"
	case KindRepeat:
		return "repeat"
	case KindPackage:
		return "package"
	}
	return "unknown"
}

// KindOf classifies r by the number ranges of the EDI@Energy "Allgemeine
// Festlegungen" (chapter "Bedingungen", number circles: [1]–[499]
// Voraussetzungen, [500]–[899] Hinweise, [900]–[999] Formatbedingungen,
// [2000]–[2499] Wiederholbarkeiten; quoted in the _bedingungen.js headers of
// ../shared/ahb-data). TestHintTexts checks this classification against the
// condition texts of every message type.
func KindOf(r Ref) Kind {
	switch r.Kind {
	case RefPackage:
		return KindPackage
	case RefTime:
		return KindFormat
	case RefCondition:
		switch n := r.N; {
		case n >= 1 && n <= 499:
			return KindRequirement
		case n >= 500 && n <= 899:
			return KindHint
		case n >= 900 && n <= 999:
			return KindFormat
		case n >= 2000 && n <= 2499:
			return KindRepeat
		}
	}
	return KindUnknown
}
