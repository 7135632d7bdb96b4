package processor

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestClassify(t *testing.T) {
	a := command.Addressed{CommandID: "c1"}
	for _, tc := range []struct {
		name string
		err  error
		want string // permanent, transient, counted
	}{
		{"workflow refused", &engine.DecisionError{Err: errors.New("negative amount")}, "permanent"},
		{"corrupt history", &engine.DecodeError{Err: errors.New("garbage")}, "permanent"},
		{"unknown workflow", fmt.Errorf("x: %w", engine.ErrUnknownWorkflow), "permanent"},
		{"version policy", engine.ErrVersionRejected, "permanent"},
		{"conflicts left after retries", &engine.ConflictError{}, "transient"},
		{"store failure", &natsstore.StoreError{Op: "append", Err: errors.New("boom")}, "transient"},
		{"timeout", fmt.Errorf("append: %w", nats.ErrTimeout), "transient"},
		{"no responders", nats.ErrNoResponders, "transient"},
		{"deadline", context.DeadlineExceeded, "transient"},
		{"server error", &jetstream.APIError{Code: 503, ErrorCode: 10008}, "transient"},
		{"unexplained", errors.New("something odd"), "counted"},
	} {
		got := classify(a, tc.err)
		kind := "counted"
		switch {
		case worker.IsPermanent(got):
			kind = "permanent"
		case worker.IsTransient(got):
			kind = "transient"
		}
		if kind != tc.want {
			t.Errorf("%s: %s, want %s (%v)", tc.name, kind, tc.want, got)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: the cause is not wrapped: %v", tc.name, got)
		}
	}
}
