package cond

// Tri is a three-valued truth value (Kleene logic). Unknown means "not
// evaluated": the code could not decide the condition from what the message
// and the Scope provide. Unknown is never a pass; the zero Tri is Unknown so
// that an uninitialised value is never mistaken for a decision.
type Tri uint8

// Truth values.
const (
	// Unknown: not evaluated (no predicate, or the context is missing).
	Unknown Tri = iota
	// False: the condition is decided and not fulfilled.
	False
	// True: the condition is decided and fulfilled.
	True
)

// TriOf returns True for b, False otherwise.
func TriOf(b bool) Tri {
	if b {
		return True
	}
	return False
}

// String returns "false", "true" or "unknown".
func (t Tri) String() string {
	switch t {
	case False:
		return "false"
	case True:
		return "true"
	}
	return "unknown"
}

// IsTrue reports whether t is True (decided and fulfilled).
func (t Tri) IsTrue() bool { return t == True }

// IsFalse reports whether t is False (decided and not fulfilled).
func (t Tri) IsFalse() bool { return t == False }

// IsKnown reports whether t is True or False.
func (t Tri) IsKnown() bool { return t == True || t == False }

// Not is Kleene negation: ¬Unknown = Unknown.
func (t Tri) Not() Tri {
	switch t {
	case True:
		return False
	case False:
		return True
	}
	return Unknown
}

// And is Kleene conjunction: False if either is False, True if both are True,
// Unknown otherwise.
func (t Tri) And(u Tri) Tri {
	if t == False || u == False {
		return False
	}
	if t == True && u == True {
		return True
	}
	return Unknown
}

// Or is Kleene disjunction: True if either is True, False if both are False,
// Unknown otherwise.
func (t Tri) Or(u Tri) Tri {
	if t == True || u == True {
		return True
	}
	if t == False && u == False {
		return False
	}
	return Unknown
}

// Xor is exclusive or: Unknown if either is Unknown, else True iff exactly
// one is True.
func (t Tri) Xor(u Tri) Tri {
	if !t.IsKnown() || !u.IsKnown() {
		return Unknown
	}
	return TriOf(t != u)
}
