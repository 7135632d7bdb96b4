package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
)

func maloCLI(t *testing.T, url string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"malo", args[0], "--nats-url", url}, args[1:]...)
	code := run(context.Background(), full, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestMaloCLI(t *testing.T) {
	s := natstest.Start(t, natstest.WithListen())
	url := s.ClientURL()
	const id = "51238696781"

	// set creates the bucket and the record: grid data and a first supplier.
	code, out, errs := maloCLI(t, url, "set", "--tenant", "nb", "--malo", id, "--grid-area", "NG-7", "--grid-operator", "9900000000011",
		"--sector", "Strom", "--supplier", "9900000000028", "--from", "2025-01-01")
	if code != 0 {
		t.Fatalf("set: %d %s", code, errs)
	}
	var got maloJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("set output %q: %v", out, err)
	}
	r := got.Record
	if got.Tenant != "nb" || got.Revision == 0 || r.GridArea != "NG-7" || r.GridOperator != "9900000000011" || r.Sector != "Strom" ||
		len(r.Periods) != 1 || !r.Periods[0].From.Equal(time.Date(2024, 12, 31, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("set: %+v", got)
	}

	// A switch: the previous assignment ends at the new start.
	code, out, errs = maloCLI(t, url, "set", "--tenant", "nb", "--malo", id, "--supplier", "9900000000004", "--from", "2026-12-01T00:00:00+01:00")
	if code != 0 {
		t.Fatalf("switch: %d %s", code, errs)
	}
	var sw maloJSON
	_ = json.Unmarshal([]byte(out), &sw)
	if len(sw.Record.Periods) != 2 || sw.Record.Periods[0].To == nil || !sw.Record.Periods[0].To.Equal(sw.Record.Periods[1].From) ||
		sw.Record.Periods[1].Supplier != "9900000000004" || sw.Record.GridArea != "NG-7" || sw.Revision <= got.Revision {
		t.Fatalf("switch: %+v", sw)
	}

	// get and list print the same record; another tenant has none.
	code, out, _ = maloCLI(t, url, "get", "--tenant", "nb", "--malo", id)
	var g maloJSON
	if code != 0 || json.Unmarshal([]byte(out), &g) != nil || g.Revision != sw.Revision {
		t.Fatalf("get: %d %s", code, out)
	}
	code, out, _ = maloCLI(t, url, "list", "--tenant", "nb")
	var l []maloJSON
	if code != 0 || json.Unmarshal([]byte(out), &l) != nil || len(l) != 1 || l[0].Record.MaLo != id {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ = maloCLI(t, url, "list", "--tenant", "lf"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty list: %d %q", code, out)
	}
	if code, _, _ = maloCLI(t, url, "get", "--tenant", "lf", "--malo", id); code != 1 {
		t.Fatalf("get missing: %d", code)
	}

	// Usage errors.
	for _, args := range [][]string{
		{"set", "--tenant", "nb", "--malo", "51238696780", "--grid-area", "x"},
		{"set", "--tenant", "nb", "--malo", id},
		{"set", "--tenant", "nb", "--malo", id, "--from", "2026-01-01"},
		{"set", "--tenant", "nb", "--malo", id, "--supplier", "9900000000004"},
		{"set", "--tenant", "nb", "--malo", id, "--supplier", "9900000000004", "--from", "tomorrow"},
		{"get", "--tenant", "NB", "--malo", id},
	} {
		if code, _, _ := maloCLI(t, url, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}

	// rm at a stale revision conflicts, then succeeds.
	if code, _, _ = maloCLI(t, url, "rm", "--tenant", "nb", "--malo", id, "--revision", "1"); code != 1 {
		t.Fatalf("stale rm: %d", code)
	}
	if code, _, errs = maloCLI(t, url, "rm", "--tenant", "nb", "--malo", id); code != 0 {
		t.Fatalf("rm: %d %s", code, errs)
	}
}

// Gas master data: set with the gas flags, shown by get, merged field by
// field; invalid values are usage errors, gas data on a Strom MaLo is refused.
func TestMaloCLIGas(t *testing.T) {
	s := natstest.Start(t, natstest.WithListen())
	url := s.ClientURL()
	const id = "51238696781"
	code, out, errs := maloCLI(t, url, "set", "--tenant", "nb", "--malo", id, "--grid-operator", "9800000000014",
		"--market-area", "THE", "--balance-group", "THE0BFH027950000", "--gas-quality", "H-Gas", "--pressure-level", "niederdruck")
	if code != 0 {
		t.Fatalf("set: %d %s", code, errs)
	}
	code, out, errs = maloCLI(t, url, "set", "--tenant", "nb", "--malo", id, "--gas-quality", "L")
	if code != 0 {
		t.Fatalf("set quality: %d %s", code, errs)
	}
	code, out, _ = maloCLI(t, url, "get", "--tenant", "nb", "--malo", id)
	var g maloJSON
	if code != 0 || json.Unmarshal([]byte(out), &g) != nil {
		t.Fatalf("get: %d %s", code, out)
	}
	r := g.Record
	if r.Sector != "Gas" || r.GridOperator != "9800000000014" || r.MarketArea != "THE" || r.BalanceGroup != "THE0BFH027950000" ||
		r.Quality != "L-Gas" || r.Pressure != "Niederdruck" {
		t.Fatalf("record %+v", r)
	}
	for _, want := range []string{`"market_area": "THE"`, `"gas_quality": "L-Gas"`, `"pressure_level": "Niederdruck"`} {
		if !strings.Contains(out, want) {
			t.Errorf("get output lacks %s:\n%s", want, out)
		}
	}
	for _, args := range [][]string{
		{"set", "--tenant", "nb", "--malo", id, "--gas-quality", "M-Gas"},
		{"set", "--tenant", "nb", "--malo", id, "--pressure-level", "hoch"},
		{"set", "--tenant", "nb", "--malo", id, "--market-area", "THE+X"},
	} {
		if code, _, _ := maloCLI(t, url, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// The NB's network data from stdin; unknown fields are refused.
	var out2, errb bytes.Buffer
	netJSON := `{"case_group":"GABi-RLMmT","household":true,"obis":"7-0:33.86.0","address":{"street":"Musterstraße","city":"Musterstadt","post_code":"12345"}}`
	if code := run(context.Background(), []string{"malo", "set", "--nats-url", url, "--tenant", "nb", "--malo", id, "--gas-network", "-"}, strings.NewReader(netJSON), &out2, &errb); code != 0 {
		t.Fatalf("gas network: %d %s", code, errb.String())
	}
	var n maloJSON
	if err := json.Unmarshal(out2.Bytes(), &n); err != nil || n.Record.GasNetwork == nil || n.Record.GasNetwork.CaseGroup != "GABi-RLMmT" ||
		n.Record.GasNetwork.Address.City != "Musterstadt" || n.Record.MarketArea != "THE" {
		t.Fatalf("gas network: %+v %v", n.Record, err)
	}
	if code := run(context.Background(), []string{"malo", "set", "--nats-url", url, "--tenant", "nb", "--malo", id, "--gas-network", "-"}, strings.NewReader(`{"nosuch":1}`), &out2, &errb); code != 2 {
		t.Fatalf("unknown field: exit %d", code)
	}
	const strom = "41373559241"
	if code, _, errs := maloCLI(t, url, "set", "--tenant", "nb", "--malo", strom, "--sector", "Strom"); code != 0 {
		t.Fatalf("strom: %d %s", code, errs)
	}
	if code, _, errs := maloCLI(t, url, "set", "--tenant", "nb", "--malo", strom, "--market-area", "THE"); code == 0 || !strings.Contains(errs, "Strom") {
		t.Fatalf("gas data on a Strom MaLo: exit %d %s", code, errs)
	}
}
