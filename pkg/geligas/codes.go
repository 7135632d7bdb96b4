package geligas

import (
	"fmt"
	"sort"
)

// Outcome keys of the answer-code table: one per EBD outcome the workflows
// decide (docs/geligas.md "Answer codes").
const (
	CodeAnmeldungConfirm      = "anmeldung.confirm"       // E_3007 → 44002 (G_0012)
	CodeAnmeldungNotFound     = "anmeldung.not_found"     // E_3005 → 44003: MaLo not identified (no LOC, [362])
	CodeAnmeldungOtherNB      = "anmeldung.other_nb"      // E_3005 → 44003: MaLo in the grid of another NB (NAD+VY, [367]/[643])
	CodeAnmeldungLeadTime     = "anmeldung.lead_time"     // E_3005 → 44003: Lieferbeginn before the lead time
	CodeAnmeldungPending      = "anmeldung.pending"       // E_3005 → 44003: another Anmeldung in process (DTM+Z07/Z08, [36])
	CodeAnmeldungLFARejected  = "anmeldung.lfa_rejected"  // E_3007 → 44003: the LFA rejected the 44010 (STS+Z35, NAD+VY, [84])
	CodeAbmeldungConfirm      = "abmeldung.confirm"       // E_3019 → 44005 (G_0008)
	CodeAbmeldungNotSupplier  = "abmeldung.not_supplier"  // E_3019 → 44006: the sender is not the LF of the MaLo at the date
	CodeAbmeldungAlready      = "abmeldung.already"       // E_3019 → 44006: the end is already recorded
	CodeAbmeldeanfrageConfirm = "abmeldeanfrage.confirm"  // E_3020 → 44011 (G_0010)
	CodeAbmeldeanfrageObject  = "abmeldeanfrage.object"   // E_3020 → 44012 (G_0009): the contract binds
	CodeAbmeldungNBConfirm    = "abmeldung_nb.confirm"    // E_3002 → 44008 (G_0067)
	CodeAbmeldungNBObject     = "abmeldung_nb.object"     // E_3002 → 44009 (G_0068)
	CodeEoGConfirm            = "eog.confirm"             // E_3008 → 44014 (G_0013)
	CodeEoGObject             = "eog.object"              // E_3008 → 44015 (G_0014)
	CodeKuendigungConfirm     = "kuendigung.confirm"      // E_3001 → 44017 (G_0006)
	CodeKuendigungNewDate     = "kuendigung.confirm_date" // E_3001 → 44017: Zustimmung mit Terminänderung ([13])
	CodeKuendigungNoContract  = "kuendigung.no_contract"  // E_3001 → 44018: no contract for the object (no LOC, [361])
	CodeKuendigungBinding     = "kuendigung.binding"      // E_3001 → 44018: Vertragsbindung (DTM+157, DTM+Z01, [16])
	CodeKuendigungMultiple    = "kuendigung.multiple"     // E_3001 → 44018: Mehrfachkündigung (DTM+Z05, [15])
	CodeStornoConfirm         = "storno.confirm"          // 44023 (G_0004)
	CodeStornoReject          = "storno.reject"           // 44024 (G_0003)
	CodeStornoLate            = "storno.late"             // 44024: the cancelled request is already answered
)

// CodeRule is one row of the answer-code table: the STS+E01 code a
// workflow sends for an EBD outcome, the code list (DE1131) it belongs to,
// where it comes from and whether that source verifies it.
type CodeRule struct {
	// Key is the EBD outcome (Code* constants), EBD the decision tree that
	// reaches it ("" for a Stornierung), List the code list (DE1131) and
	// Code the answer code (STS+E01 DE9013) sent.
	Key  string
	EBD  string
	List string
	Code string
	// Remark: the answer carries FTX+ACB with this text (AHB [48]: E14
	// "Ablehnung Sonstiges" needs it).
	Remark string
	// Source cites where the code comes from; Verified is true only when
	// an AHB condition names the code with this meaning.
	Verified bool
	Source   string
}

