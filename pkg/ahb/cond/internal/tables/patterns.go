package tables

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Pattern conditions: condition texts of a few fixed shapes that say no more
// than "segment X (with code Y) is (not) present" or "the partner in NAD+MR
// has role R", read into rows of patterns_gen.go. Every other text is left to
// hand-written predicates. For UTILMD (whose transaction group SG4 holds all
// other groups) every shape is read; for the other message types only the
// message-level shapes (BGM, role). The shapes (after whitespace is
// collapsed):
//
//	segment:    Wenn [SGn] TAG+QUAL (…) [nicht] vorhanden
//	answer:     Wenn [in dieser SG4 [IDE+24]] [SG4] [das] STS+E01++C1/C2 (Status der Antwort…) [nicht] vorhanden
//	reason:     Wenn [in dieser SG4] [SG4] [das] STS+7++C1/C2 (…) [nicht] vorhanden
//	supplement: Wenn [in dieser SG4] [SG4] [das] STS+7++xxx+C1/C2 (…) [nicht] vorhanden
//	role:       Wenn MP-ID in [SGn] NAD+MR|MS [(…)] in der|mit Rolle R1[/R2] [[nicht] vorhanden]
//	header:     Wenn [SG2] TAG+C1/C2 | TAG++C1/C2[+C3] [(…)] [nicht] vorhanden   (LIN-based types: the header before the first LIN)
//	ajt:        Wenn in dieser|diesem [SG7|SG12] AJT DE4465|DE1082 = C1/C2        (REMADV)
//	ajtgroup:   Wenn SG7 AJT+C1/C2[+C3] vorhanden                                 (REMADV)
//	group:      Wenn in derselben|dieser SG8|SG10 [SEQ+O1/O2] [(…)] das|ein [SG10] TAG+Q1/Q2[++C] [(…)] [nicht] vorhanden [ist]
var (
	codes      = `((?:[A-Z0-9]{3}\s*/\s*)*[A-Z0-9]{3})`
	paren      = `\([^()]*(?:\([^()]*\)[^()]*)*\)`
	tail       = ` (nicht )?vorhanden\.?$`
	reSegment  = regexp.MustCompile(`^Wenn (?:(?:das |die )?(SG\d+) )?(BGM|DTM|FTX|LOC|NAD|RFF|SEQ|IDE|STS|IMD|QTY|CCI|CAV|AGR|COM|CTA|PIA)\+([A-Z0-9]{1,3}) ` + paren + tail)
	reAnswer   = regexp.MustCompile(`^Wenn (?:in dieser SG4 (?:IDE\+24 )?)?(?:SG4 )?(?:das )?STS\+E01\+\+` + codes + ` \(Status der Antwort[^()]*\)` + tail)
	reReason   = regexp.MustCompile(`^Wenn (?:in dieser SG4 )?(?:SG4 )?(?:das )?STS\+7\+\+` + codes + ` ` + paren + tail)
	reSupplmnt = regexp.MustCompile(`^Wenn (?:in dieser SG4 )?(?:SG4 )?(?:das )?STS\+7\+\+xxx\+` + codes + ` ` + paren + tail)
	reGroup    = regexp.MustCompile(`^Wenn in (?:derselben|dieser) (SG8|SG10)(?: SEQ\+` + codes + `)? (?:` + paren + ` )?(?:das|ein) (?:SG10 )?(SEQ|CCI|CAV|PIA|RFF|QTY|DTM)\+([A-Z0-9]{1,3}(?:\s*/\s*[A-Z0-9]{1,3})*)(?:\+\+([A-Z0-9]{1,3}))? (?:` + paren + ` )?(nicht )?vorhanden(?: ist)?\.?$`)
	reRole     = regexp.MustCompile(`^[Ww]enn MP-ID in (?:SG\d+ )?NAD\+(MR|MS)(?: \([^()]*\))? (?:mit|in der) Rolle ([A-ZÜ]{2,4}(?:/[A-ZÜ]{2,4})*)(?: (nicht )?vorhanden)?\.?$`)
	reBGM      = regexp.MustCompile(`^[Ww]enn BGM\+([A-Z0-9]{1,3})(?: ` + paren + `)?` + tail)
	reAJT      = regexp.MustCompile(`^Wenn in (?:dieser |diesem )?(?:(SG7|SG12) )?AJT DE(4465|1082) ?= ?([A-Z0-9_]+(?:\s*/\s*[A-Z0-9_]+)*)$`)
	reAJTGroup = regexp.MustCompile(`^Wenn SG7 AJT\+([A-Z0-9]+(?:\s*/\s*[A-Z0-9]+)*)(?:\+(E_\d{4}))? vorhanden$`)
	reHeader   = regexp.MustCompile(`^Wenn (?:SG2 )?(BGM|DTM|FTX|IMD|NAD|LOC|RFF|GEI|CUX|PYT)\+(\+)?([A-Z0-9]{1,3}(?:\s*/\s*[A-Z0-9]{1,3})*)(?:\+([A-Z0-9]{1,3}))?(?: ` + paren + `)?` + tail)
	reText     = regexp.MustCompile(`(?m)^\s*"(\d+)"\s*:\s*(?:\{\s*text\s*:\s*)?("(?:[^"\\]|\\.)*")`)
)

