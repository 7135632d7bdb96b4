package inbound

import (
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire"
)

// Stream, subject prefix and headers of raw inbound interchanges
// (streams/MAKO_INGEST.json).
const (
	// Stream holds the raw inbound interchanges (kept for audit).
	Stream = "MAKO_INGEST"
	// SubjectPrefix + ".<tenant>" is where a gateway hands a tenant an
	// interchange.
	SubjectPrefix = "mako.ingest"
)

// Header names a publisher may set on `mako.ingest.<tenant>`.
const (
	// HeaderReceivedAt is the receipt time (RFC 3339); default: the publish time.
	HeaderReceivedAt = "Mako-Received-At"
	// HeaderTransportID is the transport's message id (e.g. the AS4
	// MessageId, or the outbox message id when the deliverer's nats
	// transport hands an interchange to another tenant).
	HeaderTransportID = "Mako-Transport-Id"
)

// Subject returns the ingest subject of a tenant, `mako.ingest.<tenant>`.
func Subject(t engine.TenantID) string { return SubjectPrefix + "." + string(t) }

// TenantFromSubject returns the tenant token of `mako.ingest.<tenant>`; it
// fails unless the subject is exactly that (one non-empty token). The
// token is not validated as a tenant id (TenantID.Validate): ingest looks
// it up among its tenants, and an unknown one is dead-lettered under it.
func TenantFromSubject(subject string) (engine.TenantID, error) {
	tid, err := wire.SoleTenantToken(SubjectPrefix, subject)
	return engine.TenantID(tid), err
}
