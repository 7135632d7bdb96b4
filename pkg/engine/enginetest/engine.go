package enginetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
)

// RunEngine checks the runtime's guarantees end to end on a backend: the
// Engine over the given stores (Registry optional). Backends run it
// in addition to the store suites.
func RunEngine(t *testing.T, newBackend func(t *testing.T) Backend) {
	ctx := context.Background()
	newEC := func(t *testing.T, be Backend, opts ...engine.Option) *engine.Engine {
		t.Helper()
		base := []engine.Option{engine.WithEventStore(be.Events)}
		if be.Snapshots != nil {
			base = append(base, engine.WithSnapshotStore(be.Snapshots))
		}
		if be.Registry != nil {
			base = append(base, engine.WithRegistry(be.Registry))
		}
		ec, err := engine.New(append(base, opts...)...)
		if err != nil {
			t.Fatal(err)
		}
		return ec
	}
	def := CounterDefinition()
	count := func(id string, delta int64) engine.Command {
		return engine.Command{ID: engine.CommandID(id), ReceivedAt: benchTime, Correlation: "c-" + engine.CorrelationID(id), Payload: Count{Delta: delta}}
	}

	t.Run("50 concurrent commands with retry through two engines: none lost, none duplicated, gap-free", func(t *testing.T) {
		be := newBackend(t)
		ecs := []*engine.Engine{newEC(t, be, engine.WithSnapshotInterval(5)), newEC(t, be, engine.WithSnapshotInterval(5))}
		p0, err := Spawn(def, ecs[0], Tenant)
		if err != nil {
			t.Fatal(err)
		}
		id := p0.Identity()
		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Go(func() {
				p, err := Resume(def, ecs[i%2], id)
				if err == nil {
					_, err = p.ExecuteWithRetry(ctx, count(fmt.Sprint(id.Process, "-", i), int64(i+1)), 500)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		evs, err := be.Events.Load(ctx, id.Stream())
		if err != nil {
			t.Fatal(err)
		}
		assertSequences(t, evs, 1, n)
		seen := map[engine.CommandID]bool{}
		for _, e := range evs {
			if seen[e.CommandID] {
				t.Fatalf("command %s committed twice", e.CommandID)
			}
			seen[e.CommandID] = true
		}
		s, v, err := p0.State(ctx)
		if err != nil || v != n || s.N != n || s.Sum != n*(n+1)/2 {
			t.Fatalf("State = %+v at %d, %v", s, v, err)
		}
		if s2, v2, err := p0.StateWithSnapshot(ctx); err != nil || v2 != v || s2 != s {
			t.Fatalf("StateWithSnapshot = %+v at %d, %v", s2, v2, err)
		}
	})

	t.Run("the same command id executed twice (also via another engine) appends once", func(t *testing.T) {
		be := newBackend(t)
		ec1, ec2 := newEC(t, be), newEC(t, be)
		p1, _ := Spawn(def, ec1, Tenant)
		p2, _ := Resume(def, ec2, p1.Identity())
		cmd := count(string(p1.Identity().Process)+"-once", 1)
		first, err := p1.ExecuteWithContext(ctx, cmd)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []*Process[CounterState]{p1, p2} {
			again, err := p.ExecuteWithContext(ctx, cmd)
			if err != nil || !again.Duplicate || len(again.Envelopes) != 1 || again.Envelopes[0].EventID != first.Envelopes[0].EventID {
				t.Fatalf("second execute = %+v, %v", again, err)
			}
		}
		// ec1's cache is stale after ec2 commits; the command still commits
		// once and ec1 answers with the first commit's envelopes (a store
		// that recognises the re-sent commit may report it as a success
		// instead of a Duplicate; see Result.Duplicate).
		other := count(string(p1.Identity().Process)+"-other", 1)
		orig, err := p2.ExecuteWithContext(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p1.ExecuteWithContext(ctx, other)
		if err != nil || len(res.Envelopes) != 1 || res.Envelopes[0].EventID != orig.Envelopes[0].EventID ||
			res.Envelopes[0].Sequence != orig.Envelopes[0].Sequence || !res.Envelopes[0].Timestamp.Equal(orig.Envelopes[0].Timestamp) {
			t.Fatalf("duplicate on a stale cache = %+v, %v; first commit %+v", res, err, orig)
		}
		if again, err := p1.ExecuteWithContext(ctx, other); err != nil || !again.Duplicate {
			t.Fatalf("third execute = %+v, %v", again, err)
		}
		if v, _ := be.Events.Version(ctx, p1.Identity().Stream()); v != 2 {
			t.Fatalf("version %d, want 2", v)
		}
	})

	t.Run("snapshot plus tail equals full replay", func(t *testing.T) {
		be := newBackend(t)
		if be.Snapshots == nil {
			t.Skip("no snapshot store")
		}
		for seed := uint64(1); seed <= 5; seed++ {
			rng := rand.New(rand.NewPCG(seed, 7))
			ec := newEC(t, be, engine.WithSnapshotInterval(1+rng.IntN(6)), engine.WithCacheSize(rng.IntN(2)))
			p, _ := Spawn(def, ec, Tenant)
			for i := range 5 + rng.IntN(30) {
				var c engine.CommandData = Count{Delta: rng.Int64N(50)}
				if rng.IntN(4) == 0 {
					c = CountMany{N: 1 + rng.IntN(5)}
				}
				cmd := engine.Command{ID: engine.CommandID(fmt.Sprint(p.Identity().Process, "-", i)), ReceivedAt: benchTime, Payload: c}
				if _, err := p.ExecuteWithContext(ctx, cmd); err != nil {
					t.Fatal(err)
				}
				full, vf, err1 := p.State(ctx)
				snap, vs, err2 := p.StateWithSnapshot(ctx)
				if err1 != nil || err2 != nil || full != snap || vf != vs {
					t.Fatalf("seed %d step %d: full %+v@%d (%v), snapshot %+v@%d (%v)", seed, i, full, vf, err1, snap, vs, err2)
				}
			}
		}
	})

	t.Run("a corrupt or unknown stored payload is a DecodeError naming stream and sequence", func(t *testing.T) {
		be := newBackend(t)
		ec := newEC(t, be)
		for _, bad := range []struct {
			typ     string
			payload []byte
		}{{"Counted", []byte{0xc1, 0x00}}, {"NoSuchEvent", []byte{0x80}}} {
			p, _ := Spawn(def, ec, Tenant)
			id := p.Identity()
			if _, err := p.ExecuteWithContext(ctx, count(string(id.Process)+"-1", 1)); err != nil {
				t.Fatal(err)
			}
			_, err := be.Events.Append(ctx, id.Stream(), engine.Exact(1), []engine.NewEvent{{Tenant: id.Tenant, Process: id.Process,
				Workflow: id.Workflow, Type: bad.typ, SchemaVersion: 1, CommandID: "raw", Payload: bad.payload}})
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = p.State(ctx)
			var de *engine.DecodeError
			if !errors.As(err, &de) || de.Stream != id.Stream() || de.Sequence != 2 {
				t.Fatalf("%s: State err = %v, want DecodeError at %s seq 2", bad.typ, err, id.Stream())
			}
			ec.Evict(id.Stream())
			if _, err := p.ExecuteWithContext(ctx, count(string(id.Process)+"-2", 1)); !errors.As(err, &de) || de.Sequence != 2 {
				t.Fatalf("%s: Execute err = %v", bad.typ, err)
			}
		}
	})

	t.Run("a spawn race on one key ends with one process", func(t *testing.T) {
		be := newBackend(t)
		if be.Registry == nil {
			t.Skip("no registry")
		}
		key := engine.CorrelationKey(engine.NewCorrelationID())
		const n = 20
		ids := make([]engine.ProcessIdentity, n)
		spawned := make([]bool, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				p, sp, err := SpawnOrResume(ctx, def, newEC(t, be), Tenant, key)
				if err == nil {
					ids[i], spawned[i] = p.Identity(), sp
				}
				errs[i] = err
			})
		}
		wg.Wait()
		wins := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("two processes: %v, %v", ids[i], ids[0])
			}
			if spawned[i] {
				wins++
			}
		}
		if wins != 1 {
			t.Fatalf("%d spawned, want 1", wins)
		}
	})
}
