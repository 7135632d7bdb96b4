package gpke

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
)

// FromMaLo adapts pkg/malo's master data to MasterDataSource. A malo.Record
// carries the grid operator and the supply periods, so it answers:
//
//   - Known: the tenant has a record of the MaLo (an invalid MaLo-ID is
//     unknown, not an error);
//   - InGrid / SuccessorNB: the record's grid operator is the tenant's own
//     MP-ID (or not set); otherwise that operator is the succeeding NB (Z16);
//   - Supplier (NB): the LF whose period covers the instant before the
//     requested date (the day before the Zuordnungsbeginn);
//   - Supplied (LF): the tenant's own period covers the requested date;
//   - ConfirmedEnd: the partner's (NB) or own (LF) period ends exactly at the
//     requested date, i.e. the end is already recorded;
//   - MeLos, MSB, MSBRole, BaseMSB (55002/55078) and AnnualConsumption
//     (55017) from the record's fields of the same name.
//
// Facts the record does not hold (NotParticipating, PendingRegistration,
// Generating, EEG, ContractBinding, ContractEnd, Customer, PendingStart,
// NextProcessing, NoticePeriod, EarliestEnd) stay false/zero:
// wrap the source to add them from other systems.
func FromMaLo(r malo.Reader) MasterDataSource {
	return MasterDataFunc(func(ctx context.Context, q Query) (MasterData, error) {
		md := MasterData{MaLo: q.MaLo}
		rec, err := r.Lookup(ctx, string(q.Tenant), q.MaLo)
		switch {
		case errors.Is(err, malo.ErrInvalid):
			return md, nil
		case err != nil:
			return md, err
		case rec == nil:
			return md, nil
		}
		md.Known = true
		md.MeLos, md.MSB, md.MSBRole, md.BaseMSB = slices.Clone(rec.MeLos), rec.MSB, rec.MSBRole, rec.BaseMSB
		if rec.AnnualConsumption != nil {
			c := *rec.AnnualConsumption
			md.AnnualConsumption = &c
		}
		md.InGrid = rec.GridOperator == "" || rec.GridOperator == q.Own
		if !md.InGrid {
			md.SuccessorNB = rec.GridOperator
		}
		at := q.Date
		if at.IsZero() {
			at = q.ReceivedAt
		}
		if p, ok := rec.SupplierAt(at.Add(-time.Nanosecond)); ok {
			md.Supplier = p.Supplier
		}
		for _, p := range rec.Periods {
			if p.Supplier == q.Own && p.Contains(at) {
				md.Supplied = true
			}
			if (p.Supplier == q.Own || p.Supplier == q.Partner) && p.To != nil && p.To.Equal(at) {
				md.ConfirmedEnd = true
			}
		}
		return md, nil
	})
}