// Answer codes (STS+E01 DE9013) whose use an AHB condition of UTILMD Gas
// FV2610 (G1.2) ties to message content: the workflows add or drop
// segments by these codes, whatever key chose them.
const (
	answerConfirm     = "E15" // Zustimmung, the process table's representative (UNVERIFIED, unverifiedE15)
	answerSonstiges   = "E14" // [48] Ablehnung Sonstiges: FTX+ACB required
	answerNewDate     = "Z01" // [13] Zustimmung mit Terminänderung: DTM+471
	answerBinding     = "Z12" // [16] Ablehnung Vertragsbindung: DTM+157 [581], DTM+Z01
	answerMultiple    = "Z34" // [15] Ablehnung Mehrfachkündigung: DTM+Z05/Z06
	answerLFARejected = "Z35" // [84] Ablehnung der Abmeldeanfrage: STS+Z35, NAD+VY [566]
	answerPending     = "ZC5" // [36] Ablehnung andere Anmeldung in Bearbeitung: DTM+Z07/Z08
	answerNotFound    = "A03" // [361]/[362]: no LOC
	answerOtherNB     = "A04" // [361]: no LOC (44018); [367] ∧ [643]: NAD+VY Nachfolgender NB (44003)
	answerNotFoundA17 = "A17" // [362]: no LOC (44003)
)

// srcAHB cites an AHB condition that names the code with its meaning.
func srcAHB(cond, meaning string) string {
	return "UTILMD AHB Gas FV2610 (G1.2) condition " + cond + " names the code: " + meaning
}

// e14 is "Ablehnung Sonstiges" (AHB [48]): the fallback for a rejection
// whose specific G_00xx code is not in the references, with the reason as
// FTX+ACB text.
const unverifiedE14 = "UNVERIFIED choice: the specific code of the code list is not in the references (the G_00xx lists are not " +
	"in ../shared); E14 'Ablehnung Sonstiges' is named by AHB condition [48] and carries the reason in FTX+ACB"

// unverifiedE15 marks E15 as the confirmation code.
const unverifiedE15 = "UNVERIFIED: E15 is the 'zustimmung' representative of the AHB process table " +
	"(edifactgenerator _prozess-meta.js, whose header says the G_00xx lists are not in its sources); no BDEW text in the references names it"

