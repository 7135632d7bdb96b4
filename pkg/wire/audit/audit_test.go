package audit_test

import (
	"encoding/json"
	"testing"

	"github.com/mako-engine/mako/pkg/wire/audit"
)

func TestSubjectRoundTrip(t *testing.T) {
	s := audit.Subject("nb", audit.KindMaLo, "51238696781")
	if s != "mako.audit.nb.malo.51238696781" {
		t.Fatalf("Subject = %q", s)
	}
	tn, kind, id, err := audit.ParseSubject(s)
	if err != nil || tn != "nb" || kind != audit.KindMaLo || id != "51238696781" {
		t.Fatalf("ParseSubject = %q %q %q %v", tn, kind, id, err)
	}
	for _, bad := range []string{"mako.audit.nb.malo", "mako.audit.nb.malo.1.2", "mako.audit..malo.1", "mako.dlq.nb.malo.1"} {
		if _, _, _, err := audit.ParseSubject(bad); err == nil {
			t.Errorf("ParseSubject(%q) accepted", bad)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	r := audit.Record{Tenant: "nb", Kind: audit.KindPartner, ID: "9900000000004", Actor: "anna", At: "2026-12-06T10:00:00+01:00",
		Action: "update", Reason: "Kanal", Before: json.RawMessage(`{"a":1}`), After: json.RawMessage(`{"a":2}`), Revision: 3}
	subj, b, err := audit.Encode(r)
	if err != nil || subj != audit.Subject("nb", audit.KindPartner, "9900000000004") {
		t.Fatalf("Encode = %q, %v", subj, err)
	}
	got, err := audit.Decode(b)
	if err != nil || got.Actor != "anna" || got.Revision != 3 || string(got.After) != `{"a":2}` {
		t.Fatalf("Decode = %+v, %v", got, err)
	}
	for _, bad := range []audit.Record{{Kind: "partner", ID: "1", Actor: "a"}, {Tenant: "nb", Kind: "partner", ID: "a.b", Actor: "a"},
		{Tenant: "n.b", Kind: "partner", ID: "1", Actor: "a"}, {Tenant: "nb", Kind: "partner", ID: "1"}} {
		if _, _, err := audit.Encode(bad); err == nil {
			t.Errorf("incomplete record %+v encoded", bad)
		}
	}
	if _, err := audit.Decode([]byte("{kaputt")); err == nil {
		t.Error("Decode accepted garbage")
	}
}
