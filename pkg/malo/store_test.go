package malo_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/malo/malonats"
)

func ctxT(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestMemStoreConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, now func() time.Time) malo.Store { return malo.NewMemStore(now) })
}

func TestNATSStoreConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, now func() time.Time) malo.Store {
		s := natstest.Start(t)
		_, js := s.JetStream()
		st, err := malonats.OpenNATS(ctxT(t), js, 0, malonats.WithClock(now))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

// runConformance checks the Store contract on a fresh store per subtest.
func runConformance(t *testing.T, newStore func(t *testing.T, now func() time.Time) malo.Store) {
	clock := func() time.Time { return time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC) }
	rec := func(id string) malo.Record {
		return malo.Apply(malo.Apply(malo.Record{}, malo.SetGrid(id, "NG-1", nb)), malo.AssignSupplier(id, lfA, day("2026-01-01")))
	}

	t.Run("put get list delete", func(t *testing.T) {
		ctx := ctxT(t)
		s := newStore(t, clock)
		r1, err := s.Put(ctx, "nb", rec(maloA))
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Get(ctx, "nb", maloA)
		if err != nil {
			t.Fatal(err)
		}
		if e.Revision != r1 || e.Tenant != "nb" || e.Record.GridArea != "NG-1" || !e.Record.UpdatedAt.Equal(clock()) || len(e.Record.Periods) != 1 {
			t.Fatalf("got %+v (revision %d)", e, r1)
		}
		r2, err := s.Put(ctx, "nb", rec(maloB))
		if err != nil || r2 <= r1 {
			t.Fatalf("second put: %d %v", r2, err)
		}
		if _, err := s.Put(ctx, "lf", rec(maloA)); err != nil {
			t.Fatal(err)
		}
		l, err := s.List(ctx, "nb")
		if err != nil || len(l) != 2 || l[0].Record.MaLo != maloB || l[1].Record.MaLo != maloA {
			t.Fatalf("list %+v %v", l, err)
		}
		if l, err := s.List(ctx, "other"); err != nil || len(l) != 0 {
			t.Fatalf("empty tenant: %+v %v", l, err)
		}
		if r, err := s.Lookup(ctx, "nb", maloA); err != nil || r == nil || r.MaLo != maloA {
			t.Fatalf("lookup %+v %v", r, err)
		}
		if err := s.Delete(ctx, "nb", maloA); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, "nb", maloA); !errors.Is(err, malo.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if r, err := s.Lookup(ctx, "nb", maloA); err != nil || r != nil {
			t.Fatalf("lookup after delete: %+v %v", r, err)
		}
		if err := s.Delete(ctx, "nb", maloA); !errors.Is(err, malo.ErrNotFound) {
			t.Fatalf("delete missing: %v", err)
		}
		if e, err := s.Get(ctx, "lf", maloA); err != nil || e.Tenant != "lf" {
			t.Fatalf("other tenant's record: %+v %v", e, err)
		}
	})

	t.Run("gas master data", func(t *testing.T) {
		ctx := ctxT(t)
		s := newStore(t, clock)
		if _, err := malo.ApplyChange(ctx, s, "nb", "e1", malo.SetGrid(maloA, "NG-G", nbGas)); err != nil {
			t.Fatal(err)
		}
		if _, err := malo.ApplyChange(ctx, s, "nb", "e2", malo.SetGas(maloA, gasData())); err != nil {
			t.Fatal(err)
		}
		e, err := s.Get(ctx, "nb", maloA)
		if err != nil {
			t.Fatal(err)
		}
		if e.Record.Gas != gasData() || e.Record.Sector != "Gas" || e.Record.GridOperator != nbGas {
			t.Fatalf("record %+v", e.Record)
		}
		if _, err := s.Put(ctx, "nb", malo.Record{MaLo: maloB, Sector: "Strom", Gas: gasData()}); !errors.Is(err, malo.ErrInvalid) {
			t.Fatalf("gas data on a Strom record: %v", err)
		}
	})

	t.Run("conditions", func(t *testing.T) {
		ctx := ctxT(t)
		s := newStore(t, clock)
		r1, err := s.Put(ctx, "nb", rec(maloA), kvrecord.IfAbsent())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "nb", rec(maloA), kvrecord.IfAbsent()); !errors.Is(err, malo.ErrConflict) {
			t.Fatalf("IfAbsent on existing: %v", err)
		}
		r2, err := s.Put(ctx, "nb", rec(maloA), kvrecord.IfRevision(r1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "nb", rec(maloA), kvrecord.IfRevision(r1)); !errors.Is(err, malo.ErrConflict) {
			t.Fatalf("stale revision: %v", err)
		}
		if err := s.Delete(ctx, "nb", maloA, kvrecord.IfRevision(r1)); !errors.Is(err, malo.ErrConflict) {
			t.Fatalf("delete stale: %v", err)
		}
		if err := s.Delete(ctx, "nb", maloA, kvrecord.IfRevision(r2)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("invalid", func(t *testing.T) {
		ctx := ctxT(t)
		s := newStore(t, clock)
		if _, err := s.Put(ctx, "NB!", rec(maloA)); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("bad tenant: %v", err)
		}
		if _, err := s.Put(ctx, "nb", malo.Record{MaLo: "12345678901"}); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("bad malo: %v", err)
		}
		if _, err := s.Get(ctx, "nb", "x"); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("get bad malo: %v", err)
		}
		if _, err := s.Lookup(ctx, "nb", "x"); !errors.Is(err, malo.ErrInvalid) {
			t.Errorf("lookup bad malo: %v", err)
		}
	})

	t.Run("apply change once per id under concurrency", func(t *testing.T) {
		ctx := ctxT(t)
		s := newStore(t, clock)
		changes := []malo.Change{
			malo.AssignSupplier(maloA, lfA, day("2026-01-01")),
			malo.SetGrid(maloA, "NG-2", nb),
			malo.AssignSupplier(maloA, lfB, day("2026-12-01")),
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		fresh := map[int]int{}
		for rep := 0; rep < 3; rep++ {
			for i, c := range changes {
				wg.Go(func() {
					ok, err := malo.ApplyChange(ctx, s, "nb", "event-"+string(rune('a'+i)), c)
					if err != nil {
						t.Error(err)
						return
					}
					if ok {
						mu.Lock()
						fresh[i]++
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		for i := range changes {
			if fresh[i] != 1 {
				t.Errorf("change %d applied %d times", i, fresh[i])
			}
		}
		e, err := s.Get(ctx, "nb", maloA)
		if err != nil {
			t.Fatal(err)
		}
		if len(e.Record.Applied) != 3 || e.Record.GridArea != "NG-2" {
			t.Fatalf("record %+v", e.Record)
		}
		// The order of two assignments does not matter for the result.
		samePeriods(t, e.Record.Periods, []malo.Period{closed(lfA, "2026-01-01", "2026-12-01"), open(lfB, "2026-12-01")})
		if _, err := malo.ApplyChange(ctx, s, "nb", "x", malo.AssignSupplier(maloA, "1", day("2026-01-01"))); !errors.Is(err, malo.ErrInvalid) {
			t.Fatalf("invalid change: %v", err)
		}
	})
}

func TestKVReaderBindsLazily(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := ctxT(t)
	r := malonats.NewKVReader(js)
	if _, err := r.Lookup(ctx, "nb", maloA); err == nil {
		t.Fatal("lookup without a bucket succeeded")
	}
	st, err := malonats.OpenNATS(ctx, js, 0)
	if err != nil {
		t.Fatal(err)
	}
	if rec, err := r.Lookup(ctx, "nb", maloA); err != nil || rec != nil {
		t.Fatalf("unknown MaLo: %+v %v", rec, err)
	}
	if _, err := st.Put(ctx, "nb", malo.Apply(malo.Record{}, malo.AssignSupplier(maloA, lfA, day("2026-01-01")))); err != nil {
		t.Fatal(err)
	}
	if rec, err := r.Lookup(ctx, "nb", maloA); err != nil || rec == nil || rec.Periods[0].Supplier != lfA {
		t.Fatalf("lookup: %+v %v", rec, err)
	}
	if _, err := r.Lookup(ctx, "nb", "1"); !errors.Is(err, malo.ErrInvalid) {
		t.Fatalf("invalid id: %v", err)
	}
}

// TestInvalidNATSOptionIsRefused: OpenNATS returns the error of an invalid
// option instead of ignoring it.
func TestInvalidNATSOptionIsRefused(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	if st, err := malonats.OpenNATS(ctxT(t), js, 0, malonats.WithClock(nil)); err == nil || st != nil {
		t.Errorf("WithClock(nil): store %v, err %v; want an error", st, err)
	}
}
