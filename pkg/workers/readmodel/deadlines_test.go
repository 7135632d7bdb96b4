package readmodel_test

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
)

// TestOpenDeadlinesAreTheEngineFold: the overview's open deadlines are
// engine.OpenDeadlines of the process (ordered by due time, then id) for
// processes whose deadlines were set, cancelled and fired over several
// commits — projected commit by commit from the stored overview, and again
// after a rebuild, which gives the same stored JSON (whose open_deadlines
// entries keep their fields deadline_id, label, due).
func TestOpenDeadlinesAreTheEngineFold(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p, err := readmodel.NewProjector(ctx, e.js, e.ec)
	if err != nil {
		t.Fatal(err)
	}
	fire := func(id engine.ProcessIdentity, cmdID engine.CommandID, i int) {
		t.Helper()
		did := engine.DeadlineIDFor(id.Process, cmdID, i)
		if _, err := e.ec.FireDeadline(ctx, id, engine.DeadlineFired{ID: did, FiredAt: t0.Add(72 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// start sets answer (index 0, due) and remind (index 1, due-1h); finish
	// cancels every open answer.
	var ids []engine.ProcessIdentity
	begin := func(due time.Duration) engine.ProcessIdentity {
		t.Helper()
		id, _ := engine.NewIdentity("nb", e.def.ID())
		ids = append(ids, id)
		e.exec(t, id, "c1", start{MaLo: "51234567895", PID: "55001", Due: t0.Add(due)})
		return id
	}
	begin(48 * time.Hour) // both open
	id := begin(24 * time.Hour)
	e.exec(t, id, "c2", finish{}) // remind open
	id = begin(12 * time.Hour)
	fire(id, "c1", 1) // answer open
	id = begin(6 * time.Hour)
	e.exec(t, id, "c2", finish{})
	fire(id, "c1", 1) // none open
	id = begin(30 * time.Hour)
	e.exec(t, id, "c2", start{MaLo: "51234567895", PID: "55001", Due: t0.Add(30 * time.Hour)})
	fire(id, "c1", 1) // answer c1, answer c2 (equal due times: ordered by id), remind c2 open
	id = begin(40 * time.Hour)
	fire(id, "c1", 0)
	e.exec(t, id, "c2", start{MaLo: "51234567895", PID: "55001", Due: t0.Add(20 * time.Hour)})
	e.exec(t, id, "c3", finish{}) // remind c2, remind c1 open

	cons, err := e.js.Consumer(ctx, "MAKO_EVENTS", readmodel.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = worker.Run(wctx, cons, p.HandleEvent, worker.WithKey(readmodel.LaneKey)) }()
	wait, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()

	store := readmodel.NewStore(e.js)
	check := func(when string) map[string]map[string][]byte {
		t.Helper()
		if err := readmodel.WaitCaughtUp(wait, e.js, 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
		counts := map[int]int{}
		var due []readmodel.DueDeadline
		for _, id := range ids {
			_, version, open, err := engine.OpenDeadlines(ctx, e.ec.EventStore(), id.Stream())
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(open, func(a, b engine.DeadlineSet) int { return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID)) })
			want := make([]readmodel.Deadline, len(open))
			for i, d := range open {
				want[i] = readmodel.Deadline{DeadlineID: string(d.ID), Label: d.Label, Due: d.Due.UTC()}
				due = append(due, readmodel.DueDeadline{Tenant: "nb", ProcessID: string(id.Process), Workflow: e.def.ID().String(), Deadline: want[i]})
			}
			got, err := store.Process(ctx, "nb", string(id.Process))
			if err != nil {
				t.Fatal(err)
			}
			if got.EventCount != version || !slices.EqualFunc(got.OpenDeadlines, want, func(a, b readmodel.Deadline) bool {
				return a.DeadlineID == b.DeadlineID && a.Label == b.Label && a.Due.Equal(b.Due)
			}) {
				t.Fatalf("%s: process %s (version %d) has open deadlines\n%+v\nthe engine's (version %d)\n%+v", when, id.Process, got.EventCount, got.OpenDeadlines, version, want)
			}
			counts[len(want)]++
		}
		if counts[0] != 1 || counts[1] != 2 || counts[2] != 2 || counts[3] != 1 {
			t.Fatalf("%s: the processes do not cover the cases: open deadline counts %v", when, counts)
		}
		slices.SortFunc(due, func(a, b readmodel.DueDeadline) int {
			return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ProcessID, b.ProcessID), cmp.Compare(a.DeadlineID, b.DeadlineID))
		})
		all, err := store.Deadlines(ctx, "nb", time.Time{})
		if err != nil || !slices.EqualFunc(all, due, func(a, b readmodel.DueDeadline) bool {
			return a.ProcessID == b.ProcessID && a.Workflow == b.Workflow && a.DeadlineID == b.DeadlineID && a.Label == b.Label && a.Due.Equal(b.Due)
		}) {
			t.Fatalf("%s: Deadlines = %+v, %v; want %+v", when, all, err, due)
		}
		dump, err := readmodel.Dump(ctx, e.js)
		if err != nil {
			t.Fatal(err)
		}
		return dump
	}
	before := check("projected")
	for k, v := range before[readmodel.BucketProcesses] {
		var raw struct {
			Open []map[string]json.RawMessage `json:"open_deadlines"`
		}
		if err := json.Unmarshal(v, &raw); err != nil || raw.Open == nil {
			t.Fatalf("%s: %s, %v", k, v, err)
		}
		for _, d := range raw.Open {
			if len(d) != 3 || d["deadline_id"] == nil || d["label"] == nil || d["due"] == nil {
				t.Fatalf("%s: stored open deadline %s", k, v)
			}
		}
	}
	if err := readmodel.Reset(ctx, e.js); err != nil {
		t.Fatal(err)
	}
	after := check("rebuilt")
	for k, v := range before[readmodel.BucketProcesses] {
		if string(after[readmodel.BucketProcesses][k]) != string(v) {
			t.Fatalf("%s differs after the rebuild:\n%s\n%s", k, v, after[readmodel.BucketProcesses][k])
		}
	}
}
