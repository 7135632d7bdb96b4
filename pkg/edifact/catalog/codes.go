package catalog

import "slices"

// Code is a code value with its meaning.
type Code struct {
	Code string
	Text string
}

// bgmCodes restates edifact.md §6.4 "BGM 1001 codes" [B: Hochfrequenz/machine-readable_
// anwendungshandbuecher, FV2504 AHB CSVs]. BGM narrows the use case but does not identify a
// PID. MSCONS codes other than 7 have no meaning in the reference, so their Text is empty.
// Other message types have no list in the reference.
var bgmCodes = map[string][]Code{
	UTILMD: {
		{"E01", "Anmeldung"}, {"E02", "Abmeldung"}, {"E03", "Änderungsmeldung"}, {"E35", "Kündigung"},
		{"E44", "Informationsmeldung"}, {"Z88", "Anfrage Datenclearing"}, {"Z89", "Zuordnung zur Lokation"},
		{"Z90", "Beendigung der Zuordnung zur Lokation"}, {"Z05", "Clearingliste"},
		{"Z07", "(De-)Aktivierung MaBiS-ZP"}, {"Z14", "Stammdaten Markt-/Messlokation"},
		{"Z17", "Zuordnungsermächtigung"}, {"Z18", "Profildefinition"}, {"Z22", "Netzbetreiberwechsel"},
		{"Z26", "vorläufige Meldung Marktraumumstellung"}, {"Z37", "DZÜ-Liste"}, {"Z40", "Aufforderung"},
		{"Z71", "Zuordnung ZP NGZ→NZR"}, {"E06", "Bestandsliste"}, {"E40", "Bilanzkreiszuordnungsliste"},
	},
	MSCONS: {
		{"7", "Prozessdatenbericht (mit 1225 = 9 Original)"},
		{"Z06", ""}, {"Z15", ""}, {"Z16", ""}, {"Z20", ""}, {"Z21", ""}, {"Z23", ""}, {"Z24", ""},
		{"Z27", ""}, {"Z28", ""}, {"Z39", ""}, {"Z41", ""}, {"Z42", ""}, {"Z43", ""}, {"Z44", ""},
		{"Z45", ""}, {"Z46", ""}, {"Z48", ""}, {"Z50", ""}, {"Z69", ""}, {"Z83", ""}, {"Z85", ""},
		{"BK", ""}, {"270", ""},
	},
	APERAK: {
		{"312", "Anerkennungsmeldung"}, {"313", "Anwendungssystemfehlermeldung"},
	},
}

// APERAK document codes (BGM 1001, edifact.md §6.4, §11.1).
const (
	APERAKAcknowledgement = "312" // Anerkennungsmeldung
	APERAKError           = "313" // Anwendungssystemfehlermeldung
)

// BGMCodes returns a copy of the BGM 1001 codes edifact.md §6.4 lists for
// msgType (UTILMD, MSCONS, APERAK), or nil for types it does not cover.
func BGMCodes(msgType string) []Code { return slices.Clone(bgmCodes[msgType]) }

// BGMCode looks up one BGM 1001 code of msgType. The Text may be empty when
// the reference lists the code without a meaning (most MSCONS codes).
func BGMCode(msgType, code string) (Code, bool) {
	for _, c := range bgmCodes[msgType] {
		if c.Code == code {
			return c, true
		}
	}
	return Code{}, false
}

// Level is a CONTRL reporting level (edifact.md §10.2, §10.3).
type Level uint8

const (
	// LevelUCI: interchange (UCI).
	LevelUCI Level = iota + 1
	// LevelUCM: message (SG1 UCM).
	LevelUCM
	// LevelUCS: segment (SG2 UCS).
	LevelUCS
	// LevelUCD: data element (SG2 UCD).
	LevelUCD
)

// String returns "UCI", "UCM", "UCS", "UCD" or "".
func (l Level) String() string {
	switch l {
	case LevelUCI:
		return "UCI"
	case LevelUCM:
		return "UCM"
	case LevelUCS:
		return "UCS"
	case LevelUCD:
		return "UCD"
	}
	return ""
}

// CONTRL action codes (DE0083, edifact.md §10.2).
const (
	ContrlActionRejected     = "4" // Syntaxfehler, rejected
	ContrlActionAcknowledged = "7" // Empfangsbestätigung (Gas only)
)

