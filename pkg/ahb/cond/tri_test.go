package cond

import "testing"

func TestKleene(t *testing.T) {
	all := []Tri{False, True, Unknown}
	for _, a := range all {
		for _, b := range all {
			and, or, xor := a.And(b), a.Or(b), a.Xor(b)
			// commutativity
			if and != b.And(a) || or != b.Or(a) || xor != b.Xor(a) {
				t.Errorf("%v,%v: not commutative", a, b)
			}
			if a.IsKnown() && b.IsKnown() {
				ba, bb := a == True, b == True
				if and != TriOf(ba && bb) || or != TriOf(ba || bb) || xor != TriOf(ba != bb) {
					t.Errorf("%v,%v: boolean table wrong: %v %v %v", a, b, and, or, xor)
				}
				continue
			}
			if xor != Unknown {
				t.Errorf("%v ⊻ %v = %v, want unknown", a, b, xor)
			}
		}
	}
	if False.And(Unknown) != False || True.Or(Unknown) != True || True.And(Unknown) != Unknown || False.Or(Unknown) != Unknown {
		t.Error("Kleene absorption wrong")
	}
	if Unknown.Not() != Unknown || True.Not() != False || False.Not() != True {
		t.Error("negation wrong")
	}
	var zero Tri
	if zero != Unknown || zero.IsTrue() {
		t.Error("zero Tri must be Unknown")
	}
}
