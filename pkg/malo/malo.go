// Package malo holds the master data of market locations (Marktlokationen,
// MaLo) as this deployment sees them, and the rules that keep them
// consistent.
//
// One Record per tenant and MaLo-ID: for a grid operator (NB) tenant the
// grid area (Netzgebiet) and the suppliers assigned to the MaLo over time;
// for a supplier (LF) tenant the periods it supplies the MaLo (and the NB it
// belongs to). Supply periods are half-open intervals [From, To) that never
// overlap; To is empty for an open end.
//
// Gas MaLos also carry their gas master data (Gas: Marktgebiet,
// Bilanzkreis, Gasqualität, Druckebene; the Netzbetreiber is GridOperator).
//
// Records change in three ways, all through the pure function Apply:
//   - operators with `mako malo set` (Put of a whole record),
//   - the ERP, through workflows,
//   - completed processes: a committed workflow event whose data implements
//     Changer (e.g. after a confirmed supplier switch the NB's MaLo is assigned
//     to the new supplier from the Zuordnungsbeginn) is applied by the master
//     data consumer (Applier), exactly once per event id.
//
// The NATS implementation keeps one JSON value per record in KV bucket
// `mako_malo` under `<tenant>.<MaLo-ID>`; an operator reads one with
// `nats kv get mako_malo nb.51238696781`.
package malo

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/ident"
	"github.com/mako-engine/mako/pkg/engine"
)

// Errors returned (wrapped) by this package.
var (
	// ErrInvalid reports a record, change, tenant or MaLo-ID that cannot be stored.
	ErrInvalid = errors.New("malo: invalid")
	// ErrNotFound reports that no record exists for the tenant and MaLo-ID.
	ErrNotFound = errors.New("malo: not found")
	// ErrConflict reports a failed optimistic-concurrency condition (IfAbsent
	// on an existing record, IfRevision on another revision).
	ErrConflict = errors.New("malo: revision conflict")
)

// Period is one supply assignment of the MaLo: Supplier (the LF's MP-ID)
// supplies it from From (inclusive) to To (exclusive); To nil = open end.
type Period struct {
	Supplier string     `json:"supplier"`
	From     time.Time  `json:"from"`
	To       *time.Time `json:"to,omitempty"`
}

// Contains reports whether t lies in [From, To).
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.From) && (p.To == nil || t.Before(*p.To))
}

// Record is the master data of one MaLo in one tenant.
type Record struct {
	// MaLo is the Marktlokations-ID (11 digits with check digit).
	MaLo string `json:"malo"`
	// GridArea is the grid area (Netzgebiet) the MaLo lies in, as the
	// deployment names it (BO4E Marktlokation.netzgebietsnr).
	GridArea string `json:"grid_area,omitempty"`
	// GridOperator is the MP-ID of the NB whose grid the MaLo is connected
	// to (BO4E Marktlokation.netzbetreibercodenr).
	GridOperator string `json:"grid_operator,omitempty"`
	// Sector is "Strom" or "Gas" (empty: unknown).
	Sector string `json:"sector,omitempty"`
	// Periods are the supply assignments, ordered by From, non-overlapping.
	// The NB sees every supplier; an LF sees its own supply.
	Periods []Period `json:"periods,omitempty"`
	// MeLos are the Messlokationen (Zählpunktbezeichnung, 33 characters)
	// whose values give the MaLo's energy (UTILMD 55002/55078 SG5 LOC+Z17
	// and SG8 SEQ+ZF3, AHB hint [623]); none: an unmetered (pauschale) MaLo,
	// Ergänzung ZW6 in 55002.
	MeLos []string `json:"melos,omitempty"`
	// MSB is the MP-ID of the metering point operator of the MeLos (UTILMD
	// 55002/55078 SG10 CAV+Z91), MSBRole its role code there: "Z39"
	// grundzuständig, "Z40" wettbewerblich, "Z41" Auffang-MSB.
	MSB     string `json:"msb,omitempty"`
	MSBRole string `json:"msb_role,omitempty"`
	// BaseMSB is the MP-ID of the grundzuständige MSB (SG10 CAV+ZF0 of
	// SEQ+ZF3); empty means MSB when MSBRole is "Z39".
	BaseMSB string `json:"base_msb,omitempty"`
	// AnnualConsumption is the LF's previous-year consumption of the MaLo in
	// kWh (UTILMD 55017 SG9 QTY+Z09 "Vorjahresverbrauch vom Lieferant"), nil
	// if the LF has none recorded.
	AnnualConsumption *int64 `json:"annual_consumption_kwh,omitempty"`
	// Gas is the gas master data of a gas MaLo (Marktgebiet, Bilanzkreis,
	// Gasqualität, Druckebene), stored inline (JSON fields market_area,
	// balance_group, gas_quality, pressure_level; absent for Strom, so
	// records written before these fields read and write unchanged).
	Gas
	// GasNetwork is the NB's network data of a gas MaLo (what 44002 and
	// 44013 carry beyond Gas); an LF records its customer and the MaLo's
	// address there (what its 44017 names). nil: none recorded.
	GasNetwork *GasNetwork `json:"gas_network,omitempty"`
	// Applied holds the ids of the last changes applied by Applier
	// (workflow event ids), newest last, at most MaxApplied: a change whose
	// id is listed is not applied again.
	Applied []string `json:"applied,omitempty"`
	// UpdatedAt is when the record was last written (store clock, UTC).
	UpdatedAt time.Time `json:"updated_at"`
}

