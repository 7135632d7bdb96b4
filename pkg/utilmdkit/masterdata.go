package utilmdkit

import (
	"context"
	"errors"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/malo"
)

// Query names the master data a request needs: the tenant and its own
// MP-ID (the request's recipient), the partner (its sender), the PID, the
// MaLo and the requested date (DTM+92 start or DTM+93 end; zero if absent);
// ReceivedAt is when the request arrived (the command's ReceivedAt).
type Query struct {
	Tenant     engine.TenantID
	Own        string
	Partner    string
	PID        string
	MaLo       string
	Date       time.Time
	ReceivedAt time.Time
}

// Source reads a family's master data M of a MaLo as the tenant knows it.
// The family's Enrich calls it (I/O is allowed there, never in Handle). A
// MaLo the tenant does not know is the zero facts with a nil error; an
// error means the facts could not be read (the command is retried).
type Source[M any] interface {
	MasterData(ctx context.Context, q Query) (M, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc[M any] func(ctx context.Context, q Query) (M, error)

// MasterData implements Source.
func (f SourceFunc[M]) MasterData(ctx context.Context, q Query) (M, error) { return f(ctx, q) }

// MaLoFacts are the facts both families read from a pkg/malo record.
type MaLoFacts struct {
	// Known: the tenant has a record of the MaLo (an invalid MaLo-ID is
	// unknown, not an error).
	Known bool
	// InGrid: the record's grid operator is the tenant's own MP-ID (or not
	// set); otherwise that operator is SuccessorNB.
	InGrid      bool
	SuccessorNB string
	// Supplier is the LF whose period covers the instant before the
	// requested date (or the receipt, without date).
	Supplier string
	// Supplied: the tenant's own period covers At (FromMaLo of each family
	// says which instant); ContractEnd its end (zero: open).
	Supplied    bool
	ContractEnd time.Time
	// ConfirmedEnd: a period of the tenant or of the partner ends exactly
	// at the requested date (the end is already recorded).
	ConfirmedEnd bool
	// AnnualConsumption is a copy of the record's (nil: none).
	AnnualConsumption *int64
	// At is the instant the facts refer to (the date, else the receipt).
	At time.Time
}

// ReadMaLo reads the record of q.MaLo for q.Tenant and derives MaLoFacts;
// supplied reports whether a period of the tenant "supplies" the MaLo in
// the family's sense (gpke: at the date, geligas: on the Gastag before it).
// rec is nil for an unknown MaLo.
func ReadMaLo(ctx context.Context, r malo.Reader, q Query, supplied func(p malo.Period, at time.Time) bool) (MaLoFacts, *malo.Record, error) {
	var f MaLoFacts
	rec, err := r.Lookup(ctx, string(q.Tenant), q.MaLo)
	switch {
	case errors.Is(err, malo.ErrInvalid):
		return f, nil, nil
	case err != nil:
		return f, nil, err
	case rec == nil:
		return f, nil, nil
	}
	f.Known = true
	if rec.AnnualConsumption != nil {
		c := *rec.AnnualConsumption
		f.AnnualConsumption = &c
	}
	f.InGrid = rec.GridOperator == "" || rec.GridOperator == q.Own
	if !f.InGrid {
		f.SuccessorNB = rec.GridOperator
	}
	f.At = q.Date
	if f.At.IsZero() {
		f.At = q.ReceivedAt
	}
	if p, ok := rec.SupplierAt(f.At.Add(-time.Nanosecond)); ok {
		f.Supplier = p.Supplier
	}
	for _, p := range rec.Periods {
		if p.Supplier == q.Own && supplied(p, f.At) {
			f.Supplied = true
			if p.To != nil {
				f.ContractEnd = *p.To
			}
		}
		if (p.Supplier == q.Own || p.Supplier == q.Partner) && p.To != nil && p.To.Equal(f.At) {
			f.ConfirmedEnd = true
		}
	}
	return f, rec, nil
}
