package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// `mako bench pipeline --json` runs the benchmark on an embedded server and
// prints exactly the documented keys.
func TestBenchPipelineJSON(t *testing.T) {
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"bench", "pipeline", "--json", "--n", "200", "--rate", "500", "--latency-n", "100", "--warmup", "20", "--concurrency", "4"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var m map[string]float64
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if len(m) != 6 {
		t.Fatalf("keys %v, want 6", m)
	}
	for _, k := range []string{"n", "msgs_per_s", "p50_ms", "p99_ms", "raw_async_per_s", "ratio"} {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %q in %s", k, out.String())
		}
	}
	if m["n"] != 200 || m["msgs_per_s"] <= 0 || m["raw_async_per_s"] <= 0 || m["p99_ms"] < m["p50_ms"] {
		t.Fatalf("implausible result %s", out.String())
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{{"bench"}, {"bench", "nope"}, {"bench", "pipeline", "--n", "0"}, {"bench", "pipeline", "--bogus"}, {"bench", "pipeline", "extra"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
