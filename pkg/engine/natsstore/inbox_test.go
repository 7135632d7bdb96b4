package natsstore

import (
	"context"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine/enginetest"
)

// TestInboxKeyExpiresAfterRetention: an accepted key is a duplicate until
// its per-key TTL (here 2 s instead of 96 h) has
// passed, then the server removes it and the key is new again.
func TestInboxKeyExpiresAfterRetention(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, WithInboxRetention(2*time.Second))
	in := e.stores.Inbox
	if in.Retention() != 2*time.Second {
		t.Fatalf("retention %v", in.Retention())
	}
	key := "9900000000003:MSG-1"
	if ok, err := in.Accept(ctx, enginetest.Tenant, key); !ok || err != nil {
		t.Fatalf("first accept = %v, %v", ok, err)
	}
	if ok, err := in.Accept(ctx, enginetest.Tenant, key); ok || err != nil {
		t.Fatalf("second accept = %v, %v", ok, err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		time.Sleep(250 * time.Millisecond)
		ok, err := in.Accept(ctx, enginetest.Tenant, key)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("key still known 15 s after a 2 s TTL")
		}
	}
}

func TestInboxDefaultRetentionIs96Hours(t *testing.T) {
	e := newEnv(t)
	if got := e.stores.Inbox.Retention(); got != 96*time.Hour {
		t.Fatalf("default retention %v, want 96h", got)
	}
}
