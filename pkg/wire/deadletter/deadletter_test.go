package deadletter_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
)

func TestWriteIsIdempotentAndAudited(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MAKO_DLQ", Subjects: []string{"mako.dlq.>"}}); err != nil {
		t.Fatal(err)
	}
	fixed := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC)
	sink, err := deadletter.NewSink(js, func() time.Time { return fixed })
	if err != nil {
		t.Fatal(err)
	}
	l := deadletter.Letter{
		Reason:  deadletter.ReasonUnknownPID,
		Detail:  "no workflow for PID 99999",
		Audit:   deadletter.Audit{Tenant: "acme", MessageType: "UTILMD", PID: "99999", Sender: "9900000000001"},
		Source:  deadletter.Source{Stream: "MAKO_INGEST", Sequence: 7},
		Payload: []byte("UNB+..."),
	}
	for range 2 {
		if err := sink.Write(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := js.Stream(ctx, "MAKO_DLQ")
	info, _ := st.Info(ctx)
	if info.State.Msgs != 1 {
		t.Fatalf("stored %d letters, want 1 (redelivery must not duplicate)", info.State.Msgs)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "mako.dlq.acme" || m.Header.Get("Mako-Dlq-Reason") != "unknown_pid" {
		t.Fatalf("subject %s header %v", m.Subject, m.Header)
	}
	got, err := deadletter.Decode(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	// 10:00 UTC in July is 12:00 CEST.
	if got.At != "2026-07-01T12:00:00+02:00" || got.Audit.PID != "99999" || string(got.Payload) != "UNB+..." {
		t.Fatalf("letter %+v", got)
	}
	if err := sink.Write(ctx, deadletter.Letter{Reason: deadletter.ReasonMalformed}); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Fatalf("letter without tenant: %v", err)
	}
}

// TestWriteBoundsPayloadAndDetail: a letter about a message far beyond the
// server's max_payload is written with a bounded excerpt, the original's
// size and a reference to it; a server with a max_payload below even the
// excerpt still gets the letter, without the excerpt.
func TestWriteBoundsPayloadAndDetail(t *testing.T) {
	for _, tc := range []struct {
		name       string
		maxPayload int32
		excerpt    int
	}{
		{"default server", 0, deadletter.MaxExcerpt},
		{"tiny max_payload", 48 << 10, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := natstest.Start(t, func(o *server.Options) {
				if tc.maxPayload > 0 {
					o.MaxPayload = tc.maxPayload
				}
			})
			_, js := s.JetStream()
			ctx := context.Background()
			if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "MAKO_DLQ", Subjects: []string{"mako.dlq.>"}}); err != nil {
				t.Fatal(err)
			}
			sink, err := deadletter.NewSink(js, nil)
			if err != nil {
				t.Fatal(err)
			}
			big := bytes.Repeat([]byte("x"), 6<<20)
			l := deadletter.Letter{
				Reason: deadletter.ReasonMalformed, Detail: strings.Repeat("finding; ", 10_000),
				Audit: deadletter.Audit{Tenant: "acme"}, Source: deadletter.Source{Stream: "MAKO_INGEST", Subject: "mako.ingest.acme", Sequence: 3},
				Payload: big,
			}
			if err := sink.Write(ctx, l); err != nil {
				t.Fatal(err)
			}
			st, _ := js.Stream(ctx, "MAKO_DLQ")
			m, err := st.GetMsg(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			got, err := deadletter.Decode(m.Data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Payload) != tc.excerpt || !got.PayloadTruncated || got.PayloadSize != len(big) ||
				got.Source.Sequence != 3 || got.Source.Stream != "MAKO_INGEST" || len(got.Detail) > deadletter.MaxDetail+64 {
				t.Fatalf("excerpt %d bytes (want %d), truncated %v, size %d, source %+v, detail %d bytes",
					len(got.Payload), tc.excerpt, got.PayloadTruncated, got.PayloadSize, got.Source, len(got.Detail))
			}
		})
	}
}
