package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact/edifacttest"
)

// ediExample is the interchange of edifact.md §13 step 1 (PID 55001).
const ediExample = edifacttest.UTILMD55001

// ediBadPID is §13 step 3: the same with PID 55999 and DAR MK26112000018.
var ediBadPID = strings.NewReplacer("55001", "55999", "MK26112000017", "MK26112000018").Replace(ediExample)

func writeEdi(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestEdiInspectText(t *testing.T) {
	f := writeEdi(t, "ok.edi", strings.ReplaceAll(ediExample, "'", "'\n"))
	code, out, errs := runCLI("edi", "inspect", f)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errs)
	}
	for _, want := range []string{
		"interchange MK26112000017  from 9900000000004:500  to 9900000000011:500  prepared 2026-11-20T09:15:00Z  syntax UNOC:3",
		"received 2026-11-20T09:15:00Z (UNB)  format version FV2610  sector Strom",
		"message 1  UTILMD  version S2.2  S009 UTILMD:D:11A:UN:S2.2  sector Strom",
		"PID 55001  transaction VG26112000001  (known)",
		"findings: none",
		"warning: line breaks between segments",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}

func TestEdiInspectJSON(t *testing.T) {
	ok := writeEdi(t, "ok.edi", ediExample)
	bad := writeEdi(t, "bad.edi", ediBadPID)
	code, out, errs := runCLI("edi", "inspect", "--json", ok, bad)
	if code != 1 {
		t.Fatalf("exit %d (want 1: second file has a finding), stderr %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON object per file, got %d lines", len(lines))
	}
	type pid struct{ Transaction, PID, Status string }
	var docs [2]struct {
		File        string `json:"file"`
		Interchange struct {
			Ref       string `json:"ref"`
			Sender    struct{ ID, Qualifier string }
			Recipient struct{ ID, Qualifier string }
			Prepared  string `json:"prepared"`
			Syntax    string `json:"syntax"`
			Encoding  string `json:"encoding"`
			Messages  int    `json:"message_count"`
		} `json:"interchange"`
		Received       string `json:"received"`
		ReceivedSource string `json:"received_source"`
		FormatVersion  string `json:"format_version"`
		Sector         string `json:"sector"`
		Messages       []struct {
			Ref string `json:"ref"`
			UNH struct {
				Type, Version, Release, Agency, Association string
			} `json:"unh"`
			Sector          string `json:"sector"`
			ExpectedVersion string `json:"expected_version"`
			PIDScope        string `json:"pid_scope"`
			PIDs            []pid  `json:"pids"`
		} `json:"messages"`
		Findings []struct {
			Rule        string `json:"rule"`
			Level       string `json:"level"`
			Code        int    `json:"code"`
			Segment     string `json:"segment"`
			Position    int    `json:"position"`
			Element     int    `json:"element"`
			Component   int    `json:"component"`
			MessageRef  string `json:"message_ref"`
			Transaction string `json:"transaction"`
			Text        string `json:"text"`
		} `json:"findings"`
		Clean bool `json:"clean"`
	}
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &docs[i]); err != nil {
			t.Fatal(err)
		}
	}
	d := docs[0]
	if d.File != ok || d.Interchange.Ref != "MK26112000017" || d.Interchange.Sender.ID != "9900000000004" ||
		d.Interchange.Recipient.Qualifier != "500" || d.Interchange.Syntax != "UNOC:3" || d.Interchange.Messages != 1 ||
		d.FormatVersion != "FV2610" || d.Sector != "Strom" || d.Received != "2026-11-20T09:15:00Z" || d.ReceivedSource != "UNB" ||
		!d.Clean || len(d.Findings) != 0 {
		t.Fatalf("first file: %+v", d)
	}
	m := d.Messages[0]
	if m.Ref != "1" || m.UNH.Type != "UTILMD" || m.UNH.Association != "S2.2" || m.ExpectedVersion != "S2.2" ||
		m.PIDScope != "transaction" || len(m.PIDs) != 1 || m.PIDs[0] != (pid{"VG26112000001", "55001", "known"}) {
		t.Fatalf("message: %+v", m)
	}
	b := docs[1]
	if b.Clean || len(b.Findings) != 1 {
		t.Fatalf("second file: %+v", b)
	}
	f := b.Findings[0]
	if f.Rule != "pid-unknown" || f.Level != "UCD" || f.Code != 12 || f.Segment != "RFF" || f.Position != 10 ||
		f.Element != 1 || f.Component != 2 || f.MessageRef != "1" || f.Transaction != "VG26112000001" || f.Text == "" {
		t.Fatalf("finding: %+v", f)
	}
}

