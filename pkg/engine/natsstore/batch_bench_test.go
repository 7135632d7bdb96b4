package natsstore

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/synadia-io/orbit.go/jetstreamext"
)

// commitPayloadSize is the size of one commit message in the publish-shape
// measurements: roughly one small event with its msgpack envelope.
const commitPayloadSize = 512

// shapeEnv starts a server with the engine streams; MAKO_EVENTS allows
// atomic batches (streams/MAKO_EVENTS.json), so all shapes run on the
// stream the event store uses.
func shapeEnv(b *testing.B) jetstream.JetStream {
	b.Helper()
	e := newEnv(b)
	_, js := e.srv.JetStream()
	return js
}

// BenchmarkCommitShape measures the per-commit cost of the ways JetStream
// offers to commit the events of one command: one OCC sync publish of one
// message, an atomic batch of 2 or 3 messages with the OCC header on the
// first message only, and a raw sync publish without any header.
func BenchmarkCommitShape(b *testing.B) {
	payload := make([]byte, commitPayloadSize)
	for i := range payload {
		payload[i] = byte('a' + i%26)
	}
	ctx := context.Background()

	b.Run("raw_sync", func(b *testing.B) {
		js := shapeEnv(b)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if _, err := js.Publish(ctx, "mako.evt.bench.raw", payload); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})

	b.Run("occ_single", func(b *testing.B) {
		js := shapeEnv(b)
		var last uint64
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			ack, err := js.Publish(ctx, "mako.evt.bench.occ", payload,
				jetstream.WithExpectLastSequencePerSubject(last),
				jetstream.WithMsgID("occ-"+strconv.Itoa(i)))
			if err != nil {
				b.Fatal(err)
			}
			last = ack.Sequence
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
	})

	for _, n := range []int{2, 3} {
		for _, ackFirst := range []bool{true, false} {
			name := fmt.Sprintf("atomic_batch_%d_ackfirst_%v", n, ackFirst)
			b.Run(name, func(b *testing.B) {
				js := shapeEnv(b)
				subj := "mako.evt.bench.batch"
				var last uint64
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					msgs := make([]*nats.Msg, n)
					for k := range msgs {
						msgs[k] = &nats.Msg{Subject: subj, Data: payload[:commitPayloadSize/n], Header: nats.Header{}}
					}
					msgs[0].Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(last, 10))
					ack, err := jetstreamext.PublishMsgBatch(ctx, js, msgs,
						jetstreamext.BatchFlowControl{AckFirst: ackFirst, AckTimeout: 5 * time.Second})
					if err != nil {
						b.Fatal(err)
					}
					last = ack.Sequence
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
			})
		}
	}
}
