// Package audit is the wire contract of stream MAKO_AUDIT: one JSON record
// per operator change to partner data or master data (who, when, why,
// the record before and after), on `mako.audit.<tenant>.<kind>.<id>`.
// Records are kept forever (§147 AO / GoBD retention is the operator's
// purge decision) and read back per object for the console's history.
package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Stream is the stream holding audit records (streams/MAKO_AUDIT.json).
const Stream = "MAKO_AUDIT"

// Kinds of audited objects.
const (
	// KindPartner: a partner record (pkg/partner), id = MP-ID.
	KindPartner = "partner"
	// KindMaLo: master data of a market location (pkg/malo), id = MaLo-ID.
	KindMaLo = "malo"
)

// ActionUnreadable marks a message on an audit subject that is not a
// Record (History returns it with the decoding error as Reason).
const ActionUnreadable = "unreadable"

// Record is one audited change.
type Record struct {
	Tenant string `json:"tenant"`
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	// Actor is the user who made the change.
	Actor string `json:"actor"`
	// At is when, in German local time (RFC 3339 with offset).
	At string `json:"at"`
	// Action is "create", "update" or "delete".
	Action string `json:"action"`
	// Reason is the operator's note.
	Reason string `json:"reason,omitempty"`
	// Before and After are the stored JSON values (Before absent on
	// create, After on delete).
	Before json.RawMessage `json:"before,omitempty"`
	After  json.RawMessage `json:"after,omitempty"`
	// Revision is the store revision the change produced.
	Revision uint64 `json:"revision,omitempty"`
}

// Subject returns the subject of an object's records.
func Subject(tenant, kind, id string) string { return "mako.audit." + tenant + "." + kind + "." + id }

// Write publishes r and waits for the stream's ack.
func Write(ctx context.Context, js jetstream.JetStream, r Record) error {
	if r.Tenant == "" || r.Kind == "" || r.ID == "" || r.Actor == "" || strings.ContainsAny(r.ID, ".*> ") {
		return fmt.Errorf("audit: incomplete record %s/%s/%s by %q", r.Tenant, r.Kind, r.ID, r.Actor)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit: encode: %w", err)
	}
	if _, err := js.Publish(ctx, Subject(r.Tenant, r.Kind, r.ID), b); err != nil {
		return fmt.Errorf("audit: publish %s: %w", Subject(r.Tenant, r.Kind, r.ID), err)
	}
	return nil
}

// History returns the records of one object, oldest first (at most limit,
// the newest ones); a message that is not a Record is returned with Action
// ActionUnreadable.
func History(ctx context.Context, js jetstream.JetStream, tenant, kind, id string, limit int) ([]Record, error) {
	subj := Subject(tenant, kind, id)
	cons, err := js.OrderedConsumer(ctx, Stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}})
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", subj, err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: read %s: %w", subj, err)
	}
	n := int(info.NumPending)
	var out []Record
	for len(out) < n {
		batch, err := cons.Fetch(min(n-len(out), 256), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("audit: read %s: %w", subj, err)
		}
		got := 0
		for m := range batch.Messages() {
			got++
			var r Record
			if err := json.Unmarshal(m.Data(), &r); err != nil {
				// Not written by Write: shown, not hidden.
				r = Record{Tenant: tenant, Kind: kind, ID: id, Action: ActionUnreadable, Reason: err.Error()}
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
