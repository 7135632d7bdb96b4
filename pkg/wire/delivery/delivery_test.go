package delivery_test

import (
	"errors"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/delivery"
)

// The reports travel as engine commands: a workflow codec that registers
// them round-trips them; one that does not refuses to encode them (which is
// how the deliverer tells that a workflow does not want reports).
func TestReportsRoundTripThroughACodec(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)
	codec := engine.NewCodec().Command(delivery.Confirmed{}).Command(delivery.Failed{})
	if err := codec.Err(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []engine.CommandData{
		delivery.Confirmed{MessageID: "m1", InterchangeRef: "R1", Recipient: "9900000000004", Transport: "http",
			Status: "202 Accepted", RemoteID: "gw-1", Body: "queued", Attempts: 3, At: at},
		delivery.Failed{MessageID: "m2", Recipient: "9900000000004", Reason: "retry window elapsed", Attempts: 800, At: at},
	} {
		id := delivery.ConfirmedID("m1")
		if _, ok := p.(delivery.Failed); ok {
			id = delivery.FailedID("m2")
		}
		b, err := codec.MarshalCommand(engine.Command{ID: id, ReceivedAt: at, Payload: p})
		if err != nil {
			t.Fatal(err)
		}
		cmd, err := codec.UnmarshalCommand(b)
		if err != nil {
			t.Fatal(err)
		}
		if cmd.ID != id || cmd.Type != p.CommandType() || normalize(cmd.Payload) != normalize(p) {
			t.Fatalf("round trip: %+v, want %+v", cmd, p)
		}
	}
	if _, err := engine.NewCodec().EncodeCommand(delivery.Confirmed{}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("unregistered report encoded: %v", err)
	}
	if delivery.ConfirmedID("x") == delivery.FailedID("x") {
		t.Fatal("confirmation and failure share a command id")
	}
}

// normalize sets At to UTC: msgpack decodes a time in the local zone, the
// instant is the same.
func normalize(p engine.CommandData) engine.CommandData {
	switch v := p.(type) {
	case delivery.Confirmed:
		v.At = v.At.UTC()
		return v
	case delivery.Failed:
		v.At = v.At.UTC()
		return v
	}
	return p
}
