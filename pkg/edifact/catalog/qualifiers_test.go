package catalog

import "testing"

func TestQualifierMeaning(t *testing.T) {
	for _, c := range []struct{ tag, q, want string }{
		{"RFF", "Z13", "Prüfidentifikator"}, {"NAD", "MS", "Dokumenten-/Nachrichtenaussteller bzw. -absender"},
		{"LOC", "Z16", "Marktlokation"}, {"DTM", "137", "Dokumenten-/Nachrichtendatum/-zeit"}, {"STS", "E01", "Status der Antwort"},
		{"IDE", "24", "Transaktion"},
	} {
		if got, ok := QualifierMeaning(c.tag, c.q); !ok || got != c.want {
			t.Errorf("%s %s = %q, %v; want %q", c.tag, c.q, got, ok, c.want)
		}
	}
	if _, ok := QualifierMeaning("RFF", "XXX"); ok {
		t.Error("unknown code has a meaning")
	}
	if n, ok := SegmentName("UNH"); !ok || n == "" {
		t.Error("UNH has no name")
	}
}