// CONTRL syntax error codes (DE0085), named after edifact.md §1.2, §2, §3 and §10.3.
const (
	ContrlSyntaxNotSupported    = "2"  // syntax identifier/version/level not supported
	ContrlNotRecipient          = "7"  // recipient is not the actual recipient (S003 is not us)
	ContrlInvalidValue          = "12" // invalid value (includes a code outside the MIG list, e.g. an unknown PID)
	ContrlMissing               = "13" // missing (mandatory element or segment)
	ContrlNotSupportedPosition  = "15" // not supported at this position
	ContrlTooManyConstituents   = "16" // too many constituents (components, elements)
	ContrlDecimalNotation       = "19" // decimal notation differs from UNA
	ContrlInvalidServiceCharUNA = "20" // character not valid as service character (UNA)
	ContrlInvalidCharacter      = "21" // invalid character (e.g. outside ISO 8859-1)
	ContrlInvalidServiceChar    = "22" // invalid service character
	ContrlUnknownSender         = "23" // S002 sender unknown
	ContrlTestNotSupported      = "25" // test indicator not supported
	ContrlDuplicate             = "26" // duplicate interchange (DAR) or message reference
	ContrlReferenceMismatch     = "28" // references do not match (UNZ/UNB 0020, UNT/UNH 0062)
	ContrlCountMismatch         = "29" // control count wrong (UNZ 0036, UNT 0074)
	ContrlLowerLevelEmpty       = "32" // lower level empty (no message in the interchange)
	ContrlTooManySegmentReps    = "35" // too many segment repetitions
	ContrlTooManyGroupReps      = "36" // too many group repetitions
	ContrlWrongCharacterType    = "37" // wrong character type
	ContrlNoDigitBeforeDecimal  = "38" // no digit before the decimal mark
	ContrlTooLong               = "39" // element too long
	ContrlTooShort              = "40" // element too short
)

// contrlTexts restates the DE0085 texts of edifact.md §1.2, §2, §3 and §10.3 [B: MIG CONTRL
// 2.0b code lists and CONTRL AHB 1.0 data in sh-prog-edi/EdifactGenerator
// _engine/daten/uci-fehlercodes.js and contrl-ahb.js].
var contrlTexts = []Code{
	{"2", "syntax version/level not supported"},
	{"7", "recipient is not the actual recipient"},
	{"12", "invalid value"},
	{"13", "missing"},
	{"15", "not supported at this position"},
	{"16", "too many constituents"},
	{"19", "decimal notation differs from UNA"},
	{"20", "character not valid as service character"},
	{"21", "invalid character"},
	{"22", "invalid service character"},
	{"23", "unknown sender"},
	{"25", "test indicator not supported"},
	{"26", "duplicate"},
	{"28", "references do not match"},
	{"29", "control count wrong"},
	{"32", "lower level empty"},
	{"35", "too many segment repetitions"},
	{"36", "too many group repetitions"},
	{"37", "wrong character type"},
	{"38", "no digit before decimal mark"},
	{"39", "element too long"},
	{"40", "element too short"},
}

// contrlLevels restates edifact.md §10.3 "DE0085 codes allowed per level (CONTRL AHB 1.0)"
// [B: contrl-ahb.js, extracted from CONTRL AHB 1.0]. Note: §1.2 also names UCI 22 (invalid
// service character) for the syntax layer, but the §10.3 UCI list does not contain 22; this
// table follows §10.3, so UCI 22 is not allowed (report it at UCM/UCS/UCD instead).
var contrlLevels = map[Level][]string{
	LevelUCI: {"2", "7", "12", "13", "16", "20", "21", "23", "25", "26", "28", "29", "32"},
	LevelUCM: {"12", "13", "16", "21", "22", "26", "28", "29", "39"},
	LevelUCS: {"13", "15", "16", "22", "35", "36"},
	LevelUCD: {"12", "13", "16", "19", "21", "22", "37", "38", "39", "40"},
}

// ContrlCodes returns a copy of the DE0085 codes allowed at level, or nil
// for an invalid level (edifact.md §10.3).
func ContrlCodes(level Level) []string { return slices.Clone(contrlLevels[level]) }

// ContrlCodeAllowed reports whether code may be reported at level.
func ContrlCodeAllowed(level Level, code string) bool {
	return slices.Contains(contrlLevels[level], code)
}

// ContrlCodeText returns the meaning of a DE0085 code, or false if the
// reference does not list it.
func ContrlCodeText(code string) (string, bool) {
	for _, c := range contrlTexts {
		if c.Code == code {
			return c.Text, true
		}
	}
	return "", false
}

// AllContrlCodes returns every DE0085 code of the reference with its text,
// in numeric order.
func AllContrlCodes() []Code { return slices.Clone(contrlTexts) }

// ERCKind is the "Art" column of the ERC table (edifact.md §11.5).
type ERCKind string

// ERC kinds (edifact.md §11.5).
const (
	ERCZuordnungObjekt            ERCKind = "ZO Objekt"
	ERCZuordnungGeschaeftsvorfall ERCKind = "ZO Geschäftsvorfall"
	ERCObjekteigenschaft          ERCKind = "OE"
	ERCUebernahme                 ERCKind = "ÜN"
	ERCAHB                        ERCKind = "AHB"
)

