package cond

// maxNotEvaluated bounds the not-evaluated references a Result records
// (fixed-size so that Eval does not allocate); Result.Truncated reports more.
const maxNotEvaluated = 8

// Result is the outcome of evaluating an expression for one AHB line.
type Result struct {
	// Status is the status word of the first pair whose condition holds
	// (pairs are tried in order, "Muss [13] Soll [9]": Muss if [13], else
	// Soll if [9]). StatusNone when no pair applies or when it cannot be
	// determined (Allowed is then False or Unknown).
	Status Status
	// Required: the line must be present (a pair with status Muss, X or U
	// applies). Soll/Kann/O lines are never required.
	Required Tri
	// Allowed: the line may be present (some pair applies). False means the
	// line must not be used.
	Allowed Tri
	// Format: the Scope's Value satisfies the format conditions and value
	// rules (KindFormat, KindValue) of the pair that applies (True when it
	// has none). Unknown when the status is not determined, the Value is
	// empty, or such a condition has no predicate or lacks context.
	Format Tri

	n         uint8
	truncated bool
	missing   [maxNotEvaluated]Ref
}

// NotEvaluated returns the requirement and format conditions that were not
// evaluated (no predicate, or the predicate lacked context), in order of
// first appearance. The slice aliases r.
func (r *Result) NotEvaluated() []Ref { return r.missing[:r.n] }

// Truncated reports whether more conditions were not evaluated than
// NotEvaluated holds.
func (r *Result) Truncated() bool { return r.truncated }

func (r *Result) note(ref Ref) {
	for i := 0; i < int(r.n); i++ {
		if r.missing[i] == ref {
			return
		}
	}
	if int(r.n) == len(r.missing) {
		r.truncated = true
		return
	}
	r.missing[r.n] = ref
	r.n++
}

// val is Tri extended by a neutral element for hints, repeatability
// conditions and packages (and format conditions in the requirement view):
// neutral ∘ x = x for ∧ ∨ ⊻, and a neutral result means "unconditional".
type val uint8

const (
	vU val = iota
	vF
	vT
	vN
)

func (v val) tri() Tri {
	switch v {
	case vF:
		return False
	case vT, vN:
		return True
	}
	return Unknown
}

func valOf(t Tri) val {
	switch t {
	case True:
		return vT
	case False:
		return vF
	}
	return vU
}

func combine(o op, a, b val) val {
	if a == vN {
		return b
	}
	if b == vN {
		return a
	}
	x, y := a.tri(), b.tri()
	switch o {
	case opAnd:
		return valOf(x.And(y))
	case opOr:
		return valOf(x.Or(y))
	}
	return valOf(x.Xor(y))
}

// Eval evaluates the expression for the line described by sc, with the
// predicates of set (nil: none — every requirement condition is Unknown).
// It does not allocate.
func (e *Expr) Eval(set *Set, sc *Scope) Result {
	var res Result
	required, allowed, prefix := False, False, True
	decided := false
	for _, p := range e.pairs {
		r, v := vT, vT
		if p.root >= 0 {
			r, v = e.eval(p.root, set, sc, &res)
		}
		R := r.tri()
		allowed = allowed.Or(R)
		applies := prefix.And(R)
		required = required.Or(applies.And(TriOf(p.status.Required())))
		if !decided && prefix == True && R == True {
			res.Status, res.Format, decided = p.status, v.tri(), true
		}
		prefix = prefix.And(R.Not())
	}
	res.Required, res.Allowed = required, allowed
	if !decided {
		res.Format = Unknown
		if allowed == False {
			res.Format = True
		}
	}
	return res
}

// eval returns the requirement view r (format conditions neutral) and the
// full view v (format conditions checked on sc.Value) of node i.
func (e *Expr) eval(i int32, set *Set, sc *Scope, res *Result) (r, v val) {
	n := &e.nodes[i]
	if n.op != opRef {
		ra, va := e.eval(n.a, set, sc, res)
		rb, vb := e.eval(n.b, set, sc, res)
		return combine(n.op, ra, rb), combine(n.op, va, vb)
	}
	switch set.Kind(n.ref, sc) {
	case KindHint, KindRepeat, KindPackage:
		return vN, vN
	case KindFormat, KindValue:
		if sc == nil || sc.Value == "" {
			return vN, vU
		}
		t := set.Eval(n.ref, sc)
		if t == Unknown {
			res.note(n.ref)
		}
		return vN, valOf(t)
	}
	t := set.Eval(n.ref, sc)
	if t == Unknown {
		res.note(n.ref)
	}
	return valOf(t), valOf(t)
}

// ChecksValue reports whether the expression holds a format condition or a
// value rule (by set's classification) — the lines whose Eval needs the
// data element value in Scope.Value to decide Result.Format.
func (e *Expr) ChecksValue(set *Set) bool {
	for _, r := range e.refs {
		if k := set.Kind(r, nil); k == KindFormat || k == KindValue {
			return true
		}
	}
	return false
}
