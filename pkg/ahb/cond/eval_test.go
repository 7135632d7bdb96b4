package cond

import (
	"testing"
)

// testSet builds a Set whose requirement conditions have fixed values.
func testSet(vals map[uint16]Tri) *Set {
	s := &Set{name: "test", conds: make([]entry, 1000)}
	for n, v := range vals {
		s.set(n, func(*Scope) Tri { return v })
	}
	return s
}

// set registers fn for condition n with the kind of its number range.
func (s *Set) set(n uint16, fn Predicate) {
	s.conds[n] = entry{registered: true, kind: KindOf(Ref{Kind: RefCondition, N: n}), fn: fn}
}

func TestEval(t *testing.T) {
	set := testSet(map[uint16]Tri{1: True, 2: False, 3: Unknown, 4: True})
	set.set(931, func(sc *Scope) Tri { return TriOf(sc.Value == "ok") })
	sc := &Scope{Segment: -1}
	type want struct {
		st                   Status
		req, allowed, format Tri
		notEvaluated         string
	}
	cases := []struct {
		in    string
		value string
		w     want
	}{
		{"Muss", "", want{StatusMuss, True, True, True, ""}},
		{"Kann", "", want{StatusKann, False, True, True, ""}},
		{"Muss [1]", "", want{StatusMuss, True, True, True, ""}},
		{"Muss [2]", "", want{StatusNone, False, False, True, ""}},
		{"Muss [3]", "", want{StatusNone, Unknown, Unknown, Unknown, "[3]"}},
		{"Muss [5]", "", want{StatusNone, Unknown, Unknown, Unknown, "[5]"}}, // no predicate
		{"Muss [2] ∧ [3]", "", want{StatusNone, False, False, True, "[3]"}},
		{"Muss [1] ∨ [3]", "", want{StatusMuss, True, True, True, "[3]"}},
		{"Muss [1] ⊻ [3]", "", want{StatusNone, Unknown, Unknown, Unknown, "[3]"}},
		{"Muss [1] ⊻ [4]", "", want{StatusNone, False, False, True, ""}},
		{"Muss [1] ⊻ [2]", "", want{StatusMuss, True, True, True, ""}},
		// hints are neutral
		{"Muss [532]", "", want{StatusMuss, True, True, True, ""}},
		{"Muss [2] ∧ [532]", "", want{StatusNone, False, False, True, ""}},
		{"X [518] ⊻ [519]", "", want{StatusX, True, True, True, ""}},
		{"Muss [2] ∨ [532]", "", want{StatusNone, False, False, True, ""}},
		// repeatability and packages are neutral for the status
		{"Muss [1] ∧ [2061]", "", want{StatusMuss, True, True, True, ""}},
		{"X [2P0..n]", "", want{StatusX, True, True, True, ""}},
		// several pairs: first that applies
		{"Muss [2] Soll [1]", "", want{StatusSoll, False, True, True, ""}},
		{"Muss [1] Soll [2]", "", want{StatusMuss, True, True, True, ""}},
		{"Muss [3] Soll [1]", "", want{StatusNone, Unknown, True, Unknown, "[3]"}},
		{"Soll [3] Kann [1]", "", want{StatusNone, False, True, Unknown, "[3]"}},
		// format conditions
		{"X [931]", "ok", want{StatusX, True, True, True, ""}},
		{"X [931]", "bad", want{StatusX, True, True, False, ""}},
		{"X [931]", "", want{StatusX, True, True, Unknown, ""}},
		{"X [931] [2]", "bad", want{StatusNone, False, False, True, ""}},
		{"X [931] [1]", "bad", want{StatusX, True, True, False, ""}},
		{"X ([1] ∧ [931]) ⊻ ([2] ∧ [932])", "ok", want{StatusX, True, True, True, "[932]"}},
		{"X ([1] ∧ [931]) ⊻ ([2] ∧ [932])", "bad", want{StatusX, True, True, False, "[932]"}},
		{"X [932]", "x", want{StatusX, True, True, Unknown, "[932]"}},
	}
	for _, c := range cases {
		sc.Value = c.value
		r := MustParse(c.in).Eval(set, sc)
		ne := ""
		for _, ref := range r.NotEvaluated() {
			ne += ref.String()
		}
		got := want{r.Status, r.Required, r.Allowed, r.Format, ne}
		if got != c.w {
			t.Errorf("%q value %q: got %+v, want %+v", c.in, c.value, got, c.w)
		}
	}
}

func TestEvalNilSet(t *testing.T) {
	r := MustParse("Muss [1] ∧ [2]").Eval(nil, &Scope{Segment: -1})
	if r.Required != Unknown || r.Allowed != Unknown || len(r.NotEvaluated()) != 2 {
		t.Fatalf("nil set: %+v", r)
	}
	r = MustParse("Muss").Eval(nil, nil)
	if r.Required != True {
		t.Fatalf("unconditional: %+v", r)
	}
}

func TestNotEvaluatedTruncated(t *testing.T) {
	r := MustParse("Muss [1] ∧ [2] ∧ [3] ∧ [4] ∧ [5] ∧ [6] ∧ [7] ∧ [8] ∧ [9] ∧ [10]").Eval(nil, &Scope{})
	if len(r.NotEvaluated()) != maxNotEvaluated || !r.Truncated() {
		t.Fatalf("got %d truncated=%v", len(r.NotEvaluated()), r.Truncated())
	}
}

func TestChecksValue(t *testing.T) {
	set := PredicatesFor(UTILMDStrom, fv2610)
	for in, want := range map[string]bool{
		"X [931] [494]": true, "X [UB1]": true, "Muss [41]": true, "Muss [480] ∧ [2061]": false, "X": false,
	} {
		if got := MustParse(in).ChecksValue(set); got != want {
			t.Errorf("%q: %v", in, got)
		}
	}
}
