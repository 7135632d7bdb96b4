package routing

import (
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/catalog"
)

func TestResolveSpecificity(t *testing.T) {
	r, err := New(
		Route{PID: "19001", Role: RoleNB, Workflow: "gpke.konfiguration", Module: "gpke"},
		Route{PID: "19001", Role: RoleNMSB, Workflow: "wim.geraeteuebernahme", Module: "wim"},
		Route{PID: "55001", Workflow: "gpke.lieferbeginn", Initiating: true, Module: "gpke"},
		Route{PID: "55001", Sector: catalog.Strom, Workflow: "gpke.lieferbeginn.strom", Initiating: true, Module: "gpke"},
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		pid    string
		sector catalog.Sector
		roles  []Role
		want   string
		err    error
	}{
		{"19001", catalog.Strom, []Role{RoleNB}, "gpke.konfiguration", nil},
		{"19001", catalog.Strom, []Role{RoleNMSB}, "wim.geraeteuebernahme", nil},
		{"19001", catalog.Strom, []Role{RoleLF}, "", ErrNoRoute},
		{"19001", catalog.Strom, []Role{RoleNB, RoleNMSB}, "", ErrAmbiguous},
		{"55001", catalog.Strom, nil, "gpke.lieferbeginn.strom", nil},
		{"55001", catalog.Gas, nil, "gpke.lieferbeginn", nil},
		{"55001", catalog.SectorUnspecified, nil, "gpke.lieferbeginn", nil},
		{"99999", catalog.Strom, nil, "", ErrNoRoute},
	} {
		got, err := r.Resolve(tc.pid, tc.sector, tc.roles)
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%s %v %v: err %v, want %v", tc.pid, tc.sector, tc.roles, err, tc.err)
			}
			continue
		}
		if err != nil || got.Workflow != tc.want {
			t.Errorf("%s %v %v: %q, %v; want %q", tc.pid, tc.sector, tc.roles, got.Workflow, err, tc.want)
		}
	}
	if len(r.Routes()) != 4 {
		t.Fatalf("routes %v", r.Routes())
	}
}

func TestBuildConflicts(t *testing.T) {
	_, err := New(
		Route{PID: "55001", Workflow: "a", Module: "m1"},
		Route{PID: "55001", Workflow: "b", Module: "m2"},
	)
	var ce *ConflictError
	if !errors.As(err, &ce) || ce.A.Module != "m1" || ce.B.Module != "m2" {
		t.Fatalf("want conflict, got %v", err)
	}
	if _, err := New(Route{PID: "55001", Workflow: "a"}, Route{PID: "55001", Workflow: "a"}); err != nil {
		t.Fatalf("identical duplicates must merge: %v", err)
	}
	for _, bad := range []Route{{PID: "5500", Workflow: "a"}, {PID: "5500x", Workflow: "a"}, {PID: "55001"}} {
		if _, err := New(bad); err == nil {
			t.Errorf("route %+v accepted", bad)
		}
	}
}
