package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mako-engine/mako/pkg/ahb/model"
)

func sharedData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "ahb-data")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared AHB data missing: %v", err)
		}
		t.Skipf("shared AHB data not found (%v)", err)
	}
	return dir
}

// TestCommittedDataIsFresh regenerates the data from the shared source and
// compares it with what pkg/ahb embeds: the committed data is exactly the
// converter's output (run `go generate ./pkg/ahb` after changing either).
func TestCommittedDataIsFresh(t *testing.T) {
	src := sharedData(t)
	out := t.TempDir()
	if err := run(src, out); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "pkg", "ahb", "data")
	gen, _ := filepath.Glob(filepath.Join(out, "FV*", "*.json"))
	have, _ := filepath.Glob(filepath.Join(committed, "FV*", "*.json"))
	if len(gen) != len(have) || len(gen) < 36 {
		t.Fatalf("%d generated files, %d committed", len(gen), len(have))
	}
	for _, g := range gen {
		rel, _ := filepath.Rel(out, g)
		a, _ := os.ReadFile(g)
		b, err := os.ReadFile(filepath.Join(committed, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs from the converter output (run go generate ./pkg/ahb)", rel)
		}
	}
}

func TestJSLiteral(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.js")
	src := "// comment\nconst cfg = {\n  sparte: 'STROM', // trailing\n  list: [1, 2,],\n  s: \"a}b\",\n  q: 'it\\'s',\n};\nif (x) {}\n"
	if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Sparte string `json:"sparte"`
		List   []int  `json:"list"`
		S      string `json:"s"`
		Q      string `json:"q"`
	}
	if err := jsLiteral(p, "cfg", &v); err != nil {
		t.Fatal(err)
	}
	if v.Sparte != "STROM" || !slices.Equal(v.List, []int{1, 2}) || v.S != "a}b" || v.Q != "it's" {
		t.Fatalf("%+v", v)
	}
	if err := jsLiteral(p, "missing", &v); err == nil {
		t.Fatal("missing variable: no error")
	}
}

func TestOrder(t *testing.T) {
	items, ok := order([][]string{{"IDE", "DTM", "STS", "SG5"}, {"IDE", "STS", "SG6"}, {"IDE", "DTM", "SG6"}})
	if !ok || !slices.Equal(items, []string{"IDE", "DTM", "STS", "SG5", "SG6"}) {
		t.Fatalf("%v %v", items, ok)
	}
	if _, ok := order([][]string{{"A", "B"}, {"B", "A"}}); ok {
		t.Fatal("contradicting sequences reported as ordered")
	}
}

func TestSplitRowMerge(t *testing.T) {
	first := model.Line{Group: "SG8", Seg: "RFF", Expr: "Muss [78] ∧ [402] ∧", Section: "Referenz"}
	second := model.Line{Group: "SG8", Seg: "RFF", Expr: "[420] ∧ [651]", Section: "Referenz", Elements: []model.LineElement{{ID: "1153"}}}
	if !continues(&first, &second) {
		t.Fatal("split row not recognised")
	}
	mergeSplitRow(&first, &second)
	if first.Expr != "Muss [78] ∧ [402] ∧ [420] ∧ [651]" || len(first.Elements) != 1 {
		t.Fatalf("%+v", first)
	}
	other := model.Line{Group: "SG8", Seg: "RFF", Expr: "Muss", Section: "Referenz"}
	if continues(&first, &other) {
		t.Fatal("a line with a status word is no continuation")
	}
}
