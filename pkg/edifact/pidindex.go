package edifact

import (
	"sync"
	"time"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
)

// pidIndex holds the catalog's PID value lists as sets, keyed by format
// version and message type. It is built once from catalog data and never
// changed afterwards; it only saves the per-call list derivation of the
// catalog (e.g. FV2610 is derived from FV2604 on every lookup).
var pidIndex = sync.OnceValue(func() map[fv.Version]map[string]map[string]struct{} {
	idx := map[fv.Version]map[string]map[string]struct{}{}
	for _, v := range catalog.UNHFormatVersions() {
		for _, typ := range catalog.MessageTypes() {
			list := catalog.PIDs(typ, v)
			if list == nil {
				continue
			}
			if idx[v] == nil {
				idx[v] = map[string]map[string]struct{}{}
			}
			set := make(map[string]struct{}, len(list))
			for _, p := range list {
				set[p] = struct{}{}
			}
			idx[v][typ] = set
		}
	}
	return idx
})

// checkPID has the semantics of catalog.CheckPID (prefix and sector per
// ref §6.2, value list per ref §6.3) with the value lists looked up in
// pidIndex.
func checkPID(typ string, sector Sector, v fv.Version, pid string) catalog.PIDStatus {
	t, s, ok := catalog.PIDMessageType(pid, v)
	if !ok || t != typ || catalog.PIDScope(typ) == catalog.ScopeNone {
		return catalog.PIDUnknown
	}
	if typ == catalog.UTILMD && sector != catalog.SectorUnspecified && s != catalog.SectorUnspecified && s != sector {
		return catalog.PIDUnknown
	}
	set, ok := pidIndex()[v][typ]
	if !ok {
		if catalog.PIDCoverage(typ, v) == catalog.CoverageComplete { // a list outside UNHFormatVersions
			return catalog.CheckPID(typ, sector, v, pid)
		}
		return catalog.PIDUndetermined
	}
	if _, found := set[pid]; found {
		return catalog.PIDKnown
	}
	return catalog.PIDUnknown
}

// fvStarts are the format-version key dates of pkg/fv as instants, oldest
// first, computed once (fv.Resolve parses them on every call).
var fvStarts = sync.OnceValue(func() []fvStart {
	var out []fvStart
	for _, k := range fv.KeyDates() {
		if t, ok := fv.ValidFrom(k.Version); ok {
			out = append(out, fvStart{k.Version, t})
		}
	}
	return out
})

type fvStart struct {
	v    fv.Version
	from time.Time
}

// resolveFV has the semantics of fv.Resolve over the precomputed key dates.
func resolveFV(t time.Time) (fv.Version, error) {
	var out fv.Version
	for _, k := range fvStarts() {
		if t.Before(k.from) {
			break
		}
		out = k.v
	}
	if out.IsZero() {
		return fv.Version{}, fv.ErrBeforeFirst
	}
	return out, nil
}

type unhKey struct {
	typ    string
	sector Sector
	v      fv.Version
}

// unhIndex holds catalog.UNHVersion for every type, sector and covered FV,
// computed once.
var unhIndex = sync.OnceValue(func() map[unhKey]string {
	m := map[unhKey]string{}
	for _, v := range catalog.UNHFormatVersions() {
		for _, typ := range catalog.MessageTypes() {
			for _, s := range []Sector{catalog.SectorUnspecified, catalog.Strom, catalog.Gas} {
				if ver, ok := catalog.UNHVersion(typ, s, v); ok {
					m[unhKey{typ, s, v}] = ver
				}
			}
		}
	}
	return m
})

// unhVersion is catalog.UNHVersion looked up in unhIndex.
func unhVersion(typ string, sector Sector, v fv.Version) (string, bool) {
	ver, ok := unhIndex()[unhKey{typ, sector, v}]
	return ver, ok
}