// MaxApplied bounds Record.Applied.
const MaxApplied = 64

// SupplierAt returns the period covering t, if any.
func (r Record) SupplierAt(t time.Time) (Period, bool) {
	for _, p := range r.Periods {
		if p.Contains(t) {
			return p, true
		}
	}
	return Period{}, false
}

// Validate checks the MaLo-ID, the MP-IDs and the periods (ordered, each
// non-empty, non-overlapping).
func (r Record) Validate() error {
	if err := ident.ValidateMaLo(r.MaLo); err != nil {
		return fmt.Errorf("%w: record: %v", ErrInvalid, err)
	}
	if r.GridOperator != "" {
		if err := ident.ValidateMPID(r.GridOperator); err != nil {
			return fmt.Errorf("%w: record %s: grid operator: %v", ErrInvalid, r.MaLo, err)
		}
	}
	for _, m := range r.MeLos {
		if err := ident.ValidateMeLo(m); err != nil {
			return fmt.Errorf("%w: record %s: MeLo: %v", ErrInvalid, r.MaLo, err)
		}
	}
	for _, id := range []string{r.MSB, r.BaseMSB} {
		if id == "" {
			continue
		}
		if err := ident.ValidateMPID(id); err != nil {
			return fmt.Errorf("%w: record %s: MSB: %v", ErrInvalid, r.MaLo, err)
		}
	}
	switch r.MSBRole {
	case "", "Z39", "Z40", "Z41":
	default:
		return fmt.Errorf("%w: record %s: MSB role %q: want Z39, Z40 or Z41", ErrInvalid, r.MaLo, r.MSBRole)
	}
	if r.AnnualConsumption != nil && *r.AnnualConsumption < 0 {
		return fmt.Errorf("%w: record %s: negative annual consumption", ErrInvalid, r.MaLo)
	}
	switch r.Sector {
	case "", "Strom", "Gas":
	default:
		return fmt.Errorf("%w: record %s: sector %q: want Strom or Gas", ErrInvalid, r.MaLo, r.Sector)
	}
	if err := r.Gas.Validate(); err != nil {
		return fmt.Errorf("%w: record %s: %v", ErrInvalid, r.MaLo, err)
	}
	if r.GasNetwork != nil {
		if err := r.GasNetwork.Validate(); err != nil {
			return fmt.Errorf("%w: record %s: %v", ErrInvalid, r.MaLo, err)
		}
	}
	if r.Sector == "Strom" && (!r.Gas.Empty() || r.GasNetwork != nil) {
		return fmt.Errorf("%w: record %s: gas master data on a Strom MaLo", ErrInvalid, r.MaLo)
	}
	for i, p := range r.Periods {
		if err := ident.ValidateMPID(p.Supplier); err != nil {
			return fmt.Errorf("%w: record %s: period %d: supplier: %v", ErrInvalid, r.MaLo, i, err)
		}
		if p.From.IsZero() {
			return fmt.Errorf("%w: record %s: period %d: no start", ErrInvalid, r.MaLo, i)
		}
		if p.To != nil && !p.To.After(p.From) {
			return fmt.Errorf("%w: record %s: period %d: end %s not after start %s", ErrInvalid, r.MaLo, i, p.To.Format(time.RFC3339), p.From.Format(time.RFC3339))
		}
		if i > 0 {
			prev := r.Periods[i-1]
			if prev.To == nil || prev.To.After(p.From) {
				return fmt.Errorf("%w: record %s: periods %d and %d overlap", ErrInvalid, r.MaLo, i-1, i)
			}
		}
	}
	return nil
}

// Clone returns a deep copy.
func (r Record) Clone() Record {
	r.Periods = slices.Clone(r.Periods)
	for i := range r.Periods {
		if t := r.Periods[i].To; t != nil {
			c := *t
			r.Periods[i].To = &c
		}
	}
	r.GasNetwork = r.GasNetwork.clone()
	r.Applied = slices.Clone(r.Applied)
	r.MeLos = slices.Clone(r.MeLos)
	if r.AnnualConsumption != nil {
		c := *r.AnnualConsumption
		r.AnnualConsumption = &c
	}
	return r
}