// headerTypes are the message types whose positions are LIN groups: for
// them a segment named without a group (or in SG2) is one of the header,
// the segments before the first LIN.
var headerTypes = map[string]bool{"ORDERS": true, "ORDRSP": true, "ORDCHG": true, "QUOTES": true, "REQOTE": true, "PRICAT": true, "INVOIC": true}

// Row is one pattern condition.
type Row struct {
	N     int
	FV    string // "" = both FVs
	Text  string
	Shape string // "segment", "answer", "reason", "supplement"
	Scope string // "" = the message, "SG4" = the transaction
	Tag   string
	Qual  string
	Codes []string
	Neg   bool
	// group shape: Open lists the SEQ qualifiers the group must open with
	// (none: any); Quals the segment's qualifiers; Code its element 2 code.
	Open  []string
	Quals []string
	Code  string
}

func splitCodes(s string) []string {
	var out []string
	for _, c := range strings.Split(s, "/") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// Match reads one condition text of the AHB named ahb; ok is false when it
// has none of the shapes. Outside UTILMD only the message-level shapes and
// the REMADV AJT shapes count.
func Match(n int, text, ahb string) (Row, bool) {
	r := Row{N: n, Text: text}
	utilmd := strings.HasPrefix(ahb, "UTILMD")
	if ahb == "REMADV" {
		if m := reAJT.FindStringSubmatch(text); m != nil {
			r.Shape, r.Scope, r.Tag, r.Codes = "ajt", m[1], "AJT", splitCodes(m[3])
			if m[2] == "1082" {
				r.Qual = "1"
			} else {
				r.Qual = "0"
			}
			if !strings.HasPrefix(text, "Wenn in ") {
				return Row{}, false
			}
			if r.Scope == "" && !strings.HasPrefix(text, "Wenn in diesem AJT") {
				r.Scope = "SG5" // "in SG7 AJT …": some SG7 of the document
			}
			return r, true
		}
		if m := reAJTGroup.FindStringSubmatch(text); m != nil {
			r.Shape, r.Scope, r.Tag, r.Codes, r.Code = "ajtgroup", "SG5", "AJT", splitCodes(m[1]), m[2]
			return r, true
		}
	}
	if m := reRole.FindStringSubmatch(text); m != nil {
		r.Shape, r.Tag, r.Codes, r.Neg = "role", m[1], strings.Split(m[2], "/"), m[3] != ""
		return r, true
	}
	if m := reBGM.FindStringSubmatch(text); m != nil {
		r.Shape, r.Tag, r.Qual, r.Neg = "segment", "BGM", m[1], m[2] != ""
		return r, true
	}
	if headerTypes[ahb] {
		if m := reHeader.FindStringSubmatch(text); m != nil {
			r.Shape, r.Tag, r.Codes, r.Code, r.Neg = "header", m[1], splitCodes(m[3]), m[4], m[5] != ""
			r.Qual = "0"
			if m[2] != "" {
				r.Qual = "1"
			}
			return r, true
		}
	}
	if !utilmd {
		return Row{}, false
	}
	if m := reAnswer.FindStringSubmatch(text); m != nil {
		r.Shape, r.Scope, r.Codes, r.Neg = "answer", "SG4", splitCodes(m[1]), m[2] != ""
		return r, true
	}
	if m := reSupplmnt.FindStringSubmatch(text); m != nil {
		r.Shape, r.Scope, r.Codes, r.Neg = "supplement", "SG4", splitCodes(m[1]), m[2] != ""
		return r, true
	}
	if m := reReason.FindStringSubmatch(text); m != nil {
		r.Shape, r.Scope, r.Codes, r.Neg = "reason", "SG4", splitCodes(m[1]), m[2] != ""
		return r, true
	}
	if m := reGroup.FindStringSubmatch(text); m != nil {
		r.Shape, r.Scope, r.Tag, r.Quals, r.Code, r.Neg = "group", m[1], m[3], splitCodes(m[4]), m[5], m[6] != ""
		if m[2] != "" {
			r.Open = splitCodes(m[2])
		}
		return r, true
	}
	if m := reSegment.FindStringSubmatch(text); m != nil {
		r.Shape, r.Tag, r.Qual, r.Neg = "segment", m[2], m[3], m[4] != ""
		// SG2, the SG4 opener IDE and segments outside any group (BGM,
		// DTM+137) are message-level; every other UTILMD group lies inside
		// the transaction SG4.
		if m[1] != "" && m[1] != "SG2" && r.Tag != "IDE" { // IDE opens SG4: asked of the message
			r.Scope = "SG4"
		}
		if m[1] == "" && r.Tag != "BGM" && r.Tag != "DTM" {
			return Row{}, false // a segment without its group: ambiguous
		}
		return r, true
	}
	return Row{}, false
}

// conditionTexts reads the texts [1]–[499] of a _bedingungen.js.
func conditionTexts(path string) (map[int]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[int]string{}
	for _, m := range reText.FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		var s string
		if json.Unmarshal(m[2], &s) != nil || n < 1 || n > 499 {
			continue
		}
		out[n] = strings.Join(strings.Fields(s), " ")
	}
	return out, nil
}

