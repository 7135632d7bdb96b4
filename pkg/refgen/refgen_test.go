package refgen

import (
	"strconv"
	"strings"
	"testing"
)

func TestRefDeterministicAndShaped(t *testing.T) {
	a := Ref("C", "acme", "9900000000004", "MK26112000017")
	if a != Ref("C", "acme", "9900000000004", "MK26112000017") {
		t.Fatal("not deterministic")
	}
	if len(a) != MaxLen || !strings.HasPrefix(a, "C") || strings.Trim(a[1:], "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		t.Fatalf("bad shape %q", a)
	}
	if a == Ref("C", "acme", "9900000000004", "MK26112000018") {
		t.Fatal("different inputs gave the same ref")
	}
	if Ref("C", "ab", "c") == Ref("C", "a", "bc") {
		t.Fatal("part boundaries ignored")
	}
	seen := map[string]bool{}
	for i := range 100000 {
		r := RefN(10, "X", "n", strconv.Itoa(i), strings.Repeat("x", i%7))
		if seen[r] {
			t.Fatalf("collision after %d refs", i)
		}
		seen[r] = true
	}
}
