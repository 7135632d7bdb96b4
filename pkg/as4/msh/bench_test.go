package msh_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkEndToEnd: one AS4 message per iteration on loopback: the LF's transport seals it
// (gzip, brainpoolP256r1 ECDSA signature, ECDH-ES + AES-128-GCM encryption), POSTs it to the NB's
// endpoint, which opens it (decrypt, verify with chain, EMT.MAK, OU), publishes it to
// MAKO_INGEST (file store), stores the receipt for dedup and answers with the signed receipt,
// which the transport verifies. Reported as msgs/s.
func BenchmarkEndToEnd(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := f.transport.Send(ctx, f.delivery("bench-"+strconv.Itoa(i), edi)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkEndToEndParallel is BenchmarkEndToEnd with concurrent senders (the deliverer runs
// many lanes), GOMAXPROCS goroutines × 4.
func BenchmarkEndToEndParallel(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.transport.Send(ctx, f.delivery("pbench-"+strconv.FormatInt(n.Add(1), 10), edi)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
