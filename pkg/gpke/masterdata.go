package gpke

import (
	"context"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/malo"
	"github.com/mako-engine/mako/pkg/utilmdkit"
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
		// Supplied: the tenant's own period covers the requested date.
		f, rec, err := utilmdkit.ReadMaLo(ctx, r, q, func(p malo.Period, at time.Time) bool { return p.Contains(at) })
		md := MasterData{MaLo: q.MaLo, Known: f.Known, InGrid: f.InGrid, SuccessorNB: f.SuccessorNB, Supplier: f.Supplier,
			Supplied: f.Supplied, ConfirmedEnd: f.ConfirmedEnd, AnnualConsumption: f.AnnualConsumption}
		if err != nil || rec == nil {
			return md, err
		}
		md.MeLos, md.MSB, md.MSBRole, md.BaseMSB = slices.Clone(rec.MeLos), rec.MSB, rec.MSBRole, rec.BaseMSB
		return md, nil
	})
}
