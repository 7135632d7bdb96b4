// Package routing maps an inbound transaction's Prüfidentifikator (PID) to the
// workflow that handles it.
//
// Workflow modules register Routes; the Router is built once, is read-only
// afterwards and safe for concurrent use. A route can be qualified by sector
// (Strom/Gas) and by the market role the receiving tenant plays (BDEW
// Rollenmodell), because one PID can mean different processes for different
// roles (seed: 19001 is GPKE Konfiguration for an NB, WiM Geräteübernahme
// for an nMSB). Conflicts fail when the router is built, never at run time.
package routing

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

// Role is a market role of the BDEW Rollenmodell as played by a tenant.
type Role string

// Market roles (BDEW Rollenmodell 2.2, as listed in seed.md "marktrolle").
const (
	RoleNB   Role = "NB"
	RoleLF   Role = "LF"
	RoleMSB  Role = "MSB"
	RoleNMSB Role = "nMSB"
	RoleAMSB Role = "aMSB"
	RoleBKV  Role = "BKV"
	RoleUENB Role = "ÜNB"
	RoleBIKO Role = "BIKO"
	RoleESA  Role = "ESA"
	RoleGNB  Role = "GNB"
	RoleLFG  Role = "LFG"
	RoleMGV  Role = "MGV"
)

// Route says which workflow handles a PID.
type Route struct {
	// PID is the five-digit Prüfidentifikator.
	PID string
	// Sector restricts the route to Strom or Gas; SectorUnspecified matches both.
	Sector catalog.Sector
	// Role restricts the route to tenants playing this role; "" matches any tenant.
	Role Role
	// Workflow is the name of the workflow that handles the transaction.
	Workflow string
	// Initiating is true when the PID starts a new process (e.g. 55001
	// Anmeldung). A non-initiating PID is a follow-up (an answer) and must
	// find its process through the registry; if none exists it is an orphan.
	Initiating bool
	// Module names the module that registered the route (for conflict messages).
	Module string
}

func (r Route) specificity() int {
	n := 0
	if r.Role != "" {
		n += 2
	}
	if r.Sector != catalog.SectorUnspecified {
		n++
	}
	return n
}

// ErrNoRoute is returned by Resolve when no route matches.
var ErrNoRoute = errors.New("routing: no workflow registered for PID")

// ErrAmbiguous is returned by Resolve when two equally specific routes match
// (for example a tenant that plays two roles both routed for the PID).
var ErrAmbiguous = errors.New("routing: PID matches more than one workflow")

// ConflictError reports two registrations of the same PID, sector and role
// for different workflows.
type ConflictError struct{ A, B Route }

func (e *ConflictError) Error() string {
	return fmt.Sprintf("routing: PID %s (sector %q, role %q) registered for %s by %q and for %s by %q",
		e.A.PID, e.A.Sector, e.A.Role, e.A.Workflow, e.A.Module, e.B.Workflow, e.B.Module)
}

// Router resolves PIDs to routes. The zero value has no routes.
type Router struct {
	byPID map[string][]Route
}

// New builds a router. It fails on a malformed PID, an empty workflow name,
// or two routes with the same PID, sector and role but different workflows
// (identical duplicates are merged).
func New(routes ...Route) (*Router, error) {
	r := &Router{byPID: map[string][]Route{}}
	for _, rt := range routes {
		if len(rt.PID) != 5 || strings.Trim(rt.PID, "0123456789") != "" {
			return nil, fmt.Errorf("routing: module %q: malformed PID %q", rt.Module, rt.PID)
		}
		if rt.Workflow == "" {
			return nil, fmt.Errorf("routing: module %q: PID %s without workflow", rt.Module, rt.PID)
		}
		dup := false
		for _, ex := range r.byPID[rt.PID] {
			if ex.Sector == rt.Sector && ex.Role == rt.Role {
				if ex.Workflow != rt.Workflow || ex.Initiating != rt.Initiating {
					return nil, &ConflictError{A: ex, B: rt}
				}
				dup = true
			}
		}
		if !dup {
			r.byPID[rt.PID] = append(r.byPID[rt.PID], rt)
		}
	}
	return r, nil
}

// Resolve returns the route for pid received in sector by a tenant playing
// roles. The most specific matching route wins: role-qualified over
// unqualified, then sector-qualified over unqualified.
func (r *Router) Resolve(pid string, sector catalog.Sector, roles []Role) (Route, error) {
	var best []Route
	bestSpec := -1
	for _, rt := range r.byPID[pid] {
		if rt.Sector != catalog.SectorUnspecified && sector != catalog.SectorUnspecified && rt.Sector != sector {
			continue
		}
		if rt.Sector != catalog.SectorUnspecified && sector == catalog.SectorUnspecified {
			continue
		}
		if rt.Role != "" && !slices.Contains(roles, rt.Role) {
			continue
		}
		switch s := rt.specificity(); {
		case s > bestSpec:
			best, bestSpec = []Route{rt}, s
		case s == bestSpec:
			best = append(best, rt)
		}
	}
	switch len(best) {
	case 0:
		return Route{}, fmt.Errorf("%w: %s (sector %q, roles %v)", ErrNoRoute, pid, sector, roles)
	case 1:
		return best[0], nil
	}
	names := make([]string, len(best))
	for i, b := range best {
		names[i] = b.Workflow
	}
	return Route{}, fmt.Errorf("%w: %s -> %s", ErrAmbiguous, pid, strings.Join(names, ", "))
}

// Routes returns every registered route, ordered by PID.
func (r *Router) Routes() []Route {
	var out []Route
	for _, rs := range r.byPID {
		out = append(out, rs...)
	}
	slices.SortFunc(out, func(a, b Route) int {
		if c := strings.Compare(a.PID, b.PID); c != 0 {
			return c
		}
		return a.specificity() - b.specificity()
	})
	return out
}
