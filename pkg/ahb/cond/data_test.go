package cond

import (
	"sort"
	"testing"
)

// sourceDefects are expressions of the shared AHB data that are not valid
// AHB expressions: cut or merged table cells of the extraction (its README
// lists such defects). They must fail to parse; every other expression must
// parse.
var sourceDefects = map[string]string{
	"X (([939][14]) ∨ ([940][15])) ([940][15])) ∧[502] ∧[502]": "continuation of a cut cell (no status word) (FV2604 APERAK APERAK_Anerkennungsmeldung)",
	"Muss [20] ∧":              "cell cut after an operator (FV2604 IFTSTA 21029)",
	"[144]":                    "continuation of a cut cell (no status word) (FV2604 IFTSTA 21029)",
	"X (([939][146]) ∨ ([940]": "cell cut inside a bracket (FV2604 IFTSTA 21044)",
	"X [UB1] ∧ (([493] ∧":      "cell cut after an operator (FV2604 INVOIC 31001)",
	"X [81] ∧":                 "cell cut after an operator (FV2604 INVOIC 31002)",
	"X [51] ∨":                 "cell cut after an operator (FV2604 INVOIC 31002)",
	"X [902] ∧":                "cell cut after an operator (FV2604 INVOIC 31006)",
	"X [72] ∨":                 "cell cut after an operator (FV2604 INVOIC 31009)",
	"[518] ⊻ [519] ⊻ [520] ⊻ [521] ⊻ [535] ⊻ [537]": "continuation of a cut cell (no status word) (FV2604 REMADV 33003)",
	"Mus":                              "status word cut (\"Mus\") (FV2604 REQOTE 35005)",
	"[165] ∧ [2061] ∧ ([583] ∨ [584])": "continuation of a cut cell (no status word) (FV2604 UTILMD Gas 44016)",
	"[202]":                            "continuation of a cut cell (no status word) (FV2604 UTILMD Gas 44142)",
	"[345] ∧ [530]":                    "continuation of a cut cell (no status word) (FV2604 UTILMD Gas 44149)",
	"[106]":                            "continuation of a cut cell (no status word) (FV2604 UTILMD Gas 44157)",
	"∧ [65]":                           "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55035)",
	"[689] ∧ [694]":                    "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55035)",
	"[670]":                            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55043)",
	"M [914] ∧":                        "cell cut after an operator (FV2610 UTILMD Strom 55043)",
	"X ([451] ∧ [950]) ⊻":              "cell cut after an operator (FV2610 UTILMD Strom 55043)",
	"[672] ∧ [694] ∧ [698]":            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55060)",
	"∧ [294]":                          "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55060)",
	"X [233] ∧":                        "cell cut after an operator (FV2610 UTILMD Strom 55064)",
	"⊻ [478]) ∧ [2061]":                "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55078)",
	"[2061]":                           "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55078)",
	"[689] ∧ [694] ∧ [698]":            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55095)",
	"Muss [78] ∧ [402] ∧":              "cell cut after an operator (FV2610 UTILMD Strom 55168)",
	"[420] ∧ [651]":                    "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55168)",
	"X ([442] ∧ [951]) ⊻ ([440] ∧":     "cell cut after an operator (FV2610 UTILMD Strom 55175)",
	"[301] ∧ [557] ∧ [2011]":           "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55177)",
	"[534]":                            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55230)",
	"[707] Soll [8] ∧ [301] ∧ [707]":   "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55232)",
	"([457] ⊻ [460])) ⊻ ([233] ∧ [460])": "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55553)",
	"X [914] ∧ [937] ∧":                  "cell cut after an operator (FV2610 UTILMD Strom 55614)",
	"⊻ [448]":                            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55617)",
	"Muss [301] ∧ [557] ∧":               "cell cut after an operator (FV2610 UTILMD Strom 55634)",
	"[2011]":                             "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55634)",
	"[273]":                              "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55653)",
	"Muss [131] ⊻":                       "cell cut after an operator (FV2610 UTILMD Strom 55655)",
	"[134] ⊻ [135]":                      "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55655)",
	"[401]":                              "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55660)",
	"Muss ([131] ∧":                      "cell cut after an operator (FV2610 UTILMD Strom 55672)",
	"[146]) ⊻ ([132] ∧ [145]) ⊻ [401]":   "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55672)",
	"Muss [131] ⊻ [134] ⊻":               "cell cut after an operator (FV2610 UTILMD Strom 55673)",
	"[135]":                              "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55673)",
	"∧ [707] Soll [8] ∧ [301] ∧ [707]":   "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55685)",
	"∧ [534]":                            "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55686)",
	"X [914] ∧":                          "cell cut after an operator (FV2610 UTILMD Strom 55690)",
	"[205] ∧ [2358]":                     "continuation of a cut cell (no status word) (FV2610 UTILMD Strom 55690)",
	"Muss [315] ∧ [2080] Soll [8] ∧ [301] ∧ [2080]]": "stray \"]\" (FV2604 UTILMD Strom 55692)",
	"[10P0..1]": "continuation of a cut cell (no status word) (FV2610 UTILTS 25008)",
	"[9P0..1]":  "continuation of a cut cell (no status word) (FV2610 UTILTS 25008)",
}

