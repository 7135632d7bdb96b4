package command_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/command"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

type ping struct{ N int }

func (ping) CommandType() string { return "test.ping" }

func TestPublishDecodeAndDedup(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MAKO_COMMANDS", Subjects: []string{"mako.cmd.>"}, Retention: jetstream.WorkQueuePolicy}); err != nil {
		t.Fatal(err)
	}
	codec := engine.NewCodec().Command(ping{})
	wf, err := engine.NewWorkflowID("test.ping", "FV2604")
	if err != nil {
		t.Fatal(err)
	}
	id := engine.ProcessIdentity{Tenant: "acme", Process: engine.NewProcessID(), Workflow: wf}
	cmd := engine.Command{ID: "c-1", ReceivedAt: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC), Correlation: "corr", Payload: ping{N: 7}}
	for range 2 {
		if err := command.Publish(ctx, js, id, codec, cmd); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := js.Stream(ctx, "MAKO_COMMANDS")
	info, _ := st.Info(ctx)
	if info.State.Msgs != 1 {
		t.Fatalf("%d commands stored, want 1", info.State.Msgs)
	}
	raw, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := command.Decode(raw.Subject, raw.Header, raw.Data)
	if err != nil {
		t.Fatal(err)
	}
	if a.Identity != id || a.CommandID != "c-1" || a.CommandType != "test.ping" {
		t.Fatalf("addressed %+v", a)
	}
	got, err := codec.UnmarshalCommand(a.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c-1" || got.Payload.(ping).N != 7 || !got.ReceivedAt.Equal(cmd.ReceivedAt) {
		t.Fatalf("command %+v", got)
	}
}

func TestDecodeRejectsMalformed(t *testing.T) {
	h := nats.Header{}
	h.Set(command.HeaderWorkflow, "test.ping@FV2604")
	for _, subj := range []string{"mako.cmd.acme", "mako.evt.acme.p", "mako.cmd.ACME!.p"} {
		if _, err := command.Decode(subj, h, nil); !errors.Is(err, command.ErrMalformed) {
			t.Errorf("%s: %v", subj, err)
		}
	}
	if _, err := command.Decode("mako.cmd.acme.p1", nats.Header{}, nil); !errors.Is(err, command.ErrMalformed) {
		t.Errorf("missing workflow header accepted: %v", err)
	}
}

func TestFiredRoundTrip(t *testing.T) {
	wf, _ := engine.NewWorkflowID("test.ping", "FV2604")
	id := engine.ProcessIdentity{Tenant: "acme", Process: engine.NewProcessID(), Workflow: wf}
	f := engine.DeadlineFired{ID: "d1", Label: "aperak", Due: time.Date(2026, 5, 4, 10, 45, 0, 0, time.UTC), FiredAt: time.Date(2026, 5, 4, 10, 45, 1, 0, time.UTC)}
	msg, err := command.EncodeFired(id, f)
	if err != nil {
		t.Fatal(err)
	}
	a, err := command.Decode(msg.Subject, msg.Header, msg.Data)
	if err != nil {
		t.Fatal(err)
	}
	if a.CommandType != engine.EventDeadlineFired || a.CommandID != engine.FireCommandID("d1") {
		t.Fatalf("addressed %+v", a)
	}
	got, err := command.DecodeFired(a.Body)
	if err != nil || got.ID != "d1" || !got.FiredAt.Equal(f.FiredAt) || !got.Due.Equal(f.Due) {
		t.Fatalf("fired %+v, %v", got, err)
	}
	if _, err := command.DecodeFired([]byte{0xc1}); !errors.Is(err, command.ErrMalformed) {
		t.Fatalf("garbage accepted: %v", err)
	}
	if _, err := command.EncodeFired(id, engine.DeadlineFired{ID: "d1"}); err == nil {
		t.Fatal("fired without time accepted")
	}
}
