package aperak

import (
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
)

// FuzzBuild: whatever text goes into the references and FTX segments, Build
// either fails with a typed error or produces an interchange that parses and
// passes edifact.Check, with the texts intact.
func FuzzBuild(f *testing.F) {
	f.Add("VG26112000001", "51234567895?'+:", "Bestandteil eines Produktpakets", "RFF+Z13:55001", "DOK1")
	f.Add("", "", "x", "", "D")
	f.Add("a'b", "ü", "?", "??", "+")
	ix, err := edifact.Parse([]byte(utilmd55001))
	if err != nil {
		f.Fatal(err)
	}
	m := &ix.Messages[0]
	tx := edifact.Transactions(m)[0]
	base, err := ReferenceFrom(ix, m, &tx)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, tn, content, name, faulty, doc string) {
		ref := base
		ref.Transaction, ref.Document = tn, doc
		out, err := Build(Params{FormatVersion: fv2610, Ref: "AP1", Time: at}, Message{
			Ref: "1", DocumentNumber: "APK1", Reference: ref,
			Problems: []Problem{{Code: "Z29", Content: content, Location: &Location{Name: name, Faulty: faulty}}},
		})
		if err != nil {
			var be *BuildError
			var ee *edifact.BuildError
			if !errors.As(err, &be) && !errors.As(err, &ee) {
				t.Fatalf("untyped error %T %v", err, err)
			}
			return
		}
		got, err := edifact.Parse(out)
		if err != nil {
			t.Fatalf("parse: %v\n%q", err, out)
		}
		if rep := edifact.Check(got, edifact.WithFormatVersion(fv2610)); !rep.Clean() {
			t.Fatalf("not clean: %+v\n%q", rep.Findings, out)
		}
		if s, _ := got.Messages[0].Find(0, "RFF", "AGO"); s == nil || s.Value(0, 1) != doc {
			t.Fatalf("RFF+AGO %q lost: %q", doc, out)
		}
	})
}
