package worker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/worker"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestClassify(t *testing.T) {
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
		{"partner refused", &deliverer.SendError{Transport: "http", Permanent: true, Err: errors.New("HTTP 400")}, "permanent"},
		{"partner down", &deliverer.SendError{Transport: "http", Err: errors.New("HTTP 503")}, "counted"},
		{"marked permanent", worker.Permanent(errors.New("x")), "permanent"},
		{"marked transient", worker.Transient(errors.New("x")), "transient"},
		{"unexplained", errors.New("something odd"), "counted"},
	} {
		got := worker.Classify(fmt.Errorf("cmd c1: %w", tc.err))
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

func TestBlamed(t *testing.T) {
	if worker.Blamed(nil) != nil {
		t.Fatal("nil became an error")
	}
	perm := worker.Permanent(errors.New("refused"))
	if got := worker.Blamed(perm); !worker.IsPermanent(got) || worker.IsTransient(got) {
		t.Fatalf("permanent: %v", got)
	}
	cause := errors.New("publish failed")
	if got := worker.Blamed(cause); !worker.IsTransient(got) || !errors.Is(got, cause) {
		t.Fatalf("left over: %v", got)
	}
	h := worker.BlamedInside(func(context.Context, jetstream.Msg) error { return cause })
	if got := h(context.Background(), nil); !worker.IsTransient(got) {
		t.Fatalf("middleware: %v", got)
	}
}
