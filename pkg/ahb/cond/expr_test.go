package cond

import (
	"strings"
	"testing"
)

// tree renders the parsed expression with explicit brackets for tests.
func tree(e *Expr) string {
	var b strings.Builder
	var rec func(i int32)
	rec = func(i int32) {
		n := e.nodes[i]
		if n.op == opRef {
			b.WriteString(n.ref.String())
			return
		}
		b.WriteByte('(')
		rec(n.a)
		b.WriteString([...]string{"", " ∧ ", " ∨ ", " ⊻ "}[n.op])
		rec(n.b)
		b.WriteByte(')')
	}
	for i, p := range e.pairs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.status.String())
		if p.root >= 0 {
			b.WriteByte(' ')
			rec(p.root)
		}
	}
	return b.String()
}

func TestParse(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Muss", "Muss"},
		{"M", "Muss"},
		{"X", "X"},
		{"x", "X"},
		{"Kann", "Kann"},
		{"Muss [480] ∧ [2061]", "Muss ([480] ∧ [2061])"},
		{"X [914] ∧ [937] [22]", "X ([914] ∧ ([937] ∧ [22]))"},
		{"M [268] S [166]", "Muss [268] Soll [166]"},
		{"Muss [13]\nSoll [9]", "Muss [13] Soll [9]"},
		{"X [2P0..n]", "X [2P0..n]"},
		{"X [10P1..1]", "X [10P1..1]"},
		{"X [UB1]", "X [UB1]"},
		{"X[28]", "X [28]"},
		{"[1] ∨ [2] ∧ [3]", ""}, // no status
		{"Muss [1] ∨ [2] ⊻ [3] ∧ [4]", "Muss ([1] ∨ ([2] ⊻ ([3] ∧ [4])))"},
		{"Muss ([1] ∨ [2]) ∧ [3]", "Muss (([1] ∨ [2]) ∧ [3])"},
		{"X ([950] [509] ∧ ([64] V [70])) V ([960] [522])", "X ((([950] ∧ [509]) ∧ ([64] ∨ [70])) ∨ ([960] ∧ [522]))"},
		{"Muss [1] U [2] O [3] X [4]", "Muss (([1] ∧ [2]) ∨ ([3] ⊻ [4]))"},
		{"X [92 ]⊻ [105]", "X ([92] ⊻ [105])"},
		{"X [14P0..1] ⊻ [15P1..1]", "X ([14P0..1] ⊻ [15P1..1])"},
		{"Muss [131] ⊻", ""},
		{"Muss [1]]", ""},
		{"Mus", ""},
		{"", ""},
		{"Muss (", ""},
		{"Muss [abc]", ""},
		{"X [3P2..1]", ""},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if c.want == "" {
			if err == nil {
				t.Errorf("Parse(%q) = %s, want error", c.in, tree(e))
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := tree(e); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestRefs(t *testing.T) {
	e := MustParse("X ([UB1] ∧ [88] ∧ [209]) ⊻ [106] [88] [2P0..n]")
	got := ""
	for _, r := range e.Refs() {
		got += r.String()
	}
	if got != "[UB1][88][209][106][2P0..n]" {
		t.Errorf("refs = %s", got)
	}
}

// FuzzParse: Parse never panics, and what it accepts evaluates without
// panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"Muss [480] ∧ [2061]", "X [914] ∧ [937] [22]", "M [268] S [166]", "X [2P0..n]",
		"X ([950] [509] ∧ ([64] V [70])) V ([960] [522])", "Muss [1] U [2] O [3] X [4]", "X [UB1]", "Muss [131] ⊻", "(["} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			return
		}
		_ = e.Eval(nil, &Scope{Segment: -1})
		_ = e.String()
	})
}
