package cond

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/fv"
)

// This file reads the AHB data of ../shared/ahb-data (EdifactGenerator,
// MIT) as text — the JavaScript files are never executed — for the tests
// that parse every expression, check the predicates' citations and report
// the coverage.

const ahbDataDir = "../../../../shared/ahb-data/edifactgenerator-bca06f9"

// ahbSource is one AHB (message type, for UTILMD also Strom/Gas) of one FV.
type ahbSource struct {
	FV   fv.Version
	Name string // "UTILMD Strom", "MSCONS", …
	Dir  string // …/pruef-ids
}

// ahbSources lists the AHBs in the shared data; it skips the test when the
// data is missing (fails under CI=true).
func ahbSources(t testing.TB) []ahbSource {
	t.Helper()
	if _, err := os.Stat(ahbDataDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("AHB data not found at %s: %v", ahbDataDir, err)
		}
		t.Skipf("AHB data not found at %s (expected next to the repository): %v", ahbDataDir, err)
	}
	var out []ahbSource
	for _, dir := range []string{"202604", "202610"} {
		v := fv.MustParse("FV" + dir[2:])
		matches, err := filepath.Glob(filepath.Join(ahbDataDir, dir, "*", "*", "pruef-ids"))
		if err != nil {
			t.Fatal(err)
		}
		more, _ := filepath.Glob(filepath.Join(ahbDataDir, dir, "*", "*", "*", "pruef-ids"))
		for _, m := range append(matches, more...) {
			rel, _ := filepath.Rel(filepath.Join(ahbDataDir, dir), m)
			parts := strings.Split(filepath.ToSlash(rel), "/") // Bereich/TYPE[/Sparte]/pruef-ids
			name := parts[1]
			if len(parts) == 4 {
				name += " " + parts[2]
			}
			out = append(out, ahbSource{FV: v, Name: name, Dir: m})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].FV != out[j].FV {
			return out[i].FV.Before(out[j].FV)
		}
		return out[i].Name < out[j].Name
	})
	if len(out) == 0 {
		t.Fatalf("no AHB found under %s", ahbDataDir)
	}
	return out
}

// formPID is one PID of a _form-meta.js.
type formPID struct {
	Beschreibung string     `json:"beschreibung"`
	Instanzen    []formLine `json:"instanzen"`
}

type formLine struct {
	SG          *string  `json:"sg"`
	Seg         string   `json:"seg"`
	Expr        string   `json:"expr"`
	SGExpr      string   `json:"sgExpr"`
	Section     string   `json:"section"`
	Bedingungen string   `json:"bedingungen"`
	Des         []formDE `json:"des"`
}

type formDE struct {
	DE    string     `json:"de"`
	Expr  string     `json:"expr"`
	Codes [][]string `json:"codes"`
}

// loadForm reads the formMeta literal of a _form-meta.js.
func loadForm(t testing.TB, src ahbSource) map[string]formPID {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(src.Dir, "_form-meta.js"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	loc := formVar.FindStringIndex(s)
	if loc == nil {
		t.Fatalf("%s: no formMeta literal", src.Dir)
	}
	s = s[loc[1]:]
	j := strings.Index(s, "};\n")
	if j < 0 {
		t.Fatalf("%s: formMeta literal not terminated", src.Dir)
	}
	var m map[string]formPID
	if err := json.Unmarshal([]byte(s[:j+1]), &m); err != nil {
		t.Fatalf("%s: %v", src.Dir, err)
	}
	return m
}

// exprUse is one occurrence of an expression in the AHB data.
type exprUse struct {
	PID, Where string
}

// expressions returns every non-empty expression of an AHB with its uses.
func expressions(form map[string]formPID) map[string][]exprUse {
	out := map[string][]exprUse{}
	add := func(e, pid, where string) {
		if strings.TrimSpace(e) == "" {
			return
		}
		out[e] = append(out[e], exprUse{pid, where})
	}
	for pid, p := range form {
		for _, l := range p.Instanzen {
			at := l.Seg + " " + l.Section
			add(l.Expr, pid, at)
			add(l.SGExpr, pid, at+" (group)")
			for _, d := range l.Des {
				add(d.Expr, pid, at+" DE"+d.DE)
				for _, c := range d.Codes {
					if len(c) == 3 {
						add(c[2], pid, at+" DE"+d.DE+" code "+c[0])
					}
				}
			}
		}
	}
	return out
}

var (
	formVar   = regexp.MustCompile(`(?m)^var [a-zA-Z]*FormMeta = |^var formMeta = `)
	textLine  = regexp.MustCompile(`(?m)^\s*"(\d+|UB\d+|\d+P)"\s*:\s*(?:\{\s*text\s*:\s*)?("(?:[^"\\]|\\.)*")`)
	textBlock = regexp.MustCompile(`\[(\d+|UB\d+|\d+P)\]`)
)

// conditionTexts returns the condition texts of an AHB by key ("480",
// "UB1", "2P"): from _bedingungen.js and, where that lacks a number, from
// the per-line "bedingungen" blocks of _form-meta.js (whitespace collapsed).
func conditionTexts(t testing.TB, src ahbSource, form map[string]formPID) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	b, err := os.ReadFile(filepath.Join(src.Dir, "_bedingungen.js"))
	if err == nil {
		for _, m := range textLine.FindAllStringSubmatch(string(b), -1) {
			var s string
			if json.Unmarshal([]byte(m[2]), &s) == nil {
				out[m[1]] = append(out[m[1]], collapse(s))
			}
		}
	}
	for _, p := range form {
		for _, l := range p.Instanzen {
			locs := textBlock.FindAllStringSubmatchIndex(l.Bedingungen, -1)
			for i, loc := range locs {
				end := len(l.Bedingungen)
				if i+1 < len(locs) {
					end = locs[i+1][0]
				}
				k := l.Bedingungen[loc[2]:loc[3]]
				out[k] = append(out[k], collapse(l.Bedingungen[loc[1]:end]))
			}
		}
	}
	return out
}

// collapse joins lines and collapses whitespace.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
