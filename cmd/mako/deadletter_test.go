package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/api"
)

func TestDeadletterCLI(t *testing.T) {
	url, _, _ := readAPIFixture(t)
	code, out, errs := cli("deadletter", "list", "--api", url)
	if code != 0 || !strings.Contains(out, "unknown_pid") || !strings.Contains(out, "99999") || !strings.HasPrefix(out, "SEQ") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	code, out, _ = cli("deadletter", "list", "--api", url, "--reason", "syntax_error", "--json")
	var ls api.DeadLetterList
	if code != 0 || json.Unmarshal([]byte(out), &ls) != nil || len(ls.DeadLetters) != 0 {
		t.Fatalf("filtered: %d %q", code, out)
	}
	code, out, _ = cli("deadletter", "list", "--api", url, "--tenant", "nb", "--json")
	if code != 0 || json.Unmarshal([]byte(out), &ls) != nil || len(ls.DeadLetters) != 1 || ls.DeadLetters[0].Detail != "no workflow for 99999" {
		t.Fatalf("tenant: %d %q", code, out)
	}
	if code, _, errs = cli("deadletter", "list", "--api", url, "--tenant", "a.b"); code != 2 || !strings.Contains(errs, "400") {
		t.Fatalf("bad tenant: %d %q", code, errs)
	}
	if code, _, _ = cli("deadletter"); code != 2 {
		t.Fatalf("no subcommand: %d", code)
	}
}
