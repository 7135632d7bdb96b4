package gpke

import (
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/routing"
)

// TestAdjacentPIDsMatchRoutes: every PID of the decision table is routed
// iff the table says so, every route of the module is in the table, and
// every PID is a UTILMD PID of both format versions.
func TestAdjacentPIDsMatchRoutes(t *testing.T) {
	router, err := routing.New(Routes()...)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, a := range AdjacentPIDs() {
		key := a.PID + "/" + string(a.Role)
		if seen[key] {
			t.Errorf("%s twice", key)
		}
		seen[key] = true
		_, err := router.Resolve(a.PID, catalog.Strom, []routing.Role{a.Role})
		if routed := err == nil; routed != (a.Handling == Routed) {
			t.Errorf("%s at %s: table says %s, router error %v", a.PID, a.Role, a.Handling, err)
		}
		for _, v := range formatVersions {
			if !catalog.KnownPID(catalog.UTILMD, fv.MustParse(v), a.PID) {
				t.Errorf("%s not a PID of %s", a.PID, v)
			}
		}
		if a.Why == "" {
			t.Errorf("%s at %s without a reason", a.PID, a.Role)
		}
	}
	for _, r := range Routes() {
		if !seen[r.PID+"/"+string(r.Role)] {
			t.Errorf("route %s at %s not in AdjacentPIDs", r.PID, r.Role)
		}
	}
}
