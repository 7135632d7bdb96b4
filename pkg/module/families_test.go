package module_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// forbidden are the import paths a process family must not pull in, even
// indirectly: workflow code is pure (no NATS, no HTTP, no metrics).
var forbidden = []string{
	"github.com/nats-io/nats.go",
	"net/http",
	"github.com/prometheus/client_golang",
}

// families finds every package of the repository that provides a family:
// a non-test file declaring a function Module whose result is module.Module
// (gpke.Module, testflow.Module, and every family added later). root is the
// repository root; the result holds package directories relative to it.
func families(t *testing.T, root string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || fn.Name.Name != "Module" || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			sel, ok := fn.Type.Results.List[0].Type.(*ast.SelectorExpr)
			if !ok || sel.Sel.Name != "Module" {
				continue
			}
			if x, ok := sel.X.(*ast.Ident); !ok || x.Name != "module" {
				continue
			}
			dir, _ := filepath.Rel(root, filepath.Dir(path))
			if !seen[dir] {
				seen[dir] = true
				out = append(out, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFamiliesArePure fails if any family package depends, directly or
// indirectly, on the NATS client, net/http or Prometheus (go list -deps).
func TestFamiliesArePure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fams := families(t, root)
	for _, want := range []string{filepath.Join("pkg", "gpke"), filepath.Join("internal", "testflow")} {
		found := false
		for _, f := range fams {
			found = found || f == want
		}
		if !found {
			t.Errorf("family %s not found (families: %v)", want, fams)
		}
	}
	for _, dir := range fams {
		cmd := exec.Command(goTool, "list", "-deps", "./"+filepath.ToSlash(dir))
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps ./%s: %v\n%s", dir, err, stderr.String())
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("family %s depends on %s", dir, dep)
				}
			}
		}
	}
}

// moduleImports are the only repository packages pkg/module may import:
// the contract points inward (wire packages and workers depend on module,
// never the other way). pkg/fv is allowed because the engine's own API
// names format versions by fv.Version (ERPTarget.FormatVersion) and fv
// imports only the standard library.
var moduleImports = map[string]bool{
	"github.com/mako-engine/mako/pkg/engine":  true,
	"github.com/mako-engine/mako/pkg/routing": true,
	"github.com/mako-engine/mako/pkg/fv":      true,
}

// TestModuleImportsOnlyEngineAndRouting fails if pkg/module (its non-test
// files) imports anything but the standard library, pkg/engine,
// pkg/routing and pkg/fv.
func TestModuleImportsOnlyEngineAndRouting(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH")
	}
	cmd := exec.Command(goTool, "list", "-f", `{{join .Imports "\n"}}`, ".")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	imports := strings.Fields(string(out))
	if len(imports) == 0 {
		t.Fatal("go list reported no imports of pkg/module")
	}
	for _, imp := range imports {
		first, _, _ := strings.Cut(imp, "/")
		stdlib := !strings.Contains(first, ".")
		if !stdlib && !moduleImports[imp] {
			t.Errorf("pkg/module imports %s; only the standard library, pkg/engine, pkg/routing and pkg/fv are allowed", imp)
		}
	}
}
