package enginetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
)

// RunInbox checks the engine.Inbox contract.
func RunInbox(t *testing.T, newInbox func(t *testing.T) engine.Inbox) {
	ctx := context.Background()
	fresh := func() string { return "9900000000003:" + engine.NewUUIDv4().String() }
	t.Run("a key is accepted once", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		for i, want := range []bool{true, false, false} {
			got, err := in.Accept(ctx, Tenant, key)
			if err != nil || got != want {
				t.Fatalf("Accept #%d = %v, %v; want %v", i+1, got, err, want)
			}
		}
	})
	t.Run("Seen reports accepted keys without accepting", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		for range 2 {
			if seen, err := in.Seen(ctx, Tenant, key); seen || err != nil {
				t.Fatalf("Seen before Accept = %v, %v", seen, err)
			}
		}
		if ok, err := in.Accept(ctx, Tenant, key); !ok || err != nil {
			t.Fatalf("Accept after Seen = %v, %v: Seen must not accept", ok, err)
		}
		if seen, err := in.Seen(ctx, Tenant, key); !seen || err != nil {
			t.Fatalf("Seen after Accept = %v, %v", seen, err)
		}
		if seen, err := in.Seen(ctx, OtherTenant, key); seen || err != nil {
			t.Fatalf("Seen in another tenant = %v, %v", seen, err)
		}
		if _, err := in.Seen(ctx, Tenant, "no-colon"); !errors.Is(err, engine.ErrInvalidKey) {
			t.Fatalf("Seen(invalid key) = %v, want ErrInvalidKey", err)
		}
	})
	t.Run("keys are tenant-scoped", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		for _, tenant := range []engine.TenantID{Tenant, OtherTenant} {
			if ok, err := in.Accept(ctx, tenant, key); !ok || err != nil {
				t.Fatalf("Accept(%s) = %v, %v", tenant, ok, err)
			}
		}
	})
	t.Run("message refs with colons and arbitrary bytes are keys", func(t *testing.T) {
		in := newInbox(t)
		base := engine.NewUUIDv4().String()
		for _, k := range []string{"9900000000003:" + base + ":a:b", "9900000000003:" + base + " ä/€*>.", "x:" + base} {
			if ok, err := in.Accept(ctx, Tenant, k); !ok || err != nil {
				t.Fatalf("Accept(%q) = %v, %v", k, ok, err)
			}
			if ok, err := in.Accept(ctx, Tenant, k); ok || err != nil {
				t.Fatalf("second Accept(%q) = %v, %v", k, ok, err)
			}
		}
	})
	t.Run("20 concurrent accepts of one key: exactly one is new", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		var wins atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for range 20 {
			wg.Go(func() {
				ok, err := in.Accept(ctx, Tenant, key)
				if err != nil {
					errs <- err
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if wins.Load() != 1 {
			t.Fatalf("%d accepts returned new, want 1", wins.Load())
		}
	})
	t.Run("keys with an empty part are rejected", func(t *testing.T) {
		in := newInbox(t)
		for _, k := range []string{"", ":", ":ref", "sender:", "noseparator"} {
			if _, err := in.Accept(ctx, Tenant, k); !errors.Is(err, engine.ErrInvalidKey) {
				t.Errorf("Accept(%q): err = %v, want ErrInvalidKey", k, err)
			}
		}
	})
	t.Run("keys longer than 509 bytes are rejected, 509 bytes are accepted", func(t *testing.T) {
		in := newInbox(t)
		prefix := "s:" + engine.NewUUIDv4().String()
		ok509 := prefix + strings.Repeat("r", engine.MaxInboxKeyLen-len(prefix))
		if ok, err := in.Accept(ctx, Tenant, ok509); !ok || err != nil {
			t.Fatalf("509-byte key: %v, %v", ok, err)
		}
		if _, err := in.Accept(ctx, Tenant, ok509+"r"); !errors.Is(err, engine.ErrInvalidKey) {
			t.Fatalf("510-byte key: err = %v, want ErrInvalidKey", err)
		}
	})
	t.Run("an invalid tenant is ErrInvalidID", func(t *testing.T) {
		in := newInbox(t)
		if _, err := in.Accept(ctx, "Bad.Tenant", fresh()); !errors.Is(err, engine.ErrInvalidID) {
			t.Fatalf("err = %v, want ErrInvalidID", err)
		}
	})
}

// RunOriginInbox checks the engine.OriginInbox contract (on top of RunInbox).
func RunOriginInbox(t *testing.T, newInbox func(t *testing.T) engine.OriginInbox) {
	ctx := context.Background()
	fresh := func() string { return "9900000000003:" + engine.NewUUIDv4().String() }
	t.Run("the origin of the first accept is recorded and returned", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		if seen, origin, err := in.Origin(ctx, Tenant, key); seen || origin != "" || err != nil {
			t.Fatalf("Origin before accept = %v, %q, %v", seen, origin, err)
		}
		if ok, rec, err := in.AcceptOrigin(ctx, Tenant, key, "ingest:7"); !ok || rec != "ingest:7" || err != nil {
			t.Fatalf("first AcceptOrigin = %v, %q, %v", ok, rec, err)
		}
		for _, o := range []string{"ingest:7", "ingest:9"} {
			if ok, rec, err := in.AcceptOrigin(ctx, Tenant, key, o); ok || rec != "ingest:7" || err != nil {
				t.Fatalf("AcceptOrigin(%s) again = %v, %q, %v; want false, ingest:7", o, ok, rec, err)
			}
		}
		if seen, origin, err := in.Origin(ctx, Tenant, key); !seen || origin != "ingest:7" || err != nil {
			t.Fatalf("Origin = %v, %q, %v", seen, origin, err)
		}
		if seen, _, err := in.Origin(ctx, OtherTenant, key); seen || err != nil {
			t.Fatalf("Origin in another tenant = %v, %v", seen, err)
		}
	})
	t.Run("a key accepted without origin has none", func(t *testing.T) {
		in, key := newInbox(t), fresh()
		if ok, err := in.Accept(ctx, Tenant, key); !ok || err != nil {
			t.Fatalf("Accept = %v, %v", ok, err)
		}
		if ok, rec, err := in.AcceptOrigin(ctx, Tenant, key, "ingest:1"); ok || rec != "" || err != nil {
			t.Fatalf("AcceptOrigin after Accept = %v, %q, %v", ok, rec, err)
		}
	})
	t.Run("invalid keys are rejected", func(t *testing.T) {
		in := newInbox(t)
		if _, _, err := in.AcceptOrigin(ctx, Tenant, "nocolon", "x"); !errors.Is(err, engine.ErrInvalidKey) {
			t.Fatalf("AcceptOrigin(invalid) = %v", err)
		}
		if _, _, err := in.Origin(ctx, Tenant, ":"); !errors.Is(err, engine.ErrInvalidKey) {
			t.Fatalf("Origin(invalid) = %v", err)
		}
	})
}
