package bench

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

// A small run measures something in every phase, and its JSON form has
// exactly the documented keys.
func TestRunPipelineSmall(t *testing.T) {
	r, err := RunPipeline(context.Background(), Config{N: 300, Rate: 500, LatencyN: 200, Warmup: 50, Concurrency: 4, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", r)
	if r.N != 300 || r.MsgsPerS <= 0 || r.RawAsyncPerS <= 0 || r.P50Ms <= 0 || r.P99Ms < r.P50Ms || r.Ratio <= 0 {
		t.Fatalf("result %+v", r)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"n", "msgs_per_s", "p50_ms", "p99_ms", "raw_async_per_s", "ratio"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if len(m) != 6 {
		t.Errorf("JSON has %d keys, want 6: %s", len(m), b)
	}
}

func TestTransactionRef(t *testing.T) {
	for in, want := range map[string]string{
		"UNH+1+APERAK'RFF+TN:BABCP1N7'NAD+MS'": "BABCP1N7",
		"RFF+AGO:X'":                           "",
		"RFF+TN:X":                             "X",
	} {
		if got := transactionRef([]byte(in)); got != want {
			t.Errorf("transactionRef(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(d, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 %v", p)
	}
	if p := percentile(nil, 0.5); p != 0 {
		t.Errorf("empty %v", p)
	}
}

// BenchmarkPipeline publishes b.N interchanges as fast as possible through
// the embedded pipeline and reports the end-to-end rate (msgs/s).
func BenchmarkPipeline(b *testing.B) {
	ctx := context.Background()
	e, err := Start(ctx, Config{Concurrency: 8, Warmup: 200, Timeout: 5 * time.Minute})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	b.ResetTimer()
	rate, err := e.Throughput(ctx, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(rate, "msgs/s")
}
