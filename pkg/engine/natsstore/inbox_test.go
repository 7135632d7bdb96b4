package natsstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
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

// TestLongestEscapedKeys: keys of maximal length made only of bytes that
// need escaping (three times longer as KV keys) are accepted by the server.
func TestLongestEscapedKeys(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	inboxKey := "s:" + strings.Repeat("ä", (engine.MaxInboxKeyLen-2)/2)
	if ok, err := e.stores.Inbox.Accept(ctx, enginetest.Tenant, inboxKey); !ok || err != nil {
		t.Fatalf("accept %d-byte key: %v, %v", len(inboxKey), ok, err)
	}
	if ok, err := e.stores.Inbox.Accept(ctx, enginetest.Tenant, inboxKey); ok || err != nil {
		t.Fatalf("second accept: %v, %v", ok, err)
	}
	regKey := strings.Repeat("/", engine.MaxRegistryKeyLen)
	id := enginetest.NewIdentity()
	if _, err := e.stores.Registry.Register(ctx, enginetest.Tenant, regKey, id); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := e.stores.Registry.Lookup(ctx, enginetest.Tenant, regKey); err != nil || !ok || got != id {
		t.Fatalf("lookup = %v %v %v", got, ok, err)
	}
	bk := engine.BusinessKey{Kind: inbound.KeyDocument, Value: strings.Repeat(".", engine.MaxRegistryKeyLen)}
	if err := e.stores.Registry.Correlate(ctx, enginetest.Tenant, bk, id); err != nil {
		t.Fatal(err)
	}
	if all, err := e.stores.Registry.LookupAll(ctx, enginetest.Tenant, bk); err != nil || len(all) != 1 {
		t.Fatalf("lookup-all = %v, %v", all, err)
	}
}
