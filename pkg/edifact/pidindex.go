package edifact

import (
	"sync"

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
