// Package astest holds the test support shared by the as4 packages: locating ../shared test data
// and requiring external tools (xmlsec1, xmllint, openssl), both skipping when absent except
// under CI=true, where absence fails the test (.ci/run installs the tools).
package astest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// repoRoot is the repository root, found from this file's location.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..")
}

// SharedPath returns the path of rel below the shared/ directory beside the repository
// (../shared from the repository root), skipping the test when it is missing.
func SharedPath(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(repoRoot(), "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data missing: %v", err)
		}
		t.Skipf("shared test data missing: %v", err)
	}
	return p
}

// SharedFile reads a file below shared/ (see SharedPath).
func SharedFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(SharedPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RequireTool skips the test when the named program is not on PATH (fails under CI=true).
func RequireTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed", name)
		}
		t.Skipf("%s not installed", name)
	}
}
