package model

import (
	"bytes"
	"reflect"
	"testing"
)

func TestEncodeDecodeIndexed(t *testing.T) {
	f := &File{FV: "FV2610", Type: "UTILMD", Sector: "Strom", Version: "S2.2", Sources: []string{"a", "b"},
		MIG: MIG{Root: []string{"UNH", "SG4"}, RootOrdered: true, Groups: []Group{{ID: "SG4", Trigger: "IDE", Items: []string{"IDE"}, Ordered: true,
			Qualifiers: []Qualifier{{Tag: "IDE", Codes: []string{"24"}}}}},
			Segments: []Layout{{Tag: "IDE", Elements: []Element{{ID: "7495", Format: "an..3"}}}}},
		PIDs: []PID{
			{ID: "55001", Name: "Anmeldung", Lines: []Line{{Seg: "UNH", Expr: "Muss"}, {Group: "SG4", Seg: "IDE", Expr: "Muss", GroupExpr: "Muss [1] ∧ [2]",
				Elements: []LineElement{{ID: "7495", Pos: 0, Sub: 0, Expr: "X", Codes: [][2]string{{"24", "X"}}}}}}},
			{ID: "55002", Name: "Antwort \"x\"", Lines: []Line{{Seg: "UNH", Expr: "Muss"}}},
		},
		Conditions: map[string]string{"2": "b", "10": "a", "UB1": "c"},
	}
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	g, err := Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Fatalf("round trip:\n%+v\n%+v", f, g)
	}
	h, raws, err := DecodeIndexed(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(raws) != 2 || raws[0].ID != "55001" || raws[1].Name != `Antwort "x"` || h.PIDs != nil || !reflect.DeepEqual(h.Conditions, f.Conditions) || !reflect.DeepEqual(h.MIG, f.MIG) {
		t.Fatalf("indexed: %+v %+v", h, raws)
	}
	for i, r := range raws {
		p, err := DecodePID(r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*p, f.PIDs[i]) {
			t.Fatalf("PID %d:\n%+v\n%+v", i, *p, f.PIDs[i])
		}
	}
}

func TestDecodeIndexedWithoutConditions(t *testing.T) {
	f := &File{FV: "FV2610", Type: "MSCONS", Sources: []string{"a"}, PIDs: []PID{{ID: "13002", Name: "x", Lines: []Line{{Seg: "UNH", Expr: "Muss"}}}, {ID: "13003", Name: "y"}}}
	var buf bytes.Buffer
	if err := Encode(&buf, f); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	h, raws, err := DecodeIndexed(data)
	if err != nil || len(raws) != 2 || h.Type != "MSCONS" {
		t.Fatalf("%v %+v %+v", err, h, raws)
	}
	if bytes.Contains(raws[0].JSON, []byte("13003")) {
		t.Fatalf("PID chunks not split: %s", raws[0].JSON)
	}
}