// HasApplied reports whether the change id is recorded in Applied.
func (r Record) HasApplied(id string) bool { return id != "" && slices.Contains(r.Applied, id) }

// Kind names what a Change does.
type Kind string

// The kinds of change.
const (
	// KindAssign assigns the MaLo to Supplier from At (supply start,
	// Zuordnungsbeginn): the assignment covering At is closed at At, the new
	// one runs until the next later assignment or open-ended.
	KindAssign Kind = "assign_supplier"
	// KindEnd ends Supplier's assignment at At (supply end, Zuordnungsende,
	// exclusive): the period of Supplier covering the instant before At gets
	// To = At; a period of Supplier starting at or after At is removed.
	KindEnd Kind = "end_supply"
	// KindRevoke cancels Supplier's assignment starting at At (Stornierung):
	// it is removed, and the preceding period that was closed at At is
	// reopened up to the removed period's end.
	KindRevoke Kind = "revoke_assignment"
	// KindGrid sets the grid area and grid operator (empty fields are kept).
	KindGrid Kind = "set_grid"
	// KindGas sets the gas master data (empty fields are kept) and marks
	// a record without sector as Gas.
	KindGas Kind = "set_gas"
)

// Change is one change of a MaLo's master data, as a value (workflow
// events carry it; see Changer). Build it with AssignSupplier, EndSupply,
// RevokeAssignment, SetGrid or SetGas.
type Change struct {
	Kind         Kind      `json:"kind"`
	MaLo         string    `json:"malo"`
	Supplier     string    `json:"supplier,omitempty"`
	At           time.Time `json:"at,omitzero"`
	GridArea     string    `json:"grid_area,omitempty"`
	GridOperator string    `json:"grid_operator,omitempty"`
	Sector       string    `json:"sector,omitempty"`
	// Gas is the gas master data of KindGas.
	Gas *Gas `json:"gas,omitempty"`
}

// AssignSupplier assigns the MaLo to supplier (MP-ID) from from.
func AssignSupplier(maloID, supplier string, from time.Time) Change {
	return Change{Kind: KindAssign, MaLo: maloID, Supplier: supplier, At: from}
}

// EndSupply ends supplier's assignment at to (exclusive).
func EndSupply(maloID, supplier string, to time.Time) Change {
	return Change{Kind: KindEnd, MaLo: maloID, Supplier: supplier, At: to}
}

// RevokeAssignment cancels supplier's assignment starting at from.
func RevokeAssignment(maloID, supplier string, from time.Time) Change {
	return Change{Kind: KindRevoke, MaLo: maloID, Supplier: supplier, At: from}
}

// SetGrid sets the MaLo's grid area and grid operator (MP-ID); empty
// arguments leave the field as it is.
func SetGrid(maloID, gridArea, gridOperator string) Change {
	return Change{Kind: KindGrid, MaLo: maloID, GridArea: gridArea, GridOperator: gridOperator}
}

// Validate checks that the change is complete for its kind.
func (c Change) Validate() error {
	if err := ident.ValidateMaLo(c.MaLo); err != nil {
		return fmt.Errorf("%w: change %s: %v", ErrInvalid, c.Kind, err)
	}
	switch c.Kind {
	case KindAssign, KindEnd, KindRevoke:
		if err := ident.ValidateMPID(c.Supplier); err != nil {
			return fmt.Errorf("%w: change %s of %s: supplier: %v", ErrInvalid, c.Kind, c.MaLo, err)
		}
		if c.At.IsZero() {
			return fmt.Errorf("%w: change %s of %s: no date", ErrInvalid, c.Kind, c.MaLo)
		}
	case KindGrid:
		if c.GridOperator != "" {
			if err := ident.ValidateMPID(c.GridOperator); err != nil {
				return fmt.Errorf("%w: change %s of %s: grid operator: %v", ErrInvalid, c.Kind, c.MaLo, err)
			}
		}
		switch c.Sector {
		case "", "Strom", "Gas":
		default:
			return fmt.Errorf("%w: change %s of %s: sector %q", ErrInvalid, c.Kind, c.MaLo, c.Sector)
		}
	case KindGas:
		if c.Gas == nil || c.Gas.Empty() {
			return fmt.Errorf("%w: change %s of %s: no gas master data", ErrInvalid, c.Kind, c.MaLo)
		}
		if err := c.Gas.Validate(); err != nil {
			return fmt.Errorf("%w: change %s of %s: %v", ErrInvalid, c.Kind, c.MaLo, err)
		}
	default:
		return fmt.Errorf("%w: change kind %q", ErrInvalid, c.Kind)
	}
	return nil
}

