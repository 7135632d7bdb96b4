package cond

import (
	"testing"
)

// evalCase is a line of a 55001 with its expression and scope.
type evalCase struct {
	expr  string
	at    string
	value string
}

var evalCases = []evalCase{
	{"Muss [480] ∧ [2061]", "SEQ+Z01", ""},
	{"Muss [11]", "IDE", ""},
	{"X [931] [494]", "DTM+137", "202610010800+00"},
	{"X [UB1]", "DTM+92", "202609302200+00"},
	{"X [950]", "LOC+Z16", "51238696781"},
	{"Muss [2061] ∧ [67]", "LOC+Z16", ""},
	{"X [914] ∧ [937]", "SEQ+Z79", "1"},
	{"Muss [463]", "CCI+Z61", ""},
	{"M [268] S [166]", "NAD+Z04", ""},
}

const body55001 = "BGM+E01+D1'DTM+137:202610010800?+00:303'NAD+MS+9900000000001::293'NAD+MR+9900000000002::293'" +
	"IDE+24+V1'DTM+92:202609302200?+00:303'STS+7++E03+ZW4'LOC+Z16+51238696781'RFF+Z13:55001'" +
	"SEQ+Z79+1'PIA+5+9991000000044:Z11'CCI+Z66'CAV+ZH9:::9991000002934'" +
	"SEQ+Z01'CCI+Z15'CCI+Z61++ZF9'CAV+ZH5'SEQ+Z75'CCI+Z15'" +
	"NAD+Z04+++Muster:Erika:::Z01+Hauptstr. 1+Berlin++10115+DE'"

// TestEvalDoesNotAllocate: Eval over the predicates of the common 55001
// lines allocates nothing (the validator's budget is ≤ 20 allocations per
// message).
func TestEvalDoesNotAllocate(t *testing.T) {
	set := PredicatesFor(UTILMDStrom, fv2610)
	m := fragment(t, body55001)
	for _, c := range evalCases {
		e := MustParse(c.expr)
		i := locate(t, m, c.at)
		sc := &Scope{Msg: m, PID: "55001", FV: fv2610, Groups: groupsAt(m, i), Segment: i, Value: c.value}
		res := e.Eval(set, sc)
		if res.Allowed != True {
			t.Errorf("%q at %s: %+v (not evaluated %v)", c.expr, c.at, res, res.NotEvaluated())
		}
		if n := testing.AllocsPerRun(100, func() { res = e.Eval(set, sc) }); n != 0 {
			t.Errorf("%q at %s: %v allocations per Eval", c.expr, c.at, n)
		}
	}
}

// BenchmarkEval55001 evaluates the expressions of nine typical 55001 lines
// (one op = all nine).
func BenchmarkEval55001(b *testing.B) {
	set := PredicatesFor(UTILMDStrom, fv2610)
	m := fragment(b, body55001)
	exprs := make([]*Expr, len(evalCases))
	scopes := make([]Scope, len(evalCases))
	for k, c := range evalCases {
		exprs[k] = MustParse(c.expr)
		i := locate(b, m, c.at)
		scopes[k] = Scope{Msg: m, PID: "55001", FV: fv2610, Groups: groupsAt(m, i), Segment: i, Value: c.value}
	}
	b.ReportAllocs()
	for b.Loop() {
		for k, e := range exprs {
			_ = e.Eval(set, &scopes[k])
		}
	}
}

// BenchmarkParse parses a complex expression (done once per line by the
// validator's cache, not per message).
func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("Muss ([176] ∧ (([173] ∧ [179]) ⊻ ([174] ∧ [175]))) ⊻ ([177] ∧ [178] ∧ [179]) Soll [8] ∧ [301]"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAnswerClusterDoesNotAllocate(t *testing.T) {
	set := PredicatesFor(UTILMDStrom, fv2610)
	m := fragment(t, ide("STS+E01++A43:E_0624'"))
	i := locate(t, m, "STS+E01")
	sc := &Scope{Msg: m, PID: "55012", Groups: groupsAt(m, i), Segment: i, Value: "A43"}
	e := MustParse("X [359]")
	if r := e.Eval(set, sc); r.Format != True {
		t.Fatalf("%+v", r)
	}
	if n := testing.AllocsPerRun(100, func() { e.Eval(set, sc) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}

// BenchmarkPredicatesFor builds the combined UTILMD set (Strom and Gas,
// with the EBD and product tables): part of loading one FV's data.
func BenchmarkPredicatesFor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if PredicatesFor("UTILMD", fv2610) == nil {
			b.Fatal("nil set")
		}
	}
}
