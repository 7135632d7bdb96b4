package ahb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/ident"
)

// TestRealisticMessages (issue 11 item 5(b)): hand-written, realistic
// messages per PID (testdata/realistic-*, see its README) validate with 0
// findings, and their ids are valid: MaLo-IDs (LOC+Z16/Z22, RFF+Z18) with
// their check digit, MeLo-IDs (LOC+Z17, RFF+Z19) in the 33-character form,
// Gas Meldepunkte (LOC+172) as either,
// MP-IDs (UNB, NAD+MS/MR/VY, CAV+Z91/ZF0) with their check digit.
func TestRealisticMessages(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("testdata", "realistic-*"))
	if len(dirs) == 0 {
		t.Fatal("no realistic test data")
	}
	n := 0
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.edi"))
		for _, fn := range files {
			n++
			name := filepath.Base(dir) + "/" + filepath.Base(fn)
			b, err := os.ReadFile(fn)
			if err != nil {
				t.Fatal(err)
			}
			ix, err := edifact.Parse(b)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			if rep := edifact.Check(ix); rep.HasErrors() {
				t.Errorf("%s: edifact.Check %+v", name, rep.Findings)
			}
			for _, p := range []edifact.Party{ix.UNB().Sender, ix.UNB().Recipient} {
				if err := ident.ValidateMPID(p.ID); err != nil {
					t.Errorf("%s: UNB party %s: %v", name, p.ID, err)
				}
			}
			for i := range ix.Messages {
				m := &ix.Messages[i]
				rep, err := Validate(m)
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				// utilmd-[gas-]PID[-variant].edi
				want, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(filepath.Base(fn), "utilmd-gas-"), "utilmd-"), ".edi"), "-")
				if len(rep.PIDs) != 1 || rep.PIDs[0] != want {
					t.Errorf("%s: PIDs %v", name, rep.PIDs)
				}
				if !rep.Clean() {
					logReport(t, rep)
					t.Errorf("%s: %d findings", name, len(rep.Findings))
				}
				checkIDs(t, name, m)
			}
		}
	}
	t.Logf("%d realistic messages", n)
}

func validMPID(s string) error { return ident.ValidateMPID(s) }

// checkIDs validates the identifiers of a message by their kind.
func checkIDs(t *testing.T, name string, m *edifact.Message) {
	t.Helper()
	for i := range m.Segments {
		s := &m.Segments[i]
		var v string
		var check func(string) error
		switch {
		case s.Is("LOC", "Z16"), s.Is("LOC", "Z22"):
			v, check = s.Value(1, 0), ident.ValidateMaLo
		case s.Is("RFF", "Z18"):
			v, check = s.Value(0, 1), ident.ValidateMaLo
		case s.Is("LOC", "172"): // Gas Meldepunkt: MaLo-ID or MeLo-ID ([953])
			v, check = s.Value(1, 0), func(id string) error {
				if len(id) == 11 {
					return ident.ValidateMaLo(id)
				}
				return ident.ValidateMeLo(id)
			}
		case s.Is("LOC", "Z17"):
			v, check = s.Value(1, 0), ident.ValidateMeLo
		case s.Is("RFF", "Z19"):
			v, check = s.Value(0, 1), ident.ValidateMeLo
		case s.Tag == "NAD" && s.Value(1, 0) != "":
			v, check = s.Value(1, 0), validMPID
		case s.Is("CAV", "Z91"), s.Is("CAV", "ZF0"):
			v, check = s.Value(0, 1), validMPID
		default:
			continue
		}
		if err := check(v); err != nil {
			t.Errorf("%s: segment %d %s: %v", name, i, s.Tag, err)
		}
	}
}
