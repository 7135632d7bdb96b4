package malo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/malo"
)

// Ids with valid check digits (edifact.md §13 worked example; ident tests).
const (
	maloA = "51238696781"
	maloB = "41373559241"
	lfA   = "9900000000004"
	lfB   = "9900000000028"
	nb    = "9900000000011"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s+"T22:00:00Z")
	if err != nil {
		panic(err)
	}
	return t
}

func open(supplier, from string) malo.Period { return malo.Period{Supplier: supplier, From: day(from)} }

func closed(supplier, from, to string) malo.Period {
	t := day(to)
	return malo.Period{Supplier: supplier, From: day(from), To: &t}
}

func samePeriods(t *testing.T, got, want []malo.Period) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("periods %s, want %s", fmtPeriods(got), fmtPeriods(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Supplier != w.Supplier || !g.From.Equal(w.From) || (g.To == nil) != (w.To == nil) || g.To != nil && !g.To.Equal(*w.To) {
			t.Fatalf("periods %s, want %s", fmtPeriods(got), fmtPeriods(want))
		}
	}
}

func fmtPeriods(ps []malo.Period) string {
	s := "["
	for _, p := range ps {
		to := "open"
		if p.To != nil {
			to = p.To.Format("2006-01-02")
		}
		s += " " + p.Supplier[len(p.Supplier)-2:] + ":" + p.From.Format("2006-01-02") + ".." + to
	}
	return s + " ]"
}

