package utilmdkit

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
)

type cmd struct {
	A string `json:"a"`
}

func (cmd) CommandType() string { return "test.cmd" }

var errInvalid = errors.New("invalid")

// TestParty: a DVGW code gets agency 332, a BDEW code 293, a GS1 GLN 9; an
// invalid id keeps 500/293 so that the AHB guard reports it.
func TestParty(t *testing.T) {
	for id, want := range map[string]string{"9800800000016": "332", "9900000000011": "293", "4012345000023": "9", "123": "293"} {
		if _, agency := Party(id); agency != want {
			t.Errorf("%s: agency %s, want %s", id, agency, want)
		}
	}
	if p, _ := Party("123"); p.Qualifier != "500" {
		t.Errorf("invalid id qualifier %s", p.Qualifier)
	}
	if v := DTM("92", time.Date(2026, 12, 1, 6, 0, 0, 0, time.FixedZone("CET", 3600))); strings.Join(v, ":") != "92:202612010500+00:303" {
		t.Errorf("DTM %v", v)
	}
}

// TestDecodeStrictAndIDs: unknown fields and trailing data are refused;
// ValidIDs wraps the family's sentinel.
func TestDecodeStrictAndIDs(t *testing.T) {
	if _, err := DecodeStrict[cmd](json.RawMessage(`{"a":"x"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"a":"x","b":1}`, `{"a":"x"} {}`} {
		if _, err := DecodeStrict[cmd](json.RawMessage(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := ValidIDs(errInvalid, "50112233446"); !errors.Is(err, errInvalid) {
		t.Errorf("bad MaLo: %v", err)
	}
	if err := ValidIDs(errInvalid, "50112233445", "9800800000016"); err != nil {
		t.Errorf("valid ids: %v", err)
	}
}

// TestPendingIn: a process of the workflow bound under the key and not
// answered is pending; the asking process itself and answered ones are not.
func TestPendingIn(t *testing.T) {
	wf := engine.WorkflowID{Name: "w"}
	me := engine.ProcessIdentity{Tenant: "t", Workflow: wf, Process: "me"}
	all := engine.BusinessKey{Kind: "malo", Value: "m"}
	done := engine.BusinessKey{Kind: "done", Value: "m"}
	sets := map[engine.BusinessKey][]engine.ProcessIdentity{all: {me, {Tenant: "t", Workflow: wf, Process: "a"}}, done: {{Process: "a"}}}
	ix := ProcessIndexFunc(func(_ context.Context, _ engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
		return sets[k], nil
	})
	if p, err := PendingIn(context.Background(), ix, me, "w", all, done); err != nil || p {
		t.Fatalf("answered counted as pending: %v %v", p, err)
	}
	sets[all] = append(sets[all], engine.ProcessIdentity{Tenant: "t", Workflow: wf, Process: "b"})
	if p, _ := PendingIn(context.Background(), ix, me, "w", all, done); !p {
		t.Fatal("pending not found")
	}
}