// Changer is implemented by workflow event data that changes master data
// when committed. The master data consumer (Applier) applies MaLoChange()
// to the tenant's record of Change.MaLo once per event id.
type Changer interface {
	MaLoChange() Change
}

// Apply returns r with c applied. It is pure (r is not modified) and keeps
// the periods ordered and non-overlapping; applying the same change twice
// gives the same record as applying it once. r.MaLo is set to c.MaLo when
// empty (a new record). A change for another MaLo, or an invalid one,
// returns r unchanged — validate with Change.Validate first.
func Apply(r Record, c Change) Record {
	if c.Validate() != nil || (r.MaLo != "" && r.MaLo != c.MaLo) {
		return r
	}
	r = r.Clone()
	r.MaLo = c.MaLo
	at := c.At.UTC()
	switch c.Kind {
	case KindAssign:
		r.Periods = assign(r.Periods, c.Supplier, at)
	case KindEnd:
		r.Periods = end(r.Periods, c.Supplier, at)
	case KindRevoke:
		r.Periods = revoke(r.Periods, c.Supplier, at)
	case KindGrid:
		if c.GridArea != "" {
			r.GridArea = c.GridArea
		}
		if c.GridOperator != "" {
			r.GridOperator = c.GridOperator
		}
		if c.Sector != "" {
			r.Sector = c.Sector
		}
	case KindGas:
		r.Gas = r.Gas.merge(*c.Gas)
		if r.Sector == "" {
			r.Sector = "Gas"
		}
	}
	return r
}

func timePtr(t time.Time) *time.Time { return &t }

// assign gives supplier the MaLo from at: the period covering at is closed
// at at (or, if it is the supplier's own, extended), periods starting at at
// are replaced, and the new period ends where the next later one begins.
func assign(ps []Period, supplier string, at time.Time) []Period {
	var next *time.Time
	for _, p := range ps {
		if p.From.After(at) {
			next = timePtr(p.From)
			break
		}
	}
	out := make([]Period, 0, len(ps)+1)
	placed := false
	for _, p := range ps {
		switch {
		case p.From.Equal(at):
			// Replaced by the new assignment.
			continue
		case p.Contains(at):
			if p.Supplier == supplier {
				// Already this supplier's: the supply continues.
				p.To = cloneTime(next)
				out = append(out, p)
				placed = true
				continue
			}
			p.To = timePtr(at)
		}
		out = append(out, p)
	}
	if !placed {
		out = append(out, Period{Supplier: supplier, From: at, To: cloneTime(next)})
	}
	sortPeriods(out)
	return merge(out)
}

// end closes supplier's period covering the instant before at and drops
// supplier's periods that start at or after at.
func end(ps []Period, supplier string, at time.Time) []Period {
	out := make([]Period, 0, len(ps))
	for _, p := range ps {
		if p.Supplier == supplier {
			if !p.From.Before(at) {
				continue
			}
			if p.To == nil || p.To.After(at) {
				p.To = timePtr(at)
			}
		}
		out = append(out, p)
	}
	return out
}

// revoke removes supplier's period starting at at and reopens the period
// closed at at.
func revoke(ps []Period, supplier string, at time.Time) []Period {
	idx := -1
	for i, p := range ps {
		if p.Supplier == supplier && p.From.Equal(at) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return ps
	}
	removed := ps[idx]
	out := slices.Delete(slices.Clone(ps), idx, idx+1)
	for i := range out {
		if out[i].To != nil && out[i].To.Equal(at) {
			out[i].To = cloneTime(removed.To)
		}
	}
	return merge(out)
}

func cloneTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func sortPeriods(ps []Period) {
	slices.SortStableFunc(ps, func(a, b Period) int { return a.From.Compare(b.From) })
}

// merge joins adjacent periods of the same supplier ([a,b) + [b,c) = [a,c)).
func merge(ps []Period) []Period {
	if len(ps) < 2 {
		return ps
	}
	out := []Period{ps[0]}
	for _, p := range ps[1:] {
		last := &out[len(out)-1]
		if last.Supplier == p.Supplier && last.To != nil && last.To.Equal(p.From) {
			last.To = cloneTime(p.To)
			continue
		}
		out = append(out, p)
	}
	return out
}

// ValidateTenant checks a tenant id (engine.TenantID rules).
func ValidateTenant(tenant string) error {
	if err := engine.TenantID(tenant).Validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// Key returns the KV key of a record: `<tenant>.<MaLo-ID>`.
func Key(tenant, maloID string) string { return tenant + "." + maloID }
