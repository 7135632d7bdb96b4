package commits_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/commits"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/streams"
)

// bind is a command binding business keys of kind "case".
type bind struct{ Values []string }

func (bind) CommandType() string { return "test.bind" }

type bound struct{ N int }

func (bound) EventType() string { return "test.bound" }

type binder struct{}

func (binder) Name() string                    { return "test.binder" }
func (binder) Codec() *engine.Codec            { return engine.NewCodec().Event(bound{}, 1).Command(bind{}) }
func (binder) Initial() int                    { return 0 }
func (binder) Apply(s int, _ engine.Event) int { return s + 1 }
func (binder) Handle(_ int, cmd engine.Command) (engine.Decision, error) {
	b := cmd.Payload.(bind)
	d := engine.Decision{Events: []engine.EventData{bound{N: len(b.Values)}}}
	for _, v := range b.Values {
		d.Correlate = append(d.Correlate, engine.BusinessKey{Kind: "case", Value: v})
	}
	return d, nil
}

// commitOf commits a decision binding values and returns its envelopes.
func commitOf(tb testing.TB, values ...string) (engine.ProcessIdentity, []engine.EventEnvelope) {
	tb.Helper()
	def := engine.Define[int](binder{}, fv.MustParse("FV2604"))
	ec, err := engine.New(engine.WithEventStore(memstore.NewEventStore()), engine.WithWorkflows(def))
	if err != nil {
		tb.Fatal(err)
	}
	id, err := engine.NewIdentity("nb", def.ID())
	if err != nil {
		tb.Fatal(err)
	}
	res, err := ec.Execute(context.Background(), id, engine.Command{ID: "c1", ReceivedAt: time.Now(), Payload: bind{Values: values}})
	if err != nil {
		tb.Fatal(err)
	}
	return id, res.Envelopes
}

// registry opens the registry bucket on an embedded server.
func registry(tb testing.TB) *natsstore.Registry {
	tb.Helper()
	s := natstest.Start(tb)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.EnsureStreams(ctx, js, []string{streams.KVStream("mako_registry")}); err != nil {
		tb.Fatal(err)
	}
	r, err := natsstore.NewRegistry(ctx, js)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	return r
}

// The keys a commit binds resolve to its process; binding them again (the
// relay and the ERP publisher, a redelivery) leaves one entry each. A key
// event that cannot be decoded is a permanent failure.
func TestBindKeys(t *testing.T) {
	ctx := context.Background()
	reg := registry(t)
	id, envs := commitOf(t, "a", "b")
	for range 3 {
		if err := commits.BindKeys(ctx, reg, envs); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"a", "b"} {
		got, err := reg.LookupAll(ctx, "nb", engine.BusinessKey{Kind: "case", Value: v})
		if err != nil || len(got) != 1 || got[0] != id {
			t.Fatalf("case %s: %v %v, want [%v]", v, got, err, id)
		}
	}
	if err := commits.BindKeys(ctx, reg, nil); err != nil {
		t.Fatal(err)
	}
	corrupt := append([]engine.EventEnvelope(nil), envs...)
	for i := range corrupt {
		if corrupt[i].Type == engine.EventKeyBound {
			corrupt[i].Payload = []byte{0xc1} // never valid msgpack
		}
	}
	if err := commits.BindKeys(ctx, reg, corrupt); !worker.IsPermanent(err) {
		t.Fatalf("corrupt key event: %v", err)
	}
}

// BenchmarkBindKeys binds the one key of a commit per op (a registry Put on
// an embedded server, file storage): what the ERP publisher adds to a
// commit that binds a key.
func BenchmarkBindKeys(b *testing.B) {
	ctx := context.Background()
	reg := registry(b)
	i := 0
	envs := make([][]engine.EventEnvelope, 1024)
	for j := range envs {
		_, envs[j] = commitOf(b, fmt.Sprint("k", j))
	}
	for b.Loop() {
		if err := commits.BindKeys(ctx, reg, envs[i%len(envs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
