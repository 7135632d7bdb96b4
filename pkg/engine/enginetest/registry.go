package enginetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
)

// NewIdentity returns a fresh identity in Tenant.
func NewIdentity() engine.ProcessIdentity {
	return engine.ProcessIdentity{Tenant: Tenant, Process: engine.NewProcessID(), Workflow: Workflow}
}

// RunRegistry checks the engine.Registry contract.
func RunRegistry(t *testing.T, newRegistry func(t *testing.T) engine.Registry) {
	ctx := context.Background()
	t.Run("register then lookup", func(t *testing.T) {
		r, id := newRegistry(t), NewIdentity()
		key := engine.CorrelationKey(engine.NewCorrelationID())
		got, err := r.Register(ctx, Tenant, key, id)
		if err != nil || got != id {
			t.Fatalf("Register = %v, %v", got, err)
		}
		got, ok, err := r.Lookup(ctx, Tenant, key)
		if err != nil || !ok || got != id {
			t.Fatalf("Lookup = %v, %v, %v; want %v", got, ok, err, id)
		}
	})
	t.Run("register is create-only: a taken key returns the stored identity and ErrKeyExists", func(t *testing.T) {
		r, first, second := newRegistry(t), NewIdentity(), NewIdentity()
		key := engine.CorrelationKey(engine.NewCorrelationID())
		if _, err := r.Register(ctx, Tenant, key, first); err != nil {
			t.Fatal(err)
		}
		got, err := r.Register(ctx, Tenant, key, second)
		if !errors.Is(err, engine.ErrKeyExists) || got != first {
			t.Fatalf("second Register = %v, %v; want %v, ErrKeyExists", got, err, first)
		}
		got, _, _ = r.Lookup(ctx, Tenant, key)
		if got != first {
			t.Fatalf("key now maps to %v", got)
		}
	})
	t.Run("lookup of a missing key is ok=false without error", func(t *testing.T) {
		r := newRegistry(t)
		if _, ok, err := r.Lookup(ctx, Tenant, engine.ProcessKey(engine.NewProcessID())); ok || err != nil {
			t.Fatalf("Lookup = %v, %v", ok, err)
		}
	})
	t.Run("remove frees the key; removing a missing key is no error", func(t *testing.T) {
		r, id := newRegistry(t), NewIdentity()
		key := engine.ProcessKey(id.Process)
		if _, err := r.Register(ctx, Tenant, key, id); err != nil {
			t.Fatal(err)
		}
		if err := r.Remove(ctx, Tenant, key); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := r.Lookup(ctx, Tenant, key); ok {
			t.Fatal("key still present after Remove")
		}
		if err := r.Remove(ctx, Tenant, key); err != nil {
			t.Fatalf("second Remove: %v", err)
		}
		other := NewIdentity()
		if got, err := r.Register(ctx, Tenant, key, other); err != nil || got != other {
			t.Fatalf("Register after Remove = %v, %v", got, err)
		}
	})
	t.Run("keys are tenant-scoped", func(t *testing.T) {
		r, a := newRegistry(t), NewIdentity()
		b := engine.ProcessIdentity{Tenant: OtherTenant, Process: engine.NewProcessID(), Workflow: Workflow}
		key := engine.CorrelationKey(engine.NewCorrelationID())
		if _, err := r.Register(ctx, Tenant, key, a); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Register(ctx, OtherTenant, key, b); err != nil {
			t.Fatalf("same key in another tenant: %v", err)
		}
		got, _, _ := r.Lookup(ctx, OtherTenant, key)
		if got != b {
			t.Fatalf("other tenant maps to %v", got)
		}
	})
	t.Run("keys with arbitrary bytes are stored as given", func(t *testing.T) {
		r := newRegistry(t)
		keys := []string{"conv:a b/c.d*>:9900000000003", "Beleg 2026/11-ä€", "x", strings.Repeat("k", engine.MaxRegistryKeyLen), "..", "a\tb\nc"}
		ids := map[string]engine.ProcessIdentity{}
		for _, k := range keys {
			ids[k] = NewIdentity()
			if _, err := r.Register(ctx, Tenant, k, ids[k]); err != nil {
				t.Fatalf("Register(%q): %v", k, err)
			}
		}
		for _, k := range keys {
			got, ok, err := r.Lookup(ctx, Tenant, k)
			if err != nil || !ok || got != ids[k] {
				t.Fatalf("Lookup(%q) = %v %v %v", k, got, ok, err)
			}
		}
	})
	t.Run("invalid keys and identities are rejected", func(t *testing.T) {
		r := newRegistry(t)
		for _, k := range []string{"", "a\x00b", strings.Repeat("k", engine.MaxRegistryKeyLen+1)} {
			if _, err := r.Register(ctx, Tenant, k, NewIdentity()); !errors.Is(err, engine.ErrInvalidKey) {
				t.Errorf("Register(%q): err = %v, want ErrInvalidKey", k, err)
			}
			if _, _, err := r.Lookup(ctx, Tenant, k); !errors.Is(err, engine.ErrInvalidKey) {
				t.Errorf("Lookup(%q): err = %v, want ErrInvalidKey", k, err)
			}
		}
		bad := engine.ProcessIdentity{Tenant: Tenant, Process: "a.b", Workflow: Workflow}
		if _, err := r.Register(ctx, Tenant, "k", bad); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("invalid identity: err = %v, want ErrInvalidID", err)
		}
		if _, err := r.Register(ctx, "Bad Tenant", "k", NewIdentity()); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("invalid tenant: err = %v, want ErrInvalidID", err)
		}
		if err := r.Correlate(ctx, Tenant, engine.BusinessKey{Kind: "MaLo!", Value: "1"}, NewIdentity()); !errors.Is(err, engine.ErrInvalidKey) {
			t.Errorf("invalid kind: err = %v, want ErrInvalidKey", err)
		}
		if err := r.Correlate(ctx, Tenant, engine.BusinessKey{Kind: kindMaLo}, NewIdentity()); !errors.Is(err, engine.ErrInvalidKey) {
			t.Errorf("empty value: err = %v, want ErrInvalidKey", err)
		}
	})
	t.Run("20 concurrent registers of one key have exactly one winner", func(t *testing.T) {
		r := newRegistry(t)
		key := engine.CorrelationKey(engine.NewCorrelationID())
		const n = 20
		type res struct {
			mine, got engine.ProcessIdentity
			err       error
		}
		results := make([]res, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				id := NewIdentity()
				got, err := r.Register(ctx, Tenant, key, id)
				results[i] = res{id, got, err}
			})
		}
		wg.Wait()
		var winner engine.ProcessIdentity
		wins := 0
		for _, x := range results {
			switch {
			case x.err == nil:
				wins++
				winner = x.mine
				if x.got != x.mine {
					t.Fatalf("winner got %v, registered %v", x.got, x.mine)
				}
			case !errors.Is(x.err, engine.ErrKeyExists):
				t.Fatalf("Register: %v", x.err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d winners, want 1", wins)
		}
		for _, x := range results {
			if x.got != winner {
				t.Fatalf("a loser saw %v, winner is %v", x.got, winner)
			}
		}
		got, _, _ := r.Lookup(ctx, Tenant, key)
		if got != winner {
			t.Fatalf("Lookup = %v, winner %v", got, winner)
		}
	})
	t.Run("correlate binds many processes to one business key; lookup-all finds them", func(t *testing.T) {
		r := newRegistry(t)
		key := engine.BusinessKey{Kind: kindMaLo, Value: fmt.Sprint("5", engine.NewUUIDv4().String()[:10])}
		var ids []engine.ProcessIdentity
		for range 5 {
			id := NewIdentity()
			ids = append(ids, id)
			if err := r.Correlate(ctx, Tenant, key, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Correlate(ctx, Tenant, key, ids[2]); err != nil { // idempotent
			t.Fatal(err)
		}
		got, err := r.LookupAll(ctx, Tenant, key)
		if err != nil {
			t.Fatal(err)
		}
		assertSameIdentities(t, got, ids)
		other, err := r.LookupAll(ctx, Tenant, engine.BusinessKey{Kind: kindMeLo, Value: key.Value})
		if err != nil || len(other) != 0 {
			t.Fatalf("another kind with the same value: %v, %v", other, err)
		}
		other, err = r.LookupAll(ctx, OtherTenant, key)
		if err != nil || len(other) != 0 {
			t.Fatalf("another tenant: %v, %v", other, err)
		}
	})
	t.Run("retire removes one process from a business key", func(t *testing.T) {
		r := newRegistry(t)
		key := engine.BusinessKey{Kind: kindDocument, Value: "Beleg 2026/11 " + engine.NewUUIDv4().String()}
		a, b := NewIdentity(), NewIdentity()
		for _, id := range []engine.ProcessIdentity{a, b} {
			if err := r.Correlate(ctx, Tenant, key, id); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.Retire(ctx, Tenant, key, a.Process); err != nil {
			t.Fatal(err)
		}
		got, _ := r.LookupAll(ctx, Tenant, key)
		assertSameIdentities(t, got, []engine.ProcessIdentity{b})
		if err := r.Retire(ctx, Tenant, key, a.Process); err != nil {
			t.Fatalf("retire twice: %v", err)
		}
		if err := r.Retire(ctx, Tenant, key, b.Process); err != nil {
			t.Fatal(err)
		}
		if got, err := r.LookupAll(ctx, Tenant, key); err != nil || len(got) != 0 {
			t.Fatalf("after retiring all: %v, %v", got, err)
		}
	})
	t.Run("lookup-all of an unknown business key is empty without error", func(t *testing.T) {
		r := newRegistry(t)
		got, err := r.LookupAll(ctx, Tenant, engine.BusinessKey{Kind: kindMaLo, Value: engine.NewUUIDv4().String()})
		if err != nil || len(got) != 0 {
			t.Fatalf("LookupAll = %v, %v", got, err)
		}
	})
	t.Run("concurrent correlates of one business key are all kept", func(t *testing.T) {
		r := newRegistry(t)
		key := engine.BusinessKey{Kind: kindMeLo, Value: "DE" + strings.ReplaceAll(engine.NewUUIDv4().String(), "-", "")[:31]}
		const n = 20
		ids := make([]engine.ProcessIdentity, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			ids[i] = NewIdentity()
			wg.Go(func() {
				if err := r.Correlate(ctx, Tenant, key, ids[i]); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		got, err := r.LookupAll(ctx, Tenant, key)
		if err != nil {
			t.Fatal(err)
		}
		assertSameIdentities(t, got, ids)
	})
}

func assertSameIdentities(t *testing.T, got, want []engine.ProcessIdentity) {
	t.Helper()
	key := func(id engine.ProcessIdentity) string { return id.String() }
	g := make([]string, len(got))
	for i, id := range got {
		g[i] = key(id)
	}
	w := make([]string, len(want))
	for i, id := range want {
		w[i] = key(id)
	}
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		t.Fatalf("identities\n got %v\nwant %v", g, w)
	}
}

// Key kinds of the conformance suite (any kinds do; these read like the
// MaKo ones of pkg/wire/inbound).
const (
	kindDocument     engine.KeyKind = "document"
	kindMaLo         engine.KeyKind = "malo"
	kindConversation engine.KeyKind = "conversation"
	kindMeLo         engine.KeyKind = "melo"
)
