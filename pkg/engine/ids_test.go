package engine_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/wire/inbound"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/vmihailenco/msgpack/v5"
)

func TestUUIDv5MatchesRFC9562(t *testing.T) {
	// RFC 9562 Appendix A.4: v5 of "www.example.com" in the DNS namespace.
	dns, err := engine.ParseUUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8")
	if err != nil {
		t.Fatal(err)
	}
	if got := engine.NewUUIDv5(dns, "www.example.com").String(); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Fatalf("v5 = %s", got)
	}
}

func TestUUIDv4Format(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		u := engine.NewUUIDv4().String()
		if !re.MatchString(u) || seen[u] {
			t.Fatalf("bad or repeated v4 %s", u)
		}
		seen[u] = true
		if p, err := engine.ParseUUID(u); err != nil || p.String() != u {
			t.Fatalf("ParseUUID(%s) = %v, %v", u, p, err)
		}
	}
	for _, bad := range []string{"", "6ba7b810-9dad-11d1-80b4-00c04fd430c", "6ba7b810x9dad-11d1-80b4-00c04fd430c8", "zba7b810-9dad-11d1-80b4-00c04fd430c8"} {
		if _, err := engine.ParseUUID(bad); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("ParseUUID(%q) err = %v", bad, err)
		}
	}
}

func TestDerivedIDsAreDeterministicAndDistinct(t *testing.T) {
	p := engine.ProcessID("p1")
	if engine.EventIDFor(p, "c", 0) != engine.EventIDFor(p, "c", 0) {
		t.Fatal("EventIDFor not deterministic")
	}
	ids := map[string]bool{}
	for _, s := range []string{
		string(engine.EventIDFor(p, "c", 0)), string(engine.EventIDFor(p, "c", 1)), string(engine.EventIDFor(p, "c1", 0)),
		string(engine.EventIDFor("p2", "c", 0)), string(engine.DeadlineIDFor(p, "c", 0)), engine.MessageIDFor(p, "c", 0),
		string(engine.FireCommandID("d")), string(inbound.CorrelationFromInterchange("9900000000003", "REF1")),
		string(inbound.CorrelationFromInterchange("9900000000004", "REF1")),
		// Length prefixes keep ("a:b","c") and ("a","b:c") apart.
		string(inbound.CorrelationFromInterchange("a:b", "c")), string(inbound.CorrelationFromInterchange("a", "b:c")),
	} {
		if ids[s] {
			t.Fatalf("derived id %s repeated", s)
		}
		ids[s] = true
	}
	if inbound.CorrelationFromInterchange("9900000000003", "REF1") != inbound.CorrelationFromInterchange("9900000000003", "REF1") {
		t.Fatal("correlation not deterministic")
	}
}

func TestIDValidation(t *testing.T) {
	for tenant, ok := range map[engine.TenantID]bool{
		"a": true, "tenant-a_1": true, "0abc": true, "": false, "-a": false, "A": false, "a.b": false, "a b": false, "a*": false,
		engine.TenantID(strings.Repeat("a", 64)): true, engine.TenantID(strings.Repeat("a", 65)): false,
	} {
		if err := tenant.Validate(); (err == nil) != ok {
			t.Errorf("tenant %q: err = %v", tenant, err)
		}
	}
	for p, ok := range map[engine.ProcessID]bool{
		engine.NewProcessID(): true, "ABC-1_x": true, "": false, "a.b": false, "a>": false, "_a": false,
	} {
		if err := p.Validate(); (err == nil) != ok {
			t.Errorf("process %q: err = %v", p, err)
		}
	}
}

func TestStreamSubjectRoundTrip(t *testing.T) {
	s := engine.StreamOf("tenant-a", engine.NewProcessID())
	subj := s.Subject("mako.evt")
	if subj != "mako.evt.tenant-a."+string(s.Process) {
		t.Fatalf("subject %s", subj)
	}
	back, err := engine.StreamFromSubject("mako.evt", subj)
	if err != nil || back != s {
		t.Fatalf("StreamFromSubject = %v, %v", back, err)
	}
	for _, bad := range []string{"mako.evt.tenant-a", "mako.other.t.p", "mako.evt.t.p.x", "mako.evt.T.p"} {
		if _, err := engine.StreamFromSubject("mako.evt", bad); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("StreamFromSubject(%q) err = %v", bad, err)
		}
	}
}

