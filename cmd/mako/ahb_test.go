package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/edifacttest"
)

func TestEdiValidate(t *testing.T) {
	bad := writeEdi(t, "55001.edi", ediExample)
	code, out, errs := runCLI("edi", "validate", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (findings); stderr %s\n%s", code, errs, out)
	}
	for _, want := range []string{"missing-group@55001:SG4/SG8/SEQ+Z79", "missing-group@55001:SG4/SG8/SEQ+Z01", "missing-group@55001:SG4/SG12/NAD+Z04", "Z29"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	clean := writeEdi(t, "aperak.edi", edifacttest.APERAK313)
	if code, out, errs := runCLI("edi", "validate", clean); code != 0 {
		t.Fatalf("APERAK 313 of edifact.md §13: exit %d, want 0; %s %s", code, out, errs)
	}
	code, out, _ = runCLI("edi", "validate", "--json", bad)
	if code != 1 {
		t.Fatalf("--json: exit %d", code)
	}
	var res ediValidateResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if len(res.Messages) != 1 || res.Messages[0].Report == nil || len(res.Messages[0].Report.Findings) == 0 {
		t.Fatalf("--json: %+v", res)
	}
	if code, _, _ := runCLI("edi", "validate", writeEdi(t, "x.edi", "not edifact")); code != 2 {
		t.Errorf("unreadable file: exit %d, want 2", code)
	}
	if code, _, _ := runCLI("edi", "validate", "--pid", "55002", "--fv", "FV2610", bad); code != 1 {
		t.Errorf("--pid 55002: exit %d, want 1", code)
	}
}

func TestAHBShowAndDiff(t *testing.T) {
	code, out, errs := runCLI("ahb", "show", "55001", "--fv", "FV2610")
	if code != 0 || !strings.Contains(out, "SG4/SG8/SEQ+Z01") || !strings.Contains(out, "Muss [480] ∧ [2061]") {
		t.Fatalf("show: exit %d %s\n%s", code, errs, out)
	}
	if code, _, _ := runCLI("ahb", "show", "99999", "--fv", "FV2610"); code != 1 {
		t.Errorf("unknown PID: exit %d, want 1", code)
	}
	code, out, errs = runCLI("ahb", "diff", "FV2604", "FV2610", "--pid", "55001")
	if code != 0 || !strings.Contains(out, "added") || !strings.Contains(out, "SG4/SG12/SG13/CTA+IC") || !strings.Contains(out, "removed") {
		t.Fatalf("diff: exit %d %s\n%s", code, errs, out)
	}
	if code, _, _ := runCLI("ahb", "diff", "FV2604"); code != 2 {
		t.Errorf("diff with one FV: exit %d, want 2", code)
	}
}
