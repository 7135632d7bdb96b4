package deliverer

import (
	"context"
	"errors"
	"fmt"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/outbox"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// NATSTransport republishes the interchange to the channel's subject on the
// deliverer's own connection and waits for the JetStream ack — a gateway
// listening on the bus, or another tenant's `mako.ingest.<tenant>`, which
// lets two market parties run against each other. Nats-Msg-Id is the outbox
// message id, so a repeated delivery is stored once within the target
// stream's duplicate window. The informative outbox headers (type, sender,
// recipient, interchange reference, traceparent) travel along; tenant and
// process do not (they belong to the sending side).
type NATSTransport struct {
	js jetstream.JetStream
}

// NewNATSTransport returns the nats transport publishing with js.
func NewNATSTransport(js jetstream.JetStream) *NATSTransport { return &NATSTransport{js: js} }

// Kind implements Transport.
func (t *NATSTransport) Kind() partner.Transport { return partner.TransportNATS }

// Send implements Transport.
func (t *NATSTransport) Send(ctx context.Context, d Delivery) (Receipt, error) {
	m := d.Message
	msg := nats.NewMsg(d.Channel.Subject)
	msg.Data = m.Payload
	msg.Header.Set(jetstream.MsgIDHeader, m.ID)
	msg.Header.Set(inbound.HeaderTransportID, m.ID)
	for k, v := range map[string]string{
		outbox.HeaderMessageType: m.MessageType, outbox.HeaderSender: m.Sender, outbox.HeaderRecipient: m.Recipient,
		outbox.HeaderInterchangeRef: m.InterchangeRef, outbox.HeaderTraceParent: m.TraceParent,
	} {
		if v != "" {
			msg.Header.Set(k, v)
		}
	}
	ack, err := t.js.PublishMsg(ctx, msg)
	if err != nil {
		return Receipt{}, &SendError{Transport: partner.TransportNATS, Recipient: m.Recipient,
			Permanent: errors.Is(err, nats.ErrMaxPayload), Err: fmt.Errorf("publish to %s: %w", d.Channel.Subject, err)}
	}
	r := Receipt{Status: "ack", RemoteID: fmt.Sprintf("%s:%d", ack.Stream, ack.Sequence)}
	if ack.Duplicate {
		r.Status = "duplicate"
	}
	return r, nil
}