// ERC is one APERAK error code (DE9321) with the properties edifact.md
// §11.4/§11.5 give.
type ERC struct {
	Code string
	Text string
	Kind ERCKind
	// Initial / Folge: the code applies in initial / follow-up processes
	// ("Prozess" column I / F).
	Initial, Folge bool
	// RequiresLocation: FTX+Z02 (location of the AHB error) is mandatory
	// (§11.4, APERAK AHB 1.1 §2.1.2.2).
	RequiresLocation bool
	// RequiresSuccessorNB: SG5 RFF+Z08 with the MP-ID of the succeeding NB
	// is required (Z16).
	RequiresSuccessorNB bool
	// AbnormalContent: FTX+ABO carries the deviating content (Z10: the
	// unknown ID). For other codes FTX+ABO is "Soll" if faulty content exists.
	AbnormalContent bool
}

// ercCodes restates edifact.md §11.5 [A: APERAK AHB 1.1 §4.3; the same 27 codes appear in AHB
// 1.0], with the FTX+Z02 rule of §11.4 [A: APERAK AHB 1.1 §2.1.2.2].
var ercCodes = []ERC{
	{Code: "Z10", Text: "ID unknown (ID given in FTX+ABO)", Kind: ERCZuordnungObjekt, Folge: true, AbnormalContent: true},
	{Code: "Z14", Text: "object not found in the IT system (not used for INVOIC)", Kind: ERCZuordnungObjekt, Initial: true},
	{Code: "Z15", Text: "object not unique in the IT system (not used for INVOIC)", Kind: ERCZuordnungObjekt, Initial: true},
	{Code: "Z16", Text: "object no longer in the grid area (+ SG5 RFF+Z08)", Kind: ERCZuordnungObjekt, Initial: true, Folge: true, RequiresSuccessorNB: true},
	{Code: "Z17", Text: "sender not assigned to the object at that time", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z18", Text: "recipient not assigned to the object at that time", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z19", Text: "device number not known at the object", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z20", Text: "OBIS code not known at the object", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z21", Text: "internal reference inside the transaction faulty (UTILMD only)", Kind: ERCAHB, Folge: true, RequiresLocation: true},
	{Code: "Z24", Text: "assignment tuple unknown", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z25", Text: "sender not assigned to the tuple's object", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z26", Text: "recipient not assigned to the tuple's object", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z27", Text: "too many digits before the decimal point in a meter value", Kind: ERCUebernahme, Folge: true},
	{Code: "Z29", Text: "data required for this use case missing", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z30", Text: "time series incomplete (specific MSCONS PIDs only)", Kind: ERCAHB, Folge: true},
	{Code: "Z31", Text: "transaction rejected by the recipient (role does not process this PID)", Kind: ERCAHB, Initial: true, Folge: true},
	{Code: "Z33", Text: "referenced transaction tuple does not exist", Kind: ERCZuordnungGeschaeftsvorfall, Folge: true},
	{Code: "Z34", Text: "time interval negative or zero", Kind: ERCAHB, Initial: true, Folge: true},
	{Code: "Z35", Text: "format not respected (format conditions [901]–[999])", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z37", Text: "sender may not send this transaction", Kind: ERCAHB, Initial: true, Folge: true},
	{Code: "Z38", Text: "number of codes exceeds the package definition", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z39", Text: "code not from the allowed value range", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z40", Text: "segment / group repetition exceeded", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z41", Text: "implausible time (e.g. a future document date)", Kind: ERCAHB, Initial: true, Folge: true, RequiresLocation: true},
	{Code: "Z42", Text: "configuration ID not known", Kind: ERCZuordnungObjekt, Folge: true},
	{Code: "Z43", Text: "transaction not allowed for an object with this property", Kind: ERCObjekteigenschaft, Folge: true},
	{Code: "Z44", Text: "object property differs from the one coded in the transaction", Kind: ERCObjekteigenschaft, Folge: true},
}

// ERCCodes returns a copy of all 27 APERAK error codes, in table order.
func ERCCodes() []ERC { return slices.Clone(ercCodes) }

// LookupERC returns the APERAK error code code, or false if DE9321 has no
// such value in edifact.md §11.5.
func LookupERC(code string) (ERC, bool) {
	for _, e := range ercCodes {
		if e.Code == code {
			return e, true
		}
	}
	return ERC{}, false
}

// ERCRequiresLocation reports whether an APERAK with this ERC code must
// carry FTX+Z02 naming the location of the AHB error (Z21, Z29, Z35, Z38,
// Z39, Z40, Z41; edifact.md §11.4). Unknown codes report false.
func ERCRequiresLocation(code string) bool {
	e, ok := LookupERC(code)
	return ok && e.RequiresLocation
}