func TestEdiInspectReceived(t *testing.T) {
	f := writeEdi(t, "ok.edi", ediExample)
	// received in FV2604: S2.2 is not yet valid there
	code, out, _ := runCLI("edi", "inspect", "--received", "2026-05-04T10:00:00+02:00", f)
	if code != 1 || !strings.Contains(out, "format version FV2604") || !strings.Contains(out, "UCM 12 [unh-version]") ||
		!strings.Contains(out, "(option)") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}

func TestEdiUsageAndIOErrors(t *testing.T) {
	f := writeEdi(t, "ok.edi", ediExample)
	for _, args := range [][]string{
		{"edi"},
		{"edi", "nope"},
		{"edi", "inspect"},
		{"edi", "inspect", "--bogus", f},
		{"edi", "inspect", "--received", "yesterday", f},
		{"edi", "inspect", "--sector", "wasser", f},
		{"edi", "inspect", filepath.Join(t.TempDir(), "missing.edi")},
		{"edi", "contrl"},
		{"edi", "contrl", f, f},
		{"edi", "contrl", "--time", "noon", writeEdi(t, "bad.edi", ediBadPID)},
	} {
		if code, _, errs := runCLI(args...); code != 2 || errs == "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
	}
	if code, out, _ := runCLI("edi", "--help"); code != 0 || !strings.Contains(out, "inspect") {
		t.Fatalf("help: %d", code)
	}
	// a file that is not EDIFACT is a finding, not an I/O error
	empty := writeEdi(t, "empty.edi", "")
	if code, out, _ := runCLI("edi", "inspect", "--json", empty); code != 1 || !strings.Contains(out, `"error":`) {
		t.Fatalf("empty: %d %s", code, out)
	}
}

func TestEdiContrl(t *testing.T) {
	ok := writeEdi(t, "ok.edi", ediExample)
	code, out, _ := runCLI("edi", "contrl", ok)
	if code != 0 || !strings.Contains(out, "no CONTRL due") || !strings.Contains(out, "Strom") {
		t.Fatalf("clean Strom: %d %q", code, out)
	}
	// cross-sector: the receiver's sector decides (edifact.md §10.1), Gas acknowledges
	if code, out, _ := runCLI("edi", "contrl", "--sector", "gas", ok); code != 0 || !strings.Contains(out, ":500+7'UNT+3+1'") {
		t.Fatalf("receiver sector gas: %d %q", code, out)
	}
	bad := writeEdi(t, "bad.edi", ediBadPID)
	code, out, errs := runCLI("edi", "contrl", "--ref", "CT26112000007", "--time", "2026-11-20T09:16:00Z", bad)
	want := "UNA:+.? 'UNB+UNOC:3+9900000000011:500+9900000000004:500+261120:0916+CT26112000007'" +
		"UNH+1+CONTRL:D:3:UN:2.0b'UCI+MK26112000018+9900000000004:500+9900000000011:500+4'" +
		"UCM+1+UTILMD:D:11A:UN:S2.2+4'UCS+10'UCD+12+1:2'UNT+6+1'UNZ+1+CT26112000007'\n"
	if code != 1 || out != want || !strings.Contains(errs, "CONTRL due") {
		t.Fatalf("exit %d\n%s\nwant\n%s", code, out, want)
	}
	// defaults: ref C + DAR (cut to 14), time = receipt time
	_, out, _ = runCLI("edi", "contrl", bad)
	if !strings.Contains(out, "+261120:0915+CMK26112000018'") {
		t.Fatalf("defaults: %s", out)
	}
}