// DefaultCodes returns the answer-code table (a fresh copy). Codes an AHB
// condition names are cited facts; every other one is UNVERIFIED and can be
// replaced with WithCode.
func DefaultCodes() []CodeRule {
	return []CodeRule{
		{Key: CodeAnmeldungConfirm, EBD: EBDLieferbeginn, List: "G_0012", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeAnmeldungNotFound, EBD: EBDAnmeldungDirekt, List: "G_0011", Code: answerNotFound,
			Source: "UNVERIFIED meaning: E_3005 remark names A03/A04/A16/A17 as the checks to run first; AHB 44003 [362] drops the MaLo (LOC) with A03/A17, so A03 is read as 'MaLo not identified'"},
		{Key: CodeAnmeldungOtherNB, EBD: EBDAnmeldungDirekt, List: "G_0011", Code: answerOtherNB,
			Source: "UNVERIFIED meaning: AHB 44003 NAD+VY 'Muss [367] ∧ [643]': with A04 the answer names the 'Nachfolgender Netzbetreiber', so A04 is read as 'MaLo in the grid of another NB'"},
		{Key: CodeAnmeldungLeadTime, EBD: EBDAnmeldungDirekt, List: "G_0011", Code: answerSonstiges, Remark: "Vorlauffrist nicht eingehalten", Source: unverifiedE14},
		{Key: CodeAnmeldungPending, EBD: EBDAnmeldungDirekt, List: "G_0011", Code: answerPending, Verified: true,
			Source: srcAHB("[36]", "ZC5 Ablehnung andere Anmeldung in Bearbeitung (44003 DTM+Z07/Z08)")},
		{Key: CodeAnmeldungLFARejected, EBD: EBDLieferbeginn, List: "G_0011", Code: answerLFARejected, Verified: true,
			Source: srcAHB("[84]", "Z35 Ablehnung der Abmeldeanfrage (44003 STS+Z35, NAD+VY Altlieferant [566])")},
		{Key: CodeAbmeldungConfirm, EBD: EBDAbmeldung, List: "G_0008", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeAbmeldungNotSupplier, EBD: EBDAbmeldung, List: "G_0007", Code: answerSonstiges, Remark: "Absender ist zum Abmeldedatum nicht Lieferant der Marktlokation", Source: unverifiedE14},
		{Key: CodeAbmeldungAlready, EBD: EBDAbmeldung, List: "G_0007", Code: answerSonstiges, Remark: "Lieferende zum Abmeldedatum bereits bestaetigt", Source: unverifiedE14},
		{Key: CodeAbmeldeanfrageConfirm, EBD: EBDAbmeldeanfrage, List: "G_0010", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeAbmeldeanfrageObject, EBD: EBDAbmeldeanfrage, List: "G_0009", Code: answerBinding,
			Source: "UNVERIFIED choice: the G_0009 code of an objection is not in the references; Z12 'Ablehnung Vertragsbindung' (meaning named by AHB [16]) states the reason of the policy; the AHB process table's representative is E17"},
		{Key: CodeAbmeldungNBConfirm, EBD: EBDAbmeldungNB, List: "G_0067", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeAbmeldungNBObject, EBD: EBDAbmeldungNB, List: "G_0068", Code: answerSonstiges, Remark: "Marktlokation wird weiter beliefert", Source: unverifiedE14},
		{Key: CodeEoGConfirm, EBD: EBDEoG, List: "G_0013", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeEoGObject, EBD: EBDEoG, List: "G_0014", Code: answerSonstiges, Remark: "Anmeldung zur Ersatz-/Grundversorgung abgelehnt", Source: unverifiedE14},
		{Key: CodeKuendigungConfirm, EBD: EBDKuendigung, List: "G_0006", Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeKuendigungNewDate, EBD: EBDKuendigung, List: "G_0006", Code: answerNewDate, Verified: true,
			Source: srcAHB("[13]", "Z01 Zustimmung mit Terminänderung")},
		{Key: CodeKuendigungNoContract, EBD: EBDKuendigung, List: "G_0005", Code: answerNotFound,
			Source: "UNVERIFIED meaning: E_3001 remark names A03/A04 as the checks to run first; AHB 44018 [361] drops the MaLo with A03/A04, so A03 is read as 'no contract for the object'"},
		{Key: CodeKuendigungBinding, EBD: EBDKuendigung, List: "G_0005", Code: answerBinding, Verified: true,
			Source: srcAHB("[16]", "Z12 Ablehnung Vertragsbindung (44018 DTM+157 [581], DTM+Z01)")},
		{Key: CodeKuendigungMultiple, EBD: EBDKuendigung, List: "G_0005", Code: answerMultiple, Verified: true,
			Source: srcAHB("[15]", "Z34 Ablehnung Mehrfachkündigung (44018 DTM+Z05/Z06)")},
		{Key: CodeStornoConfirm, List: codeListStornoConfirm, Code: answerConfirm, Source: unverifiedE15},
		{Key: CodeStornoReject, List: codeListStornoReject, Code: answerSonstiges, Remark: "Stornierung abgelehnt", Verified: true,
			Source: srcAHB("[48]", "E14 Ablehnung Sonstiges (FTX+ACB)")},
		{Key: CodeStornoLate, List: codeListStornoReject, Code: answerSonstiges, Remark: "Vorgang bereits beantwortet", Verified: true,
			Source: srcAHB("[48]", "E14 Ablehnung Sonstiges (FTX+ACB)") + "; the choice of E14 for a late Stornierung is the package's"},
	}
}

// codeTable indexes the code rules by key.
type codeTable map[string]CodeRule

func newCodeTable(rules []CodeRule) codeTable {
	t := codeTable{}
	for _, r := range rules {
		t[r.Key] = r
	}
	return t
}

// get returns the rule of key; the table is complete by construction
// (DefaultCodes, WithCode replaces only existing keys).
func (t codeTable) get(key string) CodeRule { return t[key] }

// WithCode replaces the code (and FTX+ACB remark) of an answer-code key,
// e.g. once the G_00xx code list is at hand. The rule is marked as set by
// the deployment (Verified = false, Source names it). A code of E14 needs a
// remark (AHB [48]).
func WithCode(key, code, remark string) Option {
	return func(cfg *config) error {
		r, ok := cfg.codes[key]
		if !ok {
			keys := make([]string, 0, len(cfg.codes))
			for k := range cfg.codes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			return fmt.Errorf("%w: unknown answer-code key %q (known: %v)", ErrInvalidOption, key, keys)
		}
		if len(code) != 3 {
			return fmt.Errorf("%w: answer code %q for %s: want 3 characters", ErrInvalidOption, code, key)
		}
		if code == answerSonstiges && remark == "" {
			return fmt.Errorf("%w: answer code E14 for %s needs a remark (AHB [48] FTX+ACB)", ErrInvalidOption, key)
		}
		r.Code, r.Remark, r.Verified, r.Source = code, remark, false, "set by the deployment (WithCode)"
		cfg.codes[key] = r
		return nil
	}
}
