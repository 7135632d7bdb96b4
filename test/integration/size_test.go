package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// padded55001 is the worked example's 55001 grown to about size bytes by
// free-text segments (FTX+ACB with text characters each) inside the
// transaction: well-formed EDIFACT that passes the syntax check.
func padded55001(ref, tx string, size, text int) []byte {
	base := string(utilmd55001(ref, tx))
	i := strings.Index(base, "UNT+")
	var b strings.Builder
	b.WriteString(base[:i])
	line := "FTX+ACB+++" + strings.Repeat("A", text) + "'"
	n := 0
	for b.Len()+len(line)+64 < size {
		b.WriteString(line)
		n++
	}
	// UNH … the last segment before UNT, the padding, and UNT itself (the
	// segments before UNH are UNA and UNB).
	fmt.Fprintf(&b, "UNT+%d+1'UNZ+1+%s'", strings.Count(base[:i], "'")-2+n+1, ref)
	return []byte(b.String())
}

// TestLargeInterchangesAnsweredOnce publishes 0.9 MiB and 6 MiB interchanges,
// well-formed and garbage, and a well-formed one of 8 MiB, through a server configured like makod's
// (max_payload streams.MaxPayload): each gets exactly one answer or one dead
// letter, its ingest message is acknowledged without a redelivery loop, and
// the dead letters hold a bounded excerpt and a reference to the original. An
// interchange above streams.MaxInterchange is refused at publish.
func TestLargeInterchangesAnsweredOnce(t *testing.T) {
	s := natstest.Start(t, func(o *server.Options) { o.MaxPayload = streams.MaxPayload })
	_, js := s.JetStream()
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)

	garbage := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	const small, large = 900 << 10, 6 << 20
	inputs := []struct {
		name   string
		data   []byte
		answer bool // an APERAK from the workflow, else a dead letter
	}{
		{"valid 0.9 MiB", padded55001("BIG1", "TXBIG1", small, 500), true},
		{"valid 6 MiB", padded55001("BIG2", "TXBIG2", large, 500), true},
		// The largest the ingest path takes, in 150,000 short segments.
		{"valid 8 MiB", padded55001("BIG3", "TXBIG3", streams.MaxInterchange, 45), true},
		{"garbage 0.9 MiB", garbage(small), false},
		{"garbage 6 MiB", garbage(large), false},
	}
	for _, in := range inputs {
		publishIngest(t, js, "nb", in.data)
	}
	answers := collect(t, js, streams.Outbox, "mako.outbox.nb.>", 3, 60*time.Second)
	letters := collect(t, js, streams.DLQ, "mako.dlq.nb", 2, 30*time.Second)
	if len(answers) != 3 || len(letters) != 2 {
		t.Fatalf("%d answers and %d dead letters, want 3 and 2", len(answers), len(letters))
	}
	for _, m := range answers {
		if typ := m.Headers().Get("Mako-Message-Type"); typ != "APERAK" {
			t.Fatalf("answer %s is a %s, want the workflow's APERAK", m.Subject(), typ)
		}
	}
	for _, m := range letters {
		l, err := deadletter.Decode(m.Data())
		if err != nil {
			t.Fatal(err)
		}
		if (l.Reason != deadletter.ReasonMalformed && l.Reason != deadletter.ReasonSyntax) || len(l.Payload) > deadletter.MaxExcerpt || l.Source.Stream != streams.Ingest ||
			l.Source.Sequence < 3 || (l.PayloadSize != small && l.PayloadSize != large) || !l.PayloadTruncated {
			t.Fatalf("dead letter: reason %s, excerpt %d bytes, size %d, truncated %v, source %+v", l.Reason, len(l.Payload), l.PayloadSize, l.PayloadTruncated, l.Source)
		}
	}

	// No redelivery loop: every ingest message is acknowledged after its
	// first delivery, and nothing more is written afterwards.
	ctx := context.Background()
	cons, err := js.Consumer(ctx, streams.Ingest, "ingest")
	must(t, err)
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := cons.Info(ctx)
		must(t, err)
		if info.AckFloor.Stream == uint64(len(inputs)) && info.NumAckPending == 0 {
			if info.NumRedelivered != 0 || info.Delivered.Consumer != uint64(len(inputs)) {
				t.Fatalf("ingest consumer: %d redelivered, %d deliveries for %d messages", info.NumRedelivered, info.Delivered.Consumer, len(inputs))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ingest consumer not done: ack floor %d, pending %d, redelivered %d", info.AckFloor.Stream, info.NumAckPending, info.NumRedelivered)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if n, d := count(t, js, streams.Outbox, "mako.outbox.nb.>"), count(t, js, streams.DLQ, "mako.dlq.nb"); n != 3 || d != 2 {
		t.Fatalf("afterwards %d answers and %d dead letters, want 3 and 2", n, d)
	}

	// Above the limit: refused at publish, with the server's reason; nothing stored.
	msg := nats.NewMsg("mako.ingest.nb")
	msg.Data = bytes.Repeat([]byte("x"), streams.MaxInterchange+streams.IngestHeaderAllowance+1)
	_, err = js.PublishMsg(ctx, msg)
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode != jetstream.JSErrCodeStreamMessageExceedsMaximum {
		t.Fatalf("publish of %d bytes: %v, want JetStream error %d", len(msg.Data), err, jetstream.JSErrCodeStreamMessageExceedsMaximum)
	}
	if n := count(t, js, streams.Ingest, "mako.ingest.nb"); n != uint64(len(inputs)) {
		t.Fatalf("%d ingest messages, want %d", n, len(inputs))
	}
}
