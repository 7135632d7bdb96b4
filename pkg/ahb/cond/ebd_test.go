package cond

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mako-engine/mako/pkg/ahb/cond/internal/ebddata"
)

// TestEBDCodesUpToDate regenerates ebdcodes.txt from the shared data and
// compares it with the committed (embedded) file.
func TestEBDCodesUpToDate(t *testing.T) {
	ahbSources(t) // skips without the shared data
	js, err := os.ReadFile(filepath.Join(ahbDataDir, "_engine", "daten", "ebd-antwortcodes.js"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := ebddata.Render(js)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != ebdCodes {
		t.Fatal("ebdcodes.txt is stale: run go generate ./pkg/ahb/cond")
	}
	if tab := loadEBD(fv2610); len(tab) < 300 || tab["E_0624"]["A31"] != 'Z' {
		t.Fatalf("FV2610 table: %d lists, E_0624 A31 = %q", len(tab), tab["E_0624"]["A31"])
	}
}