func TestWorkflowIDTextAndMsgpack(t *testing.T) {
	w, err := engine.NewWorkflowID("gpke.lfw", "FV2026-04-01")
	if err != nil || w.String() != "gpke.lfw@FV2604" {
		t.Fatalf("NewWorkflowID = %v, %v", w, err)
	}
	p, err := engine.ParseWorkflowID("gpke.lfw@FV2604")
	if err != nil || p != w {
		t.Fatalf("ParseWorkflowID = %v, %v", p, err)
	}
	b, err := msgpack.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	var back engine.WorkflowID
	if err := msgpack.Unmarshal(b, &back); err != nil || back != w {
		t.Fatalf("msgpack round trip = %v, %v", back, err)
	}
	for _, bad := range []string{"gpke", "@FV2604", "a b@FV2604", "x@FV2605", "x@"} {
		if _, err := engine.ParseWorkflowID(bad); !errors.Is(err, engine.ErrInvalidID) {
			t.Errorf("ParseWorkflowID(%q) err = %v", bad, err)
		}
	}
}

func TestVersionPolicyAccepts(t *testing.T) {
	for _, tc := range []struct {
		p                  engine.WorkflowVersionPolicy
		created, candidate string
		want               bool
	}{
		{engine.ForwardCompatible(), "FV2510", "FV2510", true},
		{engine.ForwardCompatible(), "FV2510", "FV2604", true},
		{engine.ForwardCompatible(), "FV2604", "FV2510", false},
		{engine.WorkflowVersionPolicy{}, "FV2604", "FV2610", true},
		{engine.Pinned(), "FV2510", "FV2510", true},
		{engine.Pinned(), "FV2510", "FV2604", false},
		{engine.Explicit(fv2510, fv2610), "FV2510", "FV2610", true},
		{engine.Explicit(fv2510, fv2610), "FV2510", "FV2604", false},
	} {
		if got := tc.p.Accepts(mustFV(tc.created), mustFV(tc.candidate)); got != tc.want {
			t.Errorf("%s.Accepts(%s, %s) = %v", tc.p, tc.created, tc.candidate, got)
		}
	}
}

func TestExpectedVersionAndKeys(t *testing.T) {
	if engine.Exact(0) != engine.NoStream() || engine.Exact(3).String() != "3" || engine.Any().String() != "any" || !engine.Any().Matches(9) ||
		engine.NoStream().Matches(1) || !engine.Exact(2).Matches(2) {
		t.Fatal("ExpectedVersion semantics")
	}
	if k, err := inbound.InboxKey("9900000000003", "MSG:1"); err != nil || k != "9900000000003:MSG:1" {
		t.Fatalf("InboxKey = %q, %v", k, err)
	}
	for _, parts := range [][2]string{{"", "r"}, {"s", ""}, {"a:b", "r"}} {
		if _, err := inbound.InboxKey(parts[0], parts[1]); !errors.Is(err, engine.ErrInvalidKey) {
			t.Errorf("InboxKey(%q,%q) err = %v", parts[0], parts[1], err)
		}
	}
	var ce error = &engine.ConflictError{Stream: engine.StreamOf("t", "p"), Expected: engine.Exact(2), Actual: 3}
	if !errors.Is(ce, engine.ErrConflict) || ce.Error() != "engine: stream t/p: version conflict: expected 2, actual 3" {
		t.Fatalf("ConflictError %q", ce)
	}
}

// TestDerivedIDsAreStable pins derived ids: stores, relays and schedulers use
// them as idempotency keys across releases, so they must never change.
func TestDerivedIDsAreStable(t *testing.T) {
	if got := engine.EventIDFor("p1", "c", 0); got != "04afa603-a5e2-5487-abae-e4022962f888" {
		t.Errorf("EventIDFor changed: %s", got)
	}
	if got := inbound.CorrelationFromInterchange("9900000000003", "REF1"); got != "073bb198-65b6-5bbe-aaad-77016e4759b1" {
		t.Errorf("CorrelationFromInterchange changed: %s", got)
	}
}