// TestParseAllExpressions parses every distinct expression of the AHB data
// (FV2604 and FV2610, all message types).
func TestParseAllExpressions(t *testing.T) {
	total, ok := 0, 0
	var failed []string
	for _, src := range ahbSources(t) {
		form := loadForm(t, src)
		ex := expressions(form)
		n, good := 0, 0
		for e, uses := range ex {
			n++
			_, err := Parse(e)
			if err == nil {
				good++
				if _, known := sourceDefects[e]; known {
					t.Errorf("%s %s: %q is listed as a source defect but parses", src.FV, src.Name, e)
				}
				continue
			}
			if _, known := sourceDefects[e]; !known {
				failed = append(failed, src.FV.String()+" "+src.Name+" "+uses[0].PID+" "+uses[0].Where+": "+err.Error())
			}
		}
		t.Logf("%s %-13s %4d distinct expressions, %4d parse", src.FV, src.Name, n, good)
		total += n
		ok += good
	}
	sort.Strings(failed)
	for _, f := range failed {
		t.Error(f)
	}
	t.Logf("total: %d distinct expressions (per AHB and FV), %d parse, %d known source defects", total, ok, total-ok)
}

// TestEvalAllExpressions evaluates every parsable expression of the data
// with its AHB's predicates on a 55001 message at every segment (with and
// without groups and values): no panic, and the invariants of Result hold
// (required implies allowed; a decided status implies allowed; Unknown
// allowed comes with a not-evaluated condition).
func TestEvalAllExpressions(t *testing.T) {
	m := fragment(t, body55001)
	var scopes []*Scope
	for i := range m.Segments {
		scopes = append(scopes,
			&Scope{Msg: m, PID: "55001", Groups: groupsAt(m, i), Segment: i, Value: "202609302200+00"},
			&Scope{Msg: m, PID: "44001", Groups: groupsAt(m, i), Segment: i, Value: "1.5", SenderRole: "LF", ReceiverRole: "NB"})
	}
	scopes = append(scopes, &Scope{Segment: -1}, &Scope{Msg: m, Segment: -1})
	n := 0
	for _, src := range ahbSources(t) {
		set := PredicatesFor(src.Name, src.FV)
		for e := range expressions(loadForm(t, src)) {
			x, err := Parse(e)
			if err != nil {
				continue
			}
			for _, sc := range scopes {
				res := x.Eval(set, sc)
				n++
				if res.Required == True && res.Allowed != True {
					t.Fatalf("%s %q: required without allowed: %+v", src.Name, e, res)
				}
				if res.Status != StatusNone && res.Allowed != True {
					t.Fatalf("%s %q: status %v without allowed: %+v", src.Name, e, res.Status, res)
				}
				if res.Allowed == Unknown && len(res.NotEvaluated()) == 0 {
					t.Fatalf("%s %q: unknown without a not-evaluated condition: %+v", src.Name, e, res)
				}
			}
		}
	}
	t.Logf("%d evaluations", n)
}
