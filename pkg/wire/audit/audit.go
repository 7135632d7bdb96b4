// Package audit is the wire contract of stream MAKO_AUDIT: one JSON Record
// per operator change to partner data or master data (who, when, why, the
// record before and after), on `mako.audit.<tenant>.<kind>.<id>`. Records
// are kept forever (§147 AO / GoBD retention is the operator's purge
// decision). pkg/audit writes them and reads an object's history back.
package audit

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Stream and subject prefix of audit records (streams/MAKO_AUDIT.json).
const (
	// Stream holds the audit records.
	Stream = "MAKO_AUDIT"
	// SubjectPrefix + ".<tenant>.<kind>.<id>" is the subject of one
	// object's records.
	SubjectPrefix = "mako.audit"
)

// Kinds of audited objects (the <kind> token of the subject).
const (
	// KindPartner: a partner record (pkg/partner), id = MP-ID.
	KindPartner = "partner"
	// KindMaLo: master data of a market location (pkg/malo), id = MaLo-ID.
	KindMaLo = "malo"
)

// ActionUnreadable marks a message on an audit subject that is not a
// Record (readers show it with the decoding error as Reason).
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
func Subject(tenant, kind, id string) string {
	return SubjectPrefix + "." + tenant + "." + kind + "." + id
}

// ParseSubject returns the tenant, kind and id of
// `mako.audit.<tenant>.<kind>.<id>`; it fails unless the subject is exactly
// that with three non-empty tokens.
func ParseSubject(subject string) (tenant, kind, id string, err error) {
	rest, ok := strings.CutPrefix(subject, SubjectPrefix+".")
	toks := strings.Split(rest, ".")
	if !ok || len(toks) != 3 || toks[0] == "" || toks[1] == "" || toks[2] == "" {
		return "", "", "", fmt.Errorf("audit: subject %q is not %s.<tenant>.<kind>.<id>", subject, SubjectPrefix)
	}
	return toks[0], toks[1], toks[2], nil
}

// Validate checks that r names its object (tenant, kind, an id that is
// one subject token) and an actor.
func (r Record) Validate() error {
	if r.Tenant == "" || r.Kind == "" || r.ID == "" || r.Actor == "" ||
		strings.ContainsAny(r.Tenant+r.Kind+r.ID, ".*> ") {
		return fmt.Errorf("audit: incomplete record %s/%s/%s by %q", r.Tenant, r.Kind, r.ID, r.Actor)
	}
	return nil
}

// Encode validates r and returns its subject and JSON payload.
func Encode(r Record) (subject string, data []byte, err error) {
	if err := r.Validate(); err != nil {
		return "", nil, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return "", nil, fmt.Errorf("audit: encode %s: %w", Subject(r.Tenant, r.Kind, r.ID), err)
	}
	return Subject(r.Tenant, r.Kind, r.ID), b, nil
}

// Decode parses a record read from MAKO_AUDIT.
func Decode(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("audit: decode record: %w", err)
	}
	return r, nil
}
