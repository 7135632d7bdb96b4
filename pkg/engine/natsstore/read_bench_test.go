package natsstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// readBenchSetup writes n messages on subject "mako.evt.rb.target", interleaved with
// n messages on other subjects, so reads must skip foreign messages as they
// do in MAKO_EVENTS.
func readBenchSetup(b *testing.B, n int) jetstream.JetStream {
	b.Helper()
	e := newEnv(b)
	_, js := e.srv.JetStream()
	payload := make([]byte, commitPayloadSize)
	for i := range n {
		if _, err := js.PublishAsync("mako.evt.rb.target", payload); err != nil {
			b.Fatal(err)
		}
		if _, err := js.PublishAsync("mako.evt.rb.other"+strconv.Itoa(i%97), payload); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-js.PublishAsyncComplete():
	case <-time.After(30 * time.Second):
		b.Fatal("async publish did not complete")
	}
	return js
}

// BenchmarkReadSubject compares the two ways to read one process subject:
// an ordered consumer filtered on the subject, and batched Direct Get with
// next_by_subj (jetstreamext.GetBatch). Reported: msgs/s.
func BenchmarkReadSubject(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{10, 100, 1000, 10000} {
		js := readBenchSetup(b, n)
		b.Run(fmt.Sprintf("ordered_consumer/%d", n), func(b *testing.B) {
			for b.Loop() {
				cons, err := js.OrderedConsumer(ctx, DefaultEventStream, jetstream.OrderedConsumerConfig{
					FilterSubjects: []string{"mako.evt.rb.target"},
				})
				if err != nil {
					b.Fatal(err)
				}
				got := 0
				batch, err := cons.FetchNoWait(n)
				if err != nil {
					b.Fatal(err)
				}
				for range batch.Messages() {
					got++
				}
				for got < n {
					batch, err := cons.Fetch(n-got, jetstream.FetchMaxWait(5*time.Second))
					if err != nil {
						b.Fatal(err)
					}
					for range batch.Messages() {
						got++
					}
					if err := batch.Error(); err != nil {
						b.Fatal(err)
					}
				}
				if err := js.DeleteConsumer(ctx, DefaultEventStream, cons.CachedInfo().Name); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
		})
		b.Run(fmt.Sprintf("direct_batch_persistent_sub/%d", n), func(b *testing.B) {
			nc := js.Conn()
			inbox := nc.NewRespInbox()
			sub, err := nc.SubscribeSync(inbox)
			if err != nil {
				b.Fatal(err)
			}
			defer sub.Unsubscribe()
			for b.Loop() {
				got := 0
				seq := uint64(1)
				for done := false; !done; {
					req := []byte(`{"seq":` + strconv.FormatUint(seq, 10) + `,"next_by_subj":"mako.evt.rb.target","batch":1024}`)
					if err := nc.PublishRequest("$JS.API.DIRECT.GET.MAKO_EVENTS", inbox, req); err != nil {
						b.Fatal(err)
					}
					for {
						m, err := sub.NextMsg(5 * time.Second)
						if err != nil {
							b.Fatal(err)
						}
						if len(m.Data) == 0 && m.Header.Get("Status") != "" {
							// 204 EOB or 404: batch over.
							if m.Header.Get("Status") == "404" {
								done = true
							}
							break
						}
						got++
						s, _ := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
						seq = s + 1
						if m.Header.Get("Nats-Num-Pending") == "0" {
							done = true
						}
					}
				}
				if got != n {
					b.Fatalf("got %d want %d", got, n)
				}
			}
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
		})
		for _, size := range []int{256, 1024} {
			b.Run(fmt.Sprintf("direct_batch_%d/%d", size, n), func(b *testing.B) {
				for b.Loop() {
					got := 0
					seq := uint64(1)
					for {
						it, err := jetstreamext.GetBatch(ctx, js, DefaultEventStream, size,
							jetstreamext.GetBatchSeq(seq), jetstreamext.GetBatchSubject("mako.evt.rb.target"))
						if err != nil {
							b.Fatal(err)
						}
						pending := "1"
						for m, err := range it {
							if errors.Is(err, jetstreamext.ErrNoMessages) {
								pending = "0"
								break
							}
							if err != nil {
								b.Fatal(err)
							}
							got++
							seq = m.Sequence + 1
							pending = m.Header.Get("Nats-Num-Pending")
						}
						if pending == "0" {
							break
						}
					}
					if got != n {
						b.Fatalf("got %d want %d", got, n)
					}
				}
				b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}