func TestApplyPeriods(t *testing.T) {
	for _, tc := range []struct {
		name    string
		start   []malo.Period
		changes []malo.Change
		want    []malo.Period
	}{
		{"first assignment", nil, []malo.Change{malo.AssignSupplier(maloA, lfA, day("2026-01-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
		{"switch closes the previous at the new start", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfB, day("2026-12-01"))},
			[]malo.Period{closed(lfA, "2026-01-01", "2026-12-01"), open(lfB, "2026-12-01")}},
		{"same switch twice is idempotent", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfB, day("2026-12-01")), malo.AssignSupplier(maloA, lfB, day("2026-12-01"))},
			[]malo.Period{closed(lfA, "2026-01-01", "2026-12-01"), open(lfB, "2026-12-01")}},
		{"assignment before a later one ends where it begins", []malo.Period{closed(lfA, "2026-01-01", "2027-01-01"), open(lfB, "2027-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfB, day("2026-06-01"))},
			[]malo.Period{closed(lfA, "2026-01-01", "2026-06-01"), open(lfB, "2026-06-01")}},
		{"same start replaces", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfB, day("2026-01-01"))},
			[]malo.Period{open(lfB, "2026-01-01")}},
		{"own supply continues", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfA, day("2026-03-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
		{"end closes the covering period", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.EndSupply(maloA, lfA, day("2026-06-01")), malo.EndSupply(maloA, lfA, day("2026-06-01"))},
			[]malo.Period{closed(lfA, "2026-01-01", "2026-06-01")}},
		{"end of another supplier changes nothing", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.EndSupply(maloA, lfB, day("2026-06-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
		{"end before the start drops the period", []malo.Period{closed(lfA, "2026-01-01", "2026-12-01"), open(lfB, "2026-12-01")},
			[]malo.Change{malo.EndSupply(maloA, lfB, day("2026-12-01"))},
			[]malo.Period{closed(lfA, "2026-01-01", "2026-12-01")}},
		{"revoke reopens the previous", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, lfB, day("2026-12-01")), malo.RevokeAssignment(maloA, lfB, day("2026-12-01")), malo.RevokeAssignment(maloA, lfB, day("2026-12-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
		{"change of another MaLo is ignored", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloB, lfB, day("2026-12-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
		{"invalid change is ignored", []malo.Period{open(lfA, "2026-01-01")},
			[]malo.Change{malo.AssignSupplier(maloA, "123", day("2026-12-01"))},
			[]malo.Period{open(lfA, "2026-01-01")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := malo.Record{MaLo: maloA, Periods: tc.start}
			before := r.Clone()
			for _, c := range tc.changes {
				r = malo.Apply(r, c)
				if err := r.Validate(); err != nil {
					t.Fatalf("after %+v: %v", c, err)
				}
			}
			samePeriods(t, r.Periods, tc.want)
			samePeriods(t, tc.start, before.Periods) // Apply is pure
		})
	}
}

func TestSupplierAtAndGrid(t *testing.T) {
	r := malo.Apply(malo.Record{}, malo.SetGrid(maloA, "NG-7", nb))
	r = malo.Apply(r, malo.AssignSupplier(maloA, lfA, day("2026-01-01")))
	r = malo.Apply(r, malo.AssignSupplier(maloA, lfB, day("2026-12-01")))
	if r.MaLo != maloA || r.GridArea != "NG-7" || r.GridOperator != nb {
		t.Fatalf("record %+v", r)
	}
	for at, want := range map[string]string{"2026-05-05": lfA, "2026-12-01": lfB, "2030-01-01": lfB} {
		p, ok := r.SupplierAt(day(at))
		if !ok || p.Supplier != want {
			t.Errorf("SupplierAt(%s) = %v %v, want %s", at, p.Supplier, ok, want)
		}
	}
	if _, ok := r.SupplierAt(day("2025-06-01")); ok {
		t.Error("supplier before the first assignment")
	}
}

func TestValidate(t *testing.T) {
	to := day("2026-01-01")
	for name, r := range map[string]malo.Record{
		"bad malo":    {MaLo: "51238696780"},
		"bad nb":      {MaLo: maloA, GridOperator: "99"},
		"bad sector":  {MaLo: maloA, Sector: "Wasser"},
		"empty":       {MaLo: maloA, Periods: []malo.Period{{Supplier: lfA, From: to, To: &to}}},
		"overlapping": {MaLo: maloA, Periods: []malo.Period{open(lfA, "2025-01-01"), open(lfB, "2026-01-01")}},
		"bad melo":    {MaLo: maloA, MeLos: []string{"DE000"}},
		"bad msb":     {MaLo: maloA, MSB: "9900000000005"},
		"bad gmsb":    {MaLo: maloA, BaseMSB: "123"},
		"bad role":    {MaLo: maloA, MSB: nb, MSBRole: "Z99"},
		"negative":    {MaLo: maloA, AnnualConsumption: ptr(int64(-1))},
	} {
		if err := r.Validate(); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, c := range map[string]malo.Change{
		"no date": malo.AssignSupplier(maloA, lfA, time.Time{}),
		"bad lf":  malo.EndSupply(maloA, "x", day("2026-01-01")),
		"kind":    {Kind: "merge", MaLo: maloA},
	} {
		if err := c.Validate(); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestAnswerData: MeLos, MSB and the previous-year consumption validate and
// are deep-copied by Clone.
func TestAnswerData(t *testing.T) {
	r := malo.Record{MaLo: maloA, MeLos: []string{"DE0001234567890123456789012345678"}, MSB: nb, MSBRole: "Z39", AnnualConsumption: ptr(int64(3500))}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	c := r.Clone()
	c.MeLos[0], *c.AnnualConsumption = "DE0000000000000000000000000000000", 1
	if r.MeLos[0] != "DE0001234567890123456789012345678" || *r.AnnualConsumption != 3500 {
		t.Fatalf("Clone shares data: %+v", r)
	}
}

// request is an Enrichable command payload as a workflow would define it.
type request struct {
	MaLo   string
	Master *malo.Record
}

func (request) CommandType() string                            { return "test.request" }
func (r request) MaLoID() string                               { return r.MaLo }
func (r request) WithMaLo(rec *malo.Record) engine.CommandData { r.Master = rec; return r }

type other struct{}

func (other) CommandType() string { return "test.other" }

func TestEnricher(t *testing.T) {
	ctx := context.Background()
	s := malo.NewMemStore(nil)
	if _, err := s.Put(ctx, "nb", malo.Apply(malo.Record{}, malo.AssignSupplier(maloA, lfA, day("2026-01-01")))); err != nil {
		t.Fatal(err)
	}
	enrich := malo.Enricher(s)
	id := engine.ProcessIdentity{Tenant: "nb", Process: "p1"}
	for _, tc := range []struct {
		malo  string
		found bool
	}{{maloA, true}, {maloB, false}, {"123", false}} {
		cmd := engine.Command{Payload: request{MaLo: tc.malo}}
		if err := enrich(ctx, id, &cmd); err != nil {
			t.Fatal(err)
		}
		got := cmd.Payload.(request)
		if (got.Master != nil) != tc.found || tc.found && got.Master.Periods[0].Supplier != lfA {
			t.Errorf("%s: enriched with %+v", tc.malo, got.Master)
		}
	}
	cmd := engine.Command{Payload: other{}}
	if err := enrich(ctx, id, &cmd); err != nil || cmd.Payload != (other{}) {
		t.Fatalf("non-enrichable payload: %v %+v", err, cmd.Payload)
	}
	// Another tenant does not see the record.
	cmd = engine.Command{Payload: request{MaLo: maloA}}
	if err := enrich(ctx, engine.ProcessIdentity{Tenant: "lf", Process: "p1"}, &cmd); err != nil || cmd.Payload.(request).Master != nil {
		t.Fatalf("other tenant: %v %+v", err, cmd.Payload)
	}
}
