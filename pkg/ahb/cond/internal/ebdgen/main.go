// Command ebdgen writes pkg/ahb/cond/ebdcodes.txt: the answer codes of the
// EBD decision trees and code lists (E_xxxx, G_xxxx, S_xxxx) with their
// cluster (Zustimmung/Ablehnung) per format version, read as data from
// ../shared/ahb-data/edifactgenerator-bca06f9/_engine/daten/ebd-antwortcodes.js
// (MIT; content from the BDEW document "Entscheidungsbaum-Diagramme und
// Codelisten für die Antwortnachrichten"). The JavaScript is never executed:
// the literal after "var ebdAntwortcodes = " is decoded as JSON.
//
// Run by go generate in pkg/ahb/cond (from that directory).
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mako-engine/mako/pkg/ahb/cond/internal/ebddata"
)

func main() {
	src := filepath.Join("..", "..", "..", "..", "shared", "ahb-data", "edifactgenerator-bca06f9", "_engine", "daten", "ebd-antwortcodes.js")
	if len(os.Args) > 1 {
		src = os.Args[1]
	}
	in, err := os.ReadFile(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ebdgen:", err)
		os.Exit(1)
	}
	out, err := ebddata.Render(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ebdgen:", err)
		os.Exit(1)
	}
	if old, err := os.ReadFile("ebdcodes.txt"); err == nil && bytes.Equal(old, out) {
		return
	}
	if err := os.WriteFile("ebdcodes.txt", out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "ebdgen:", err)
		os.Exit(1)
	}
}
