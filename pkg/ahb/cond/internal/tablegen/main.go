// Command tablegen writes the data tables of pkg/ahb/cond from
// ../shared/ahb-data/edifactgenerator-bca06f9 (MIT; content from the BDEW
// documents): ebdcodes.txt (EBD answer codes and clusters, from
// _engine/daten/ebd-antwortcodes.js) and products.txt (configuration code
// list chapter 6.1, from …/UTILMD/Strom/pruef-ids/_produkte-55001.js per FV)
// and patterns_gen.go (conditions of a pattern shape, from the
// _bedingungen.js texts, see internal/tables/patterns.go).
// The JavaScript files are read as data, never executed.
//
// Run by go generate in pkg/ahb/cond (from that directory).
package main

import (
	"bytes"
	"fmt"
	"go/format"
	"os"

	"github.com/mako-engine/mako/pkg/ahb/cond/internal/tables"
)

func main() {
	root := "../../../../shared/ahb-data/edifactgenerator-bca06f9"
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	ebd, err := tables.EBDFile(root)
	if err == nil {
		err = write("ebdcodes.txt", ebd)
	}
	if err == nil {
		var products []byte
		if products, err = tables.ProductsFile(root); err == nil {
			err = write("products.txt", products)
		}
	}
	if err == nil {
		var patterns []byte
		if patterns, err = tables.PatternsFile(root); err == nil {
			if patterns, err = format.Source(append(patterns, '\n')); err == nil {
				err = write("patterns_gen.go", patterns)
			}
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tablegen:", err)
		os.Exit(1)
	}
}

func write(name string, data []byte) error {
	if old, err := os.ReadFile(name); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(name, data, 0o644)
}
