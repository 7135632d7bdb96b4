package cond

import (
	goformat "go/format"
	"os"
	"testing"

	"github.com/mako-engine/mako/pkg/ahb/cond/internal/tables"
)

// TestTablesUpToDate regenerates ebdcodes.txt, products.txt and
// patterns_gen.go from the shared data and
// compares them with the committed (embedded) files.
func TestTablesUpToDate(t *testing.T) {
	ahbSources(t) // skips without the shared data
	want, err := tables.EBDFile(ahbDataDir)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != ebdCodes {
		t.Fatal("ebdcodes.txt is stale: run go generate ./pkg/ahb/cond")
	}
	want, err = tables.ProductsFile(ahbDataDir)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != productCodes {
		t.Fatal("products.txt is stale: run go generate ./pkg/ahb/cond")
	}
	gen, err := tables.PatternsFile(ahbDataDir)
	if err != nil {
		t.Fatal(err)
	}
	src, err := goformat.Source(append(gen, '\n'))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("patterns_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if string(src) != string(committed) {
		t.Fatal("patterns_gen.go is stale: run go generate ./pkg/ahb/cond")
	}
	if tab := loadEBD(fv2610); len(tab) < 300 || tab["E_0624"]["A31"] != 'Z' {
		t.Fatalf("FV2610 table: %d lists, E_0624 A31 = %q", len(tab), tab["E_0624"]["A31"])
	}
}
