package outbox_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/nats-io/nats.go/jetstream"
)

func TestPublishRoundTripAndDedup(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MAKO_OUTBOX", Subjects: []string{"mako.outbox.>"}}); err != nil {
		t.Fatal(err)
	}
	m := outbox.Message{ID: "m-1", Tenant: "acme", Sender: "9900000000003", Recipient: "9900000000010",
		MessageType: "APERAK", Process: "p1", InterchangeRef: "ABC123", Payload: []byte("UNA:+.? 'UNB+...'")}
	a1, err := outbox.Publish(ctx, js, m)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := outbox.Publish(ctx, js, m)
	if err != nil {
		t.Fatal(err)
	}
	if !a2.Duplicate || a2.Sequence != a1.Sequence {
		t.Fatalf("second publish not deduplicated: %+v", a2)
	}
	st, _ := js.Stream(ctx, "MAKO_OUTBOX")
	raw, err := st.GetMsg(ctx, a1.Sequence)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Subject != "mako.outbox.acme.9900000000010" {
		t.Fatalf("subject %s", raw.Subject)
	}
	got, err := outbox.FromNats(raw.Subject, raw.Header, raw.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != m.ID || got.Sender != m.Sender || got.MessageType != "APERAK" || got.InterchangeRef != "ABC123" || !bytes.Equal(got.Payload, m.Payload) {
		t.Fatalf("round trip %+v", got)
	}
}

func TestValidate(t *testing.T) {
	good := outbox.Message{ID: "x", Tenant: "acme", Recipient: "9900000000010", MessageType: "CONTRL", Payload: []byte("x")}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func(*outbox.Message){
		func(m *outbox.Message) { m.ID = "" },
		func(m *outbox.Message) { m.Tenant = "a.b" },
		func(m *outbox.Message) { m.Recipient = "" },
		func(m *outbox.Message) { m.Recipient = "99*" },
		func(m *outbox.Message) { m.MessageType = "" },
		func(m *outbox.Message) { m.Payload = nil },
	} {
		m := good
		bad(&m)
		if err := m.Validate(); !errors.Is(err, outbox.ErrInvalid) {
			t.Errorf("%+v: %v", m, err)
		}
	}
	if _, err := outbox.FromNats("mako.ingest.acme", nil, nil); !errors.Is(err, outbox.ErrInvalid) {
		t.Error("wrong subject accepted")
	}
}
