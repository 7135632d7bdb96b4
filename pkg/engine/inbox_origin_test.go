package engine_test

import (
	"context"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/memstore"
)

// plainInbox hides the origins of an inbox: an engine.Inbox that records none.
type plainInbox struct{ engine.Inbox }

// AcceptedElsewhere and AcceptFrom tell a redelivery of the accepting
// message (same origin, whatever its delivery count) from another message
// with the same key; without recorded origins the delivery count decides.
func TestAcceptedElsewhere(t *testing.T) {
	ctx := context.Background()
	const key = "9900000000004:MK1"
	in := memstore.NewInbox()
	if dup, err := engine.AcceptedElsewhere(ctx, in, "t", key, "ingest:1", false); dup || err != nil {
		t.Fatalf("unseen key: %v, %v", dup, err)
	}
	if dup, err := engine.AcceptFrom(ctx, in, "t", key, "ingest:1", false); dup || err != nil {
		t.Fatalf("first accept: %v, %v", dup, err)
	}
	for _, tc := range []struct {
		origin      string
		redelivered bool
		want        bool
	}{
		{"ingest:1", false, false}, // redelivered after a crash that lost the delivery count
		{"ingest:1", true, false},
		{"ingest:2", false, true}, // the partner's resend
		{"ingest:2", true, true},
	} {
		dup, err := engine.AcceptedElsewhere(ctx, in, "t", key, tc.origin, tc.redelivered)
		if err != nil || dup != tc.want {
			t.Errorf("AcceptedElsewhere(%s, redelivered %v) = %v, %v; want %v", tc.origin, tc.redelivered, dup, err, tc.want)
		}
		dup, err = engine.AcceptFrom(ctx, in, "t", key, tc.origin, tc.redelivered)
		if err != nil || dup != tc.want {
			t.Errorf("AcceptFrom(%s, redelivered %v) = %v, %v; want %v", tc.origin, tc.redelivered, dup, err, tc.want)
		}
	}
	plain := plainInbox{memstore.NewInbox()}
	if dup, err := engine.AcceptFrom(ctx, plain, "t", key, "ingest:1", false); dup || err != nil {
		t.Fatalf("first accept without origins: %v, %v", dup, err)
	}
	for _, redelivered := range []bool{false, true} {
		if dup, err := engine.AcceptedElsewhere(ctx, plain, "t", key, "ingest:1", redelivered); err != nil || dup == redelivered {
			t.Errorf("without origins, redelivered %v: duplicate %v, %v", redelivered, dup, err)
		}
	}
}
