// Package audit writes the audit records of operator changes to partner
// data and master data to stream MAKO_AUDIT and reads an object's history
// back for the console. The records, the stream and their subjects are the
// wire contract in pkg/wire/audit.
package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	auditwire "github.com/mako-engine/mako/pkg/wire/audit"
	"github.com/nats-io/nats.go/jetstream"
)

// Write validates r, publishes it and waits for the stream's ack.
func Write(ctx context.Context, js jetstream.JetStream, r auditwire.Record) error {
	subj, b, err := auditwire.Encode(r)
	if err != nil {
		return err
	}
	if _, err := js.Publish(ctx, subj, b); err != nil {
		return fmt.Errorf("audit: publish %s: %w", subj, err)
	}
	return nil
}

// History returns the records of one object, oldest first (at most limit,
// the newest ones); a message that is not a Record is returned with Action
// auditwire.ActionUnreadable and the decoding error as Reason.
func History(ctx context.Context, js jetstream.JetStream, tenant, kind, id string, limit int) ([]auditwire.Record, error) {
	subj := auditwire.Subject(tenant, kind, id)
	cons, err := js.OrderedConsumer(ctx, auditwire.Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", subj, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", subj, err)
	}
	n := int(info.NumPending)
	var out []auditwire.Record
	for len(out) < n {
		batch, err := cons.Fetch(min(n-len(out), 256), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("audit: read %s: %w", subj, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			r, err := auditwire.Decode(m.Data())
			if err != nil {
				// Not written by Write: shown, not hidden.
				r = auditwire.Record{Tenant: tenant, Kind: kind, ID: id, Action: auditwire.ActionUnreadable, Reason: err.Error()}
			}
			out = append(out, r)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("audit: read %s: %w", subj, err)
		}
		if got == 0 {
			break
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, nil
}