// AHBs lists the AHBs of the data: name ("UTILMD Strom", "MSCONS") and
// directory below the FV directory, sorted by name.
func AHBs(root string) ([][2]string, error) {
	var out [][2]string
	for _, pat := range []string{"*/*/pruef-ids", "*/*/*/pruef-ids"} {
		ms, err := filepath.Glob(filepath.Join(root, "202610", pat))
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			rel, _ := filepath.Rel(filepath.Join(root, "202610"), filepath.Dir(m))
			parts := strings.Split(filepath.ToSlash(rel), "/")
			name := parts[1]
			if len(parts) == 3 {
				name += " " + parts[2]
			}
			out = append(out, [2]string{name, rel})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, nil
}

// Rows returns the pattern rows of the AHB in dir (below the FV directory)
// over FV2604 and FV2610: a row holds for both FVs when both texts are
// equal.
func Rows(root, dir, ahb string) ([]Row, error) {
	per := map[string]map[int]string{}
	for _, fv := range []string{"202604", "202610"} {
		t, err := conditionTexts(filepath.Join(root, fv, dir, "pruef-ids", "_bedingungen.js"))
		if err != nil {
			return nil, err
		}
		per["FV"+fv[2:]] = t
	}
	var out []Row
	for _, fv := range []string{"FV2604", "FV2610"} {
		for n, text := range per[fv] {
			r, ok := Match(n, text, ahb)
			if !ok {
				continue
			}
			other := map[string]string{"FV2604": "FV2610", "FV2610": "FV2604"}[fv]
			if per[other][n] == text {
				if fv == "FV2610" {
					continue // already added from FV2604
				}
			} else {
				r.FV = fv
			}
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N < out[j].N
		}
		return out[i].FV < out[j].FV
	})
	return out, nil
}

// PatternsFile renders patterns_gen.go.
func PatternsFile(root string) ([]byte, error) {
	ahbs, err := AHBs(root)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("// Code generated by internal/tablegen from the condition texts of\n")
	b.WriteString("// ../shared/ahb-data/edifactgenerator-bca06f9 (MIT, see pkg/ahb/data/NOTICE); DO NOT EDIT.\n\n")
	b.WriteString("package cond\n\n")
	b.WriteString("// ahbPatterns returns the conditions of an AHB whose text has a pattern\n// shape (internal/tables/patterns.go).\n")
	b.WriteString("func ahbPatterns(name string) []patternRow {\n\tswitch name {\n")
	for _, a := range ahbs {
		rows, err := Rows(root, a[1], a[0])
		if err != nil {
			return nil, err
		}
		if len(rows) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn []patternRow{\n", a[0])
		for _, r := range rows {
			fmt.Fprintf(&b, "\t\t\t{n: %d, fv: %q, shape: %q, scope: %q, tag: %q, qual: %q, codes: %#v, neg: %v,\n",
				r.N, r.FV, r.Shape, r.Scope, r.Tag, r.Qual, r.Codes, r.Neg)
			if r.Shape == "group" || r.Shape == "ajtgroup" || r.Shape == "header" {
				fmt.Fprintf(&b, "\t\t\t\topen: %#v, quals: %#v, code: %q,\n", r.Open, r.Quals, r.Code)
			}
			fmt.Fprintf(&b, "\t\t\t\ttext: %q},\n", r.Text)
		}
		b.WriteString("\t\t}\n")
	}
	b.WriteString("\t}\n\treturn nil\n}\n")
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}
