package natsstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
)

// TestInvalidOptionsAreRefused: every constructor returns the error of an
// invalid option (engine.ErrInvalidArgument) instead of ignoring it.
func TestInvalidOptionsAreRefused(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	st, err := Open(ctx, js, WithEnsure(0))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	bad := map[string]Option{
		"timeout 0":             WithTimeout(0),
		"read batch 0":          WithReadBatch(0),
		"publish attempts 0":    WithPublishAttempts(0),
		"inbox retention 500ms": WithInboxRetention(500 * time.Millisecond),
		"negative replicas":     WithEnsure(-1),
		"stream with a dot":     WithEventStream("MAKO.EVENTS", ""),
		"wildcard prefix":       WithEventStream("", "mako.*"),
		"empty prefix token":    WithEventStream("", "mako..evt"),
		"bucket with a space":   WithBuckets("", "mako registry", ""),
	}
	constructors := map[string]func(Option) error{
		"Open":             func(o Option) error { _, err := Open(ctx, js, o); return err },
		"NewEventStore":    func(o Option) error { _, err := NewEventStore(ctx, js, o); return err },
		"NewSnapshotStore": func(o Option) error { _, err := NewSnapshotStore(ctx, js, o); return err },
		"NewRegistry":      func(o Option) error { _, err := NewRegistry(ctx, js, o); return err },
		"NewInbox":         func(o Option) error { _, err := NewInbox(ctx, js, o); return err },
	}
	for name, o := range bad {
		for cname, c := range constructors {
			if err := c(o); !errors.Is(err, engine.ErrInvalidArgument) {
				t.Errorf("%s(%s) = %v; want ErrInvalidArgument", cname, name, err)
			}
		}
	}
	// The valid forms of the same options are accepted.
	for name, o := range map[string]Option{
		"timeout":         WithTimeout(time.Second),
		"read batch":      WithReadBatch(1),
		"attempts":        WithPublishAttempts(1),
		"retention":       WithInboxRetention(time.Second),
		"default names":   WithEventStream("", ""),
		"default buckets": WithBuckets("", "", ""),
	} {
		if _, err := NewEventStore(ctx, js, o); err != nil {
			t.Errorf("NewEventStore(%s): %v", name, err)
		}
	}
}
