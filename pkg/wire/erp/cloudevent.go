package erp

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

// SpecVersion is the CloudEvents version of every event.
const SpecVersion = "1.0"

// ContentType is the media type of a structured-mode CloudEvent
// (CloudEvents JSON format §3, HTTP binding §3.2).
const ContentType = "application/cloudevents+json"

// CloudEvent is a CloudEvents 1.0 event in the JSON format (structured
// mode), with the mako extensions makoconvid (conversation id; for a process
// an ERP command started, its idempotency key), makocausationid (the command
// that caused the event) and makopid (Prüfidentifikator). Data is JSON.
type CloudEvent struct {
	SpecVersion     string          `json:"specversion"`
	ID              string          `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Subject         string          `json:"subject,omitempty"`
	Time            time.Time       `json:"time"`
	DataContentType string          `json:"datacontenttype"`
	DataSchema      string          `json:"dataschema,omitempty"`
	MakoConvID      string          `json:"makoconvid,omitempty"`
	MakoCausationID string          `json:"makocausationid,omitempty"`
	MakoPID         string          `json:"makopid,omitempty"`
	Data            json.RawMessage `json:"data,omitempty"`
}

// Source returns the CloudEvent source of a tenant: urn:mako:makod:tenant:<id>.
func Source(tenant engine.TenantID) string { return "urn:mako:makod:tenant:" + string(tenant) }

// Validate checks the attributes CloudEvents 1.0 requires (id, source,
// specversion, type) and the ones this contract always sets.
func (e CloudEvent) Validate() error {
	switch {
	case e.SpecVersion != SpecVersion:
		return fmt.Errorf("erp: cloudevent %s: specversion %q", e.ID, e.SpecVersion)
	case e.ID == "" || e.Source == "" || e.Type == "":
		return fmt.Errorf("erp: cloudevent: id %q, source %q and type %q are required", e.ID, e.Source, e.Type)
	case e.Time.IsZero():
		return fmt.Errorf("erp: cloudevent %s: no time", e.ID)
	}
	return nil
}

// Marshal returns the event's JSON.
func (e CloudEvent) Marshal() ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("erp: encode cloudevent %s: %w", e.ID, err)
	}
	return b, nil
}

// ParseCloudEvent parses and validates a structured-mode CloudEvent.
func ParseCloudEvent(b []byte) (CloudEvent, error) {
	var e CloudEvent
	if err := json.Unmarshal(b, &e); err != nil {
		return CloudEvent{}, fmt.Errorf("erp: decode cloudevent: %w", err)
	}
	return e, e.Validate()
}

// namespace is the UUIDv5 namespace of the ids this package derives.
func namespace() engine.UUID { return engine.NewUUIDv5(engine.UUID{}, "mako-engine/erp") }

func derive(parts ...string) string {
	name := ""
	for _, p := range parts {
		name += fmt.Sprintf("%d:%s\x1f", len(p), p)
	}
	return engine.NewUUIDv5(namespace(), name).String()
}

// EventID returns the CloudEvent id of a committed workflow event: a
// version 5 UUID of the event id, so the same event always yields the same
// CloudEvent id (the idempotency key of the ERP and of Nats-Msg-Id).
func EventID(ev engine.EventID) string { return derive("event", string(ev)) }

// FromEnvelope builds the CloudEvent of a committed workflow event whose
// data implements Event. Time is the commit's timestamp; subject defaults
// to the process id; makoconvid is the conversation, makocausationid the
// id of the command whose decision produced the event; makopid comes from
// PIDEvent, dataschema from Schema.
func FromEnvelope(env engine.EventEnvelope, ev Event) (CloudEvent, error) {
	typ, subject, data := ev.CloudEvent()
	if typ == "" {
		return CloudEvent{}, fmt.Errorf("erp: event %s (%s) of %s: empty CloudEvent type", env.EventID, env.Type, env.Stream)
	}
	if subject == "" {
		subject = string(env.Process)
	}
	ce := CloudEvent{
		SpecVersion: SpecVersion, ID: EventID(env.EventID), Source: Source(env.Tenant), Type: typ, Subject: subject,
		Time: env.Timestamp.UTC(), DataContentType: "application/json",
		MakoConvID: string(env.Conversation), MakoCausationID: string(env.CommandID),
	}
	if p, ok := ev.(PIDEvent); ok {
		ce.MakoPID = p.MakoPID()
	}
	if s, ok := data.(Schema); ok {
		ce.DataSchema = BO4ESchemaURL(s.BO4ESchema())
	}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return CloudEvent{}, fmt.Errorf("erp: event %s (%s) of %s: encode data: %w", env.EventID, env.Type, env.Stream, err)
		}
		ce.Data = b
	}
	return ce, nil
}

// CommandID returns the deterministic command id of an ERP command: the
// engine executes it once per process, whatever the number of deliveries.
func CommandID(tenant engine.TenantID, idempotencyKey string) engine.CommandID {
	return engine.CommandID(derive("command", string(tenant), idempotencyKey))
}

// AcceptedID returns the CloudEvent id of the acceptance of an ERP command.
func AcceptedID(tenant engine.TenantID, idempotencyKey string) string {
	return derive("accepted", string(tenant), idempotencyKey)
}

// RejectedID returns the CloudEvent id of the rejection of the ERP command
// stored at seq in MAKO_ERP (a fixed resend with the same idempotency key
// gets its own answer).
func RejectedID(tenant engine.TenantID, idempotencyKey string, seq uint64) string {
	return derive("rejected", string(tenant), idempotencyKey, fmt.Sprint(seq))
}

// CorrelationID returns the deterministic correlation id of the process
// work an ERP command starts.
func CorrelationID(tenant engine.TenantID, idempotencyKey string) engine.CorrelationID {
	return engine.CorrelationID(derive("correlation", string(tenant), idempotencyKey))
}
