package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/mako-engine/mako/internal/bench"
)

const benchUsage = `usage: mako bench pipeline [flags]

Measures the pipeline end to end (ingest → processor → relay → outbox) with
the test workflow that answers every UTILMD 55001 with an APERAK:
  - messages/s: N interchanges published as fast as possible, first publish
    to last answer on the outbox;
  - p50/p99 latency at a fixed rate (publish to answer on the outbox);
  - the raw JetStream async publish rate of the same payload, and the ratio.
Without --nats-url the server is embedded (file store in a temp dir).
Flags: mako bench pipeline -h.
`

// runBench is `mako bench`: a thin wrapper around internal/bench.
func runBench(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	return subcommand("bench", benchUsage, args, stdout, stderr, map[string]func([]string) int{
		"pipeline": func(a []string) int { return benchPipeline(ctx, a, stdout, stderr) },
	})
}

// benchPipeline is `mako bench pipeline`: its flags and the run.
func benchPipeline(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench pipeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchUsage+"\nflags:\n"); fs.PrintDefaults() }
	var cfg bench.Config
	asJSON := fs.Bool("json", false, `print {"n","msgs_per_s","p50_ms","p99_ms","raw_async_per_s","ratio"}`)
	fs.IntVar(&cfg.N, "n", 5000, "interchanges in the throughput phase")
	fs.IntVar(&cfg.Rate, "rate", 1000, "publish rate of the latency phase (messages/s)")
	fs.IntVar(&cfg.LatencyN, "latency-n", 0, "interchanges in the latency phase (default 2 × rate, at least 500)")
	fs.IntVar(&cfg.Warmup, "warmup", 200, "interchanges run before measuring (-1: none)")
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "lanes per worker")
	fs.IntVar(&cfg.Replicas, "replicas", 0, "stream replicas on an external cluster (0: as defined)")
	fs.StringVar(&cfg.NATSURL, "nats-url", "", "external NATS server (default: embedded)")
	ahbOn := fs.Bool("ahb", true, "validate every inbound transaction against its AHB (ingest; false: measure without)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mako bench pipeline: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if cfg.N <= 0 || cfg.Rate <= 0 || cfg.LatencyN < 0 || cfg.Concurrency <= 0 || cfg.Replicas < 0 {
		fmt.Fprintln(stderr, "mako bench pipeline: --n, --rate and --concurrency must be positive")
		return 2
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(stderr, "mako bench pipeline: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "mako bench pipeline: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	cfg.NoAHB = !*ahbOn
	r, err := bench.RunPipeline(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "mako bench pipeline: %v\n", err)
		return 1
	}
	if *asJSON {
		b, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintf(stderr, "mako bench pipeline: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, string(b))
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "interchanges (throughput)\t%d\n", r.N)
	fmt.Fprintf(tw, "end to end\t%.0f msgs/s\n", r.MsgsPerS)
	if r.CPUPerMsg > 0 {
		fmt.Fprintf(tw, "CPU of this process per interchange\t%.3f ms\n", float64(r.CPUPerMsg)/float64(time.Millisecond))
	}
	fmt.Fprintf(tw, "latency at %d msgs/s (%d msgs)\tp50 %.2f ms, p99 %.2f ms, max %.2f ms\n", r.Rate, r.LatencyN, r.P50Ms, r.P99Ms, r.MaxMs)
	fmt.Fprintf(tw, "raw JetStream async publish (%d B)\t%.0f msgs/s\n", r.PayloadSz, r.RawAsyncPerS)
	fmt.Fprintf(tw, "ratio\t%.4f\n", r.Ratio)
	fmt.Fprintf(tw, "run time\t%.1f s\n", r.Elapsed.Seconds())
	_ = tw.Flush()
	return 0
}
