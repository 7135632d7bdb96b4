package readmodel

import (
	"context"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/nats-io/nats.go/jetstream"
)

// consumers are the projector's durable consumers: stream → name.
var consumers = [][2]string{{eventsStream, Consumer}, {deadletter.Stream, Consumer}}

// Reset discards the read models and rewinds the projector: it purges the
// read-model buckets and then resets the "projector" consumers of
// MAKO_EVENTS and MAKO_DLQ to the start of their streams, so the running
// projectors (any instance, or the caller's own) replay the whole history
// and build the read models anew. The order matters: a commit projected
// between purge and reset is replayed anyway (and is then a no-op), while a
// commit whose predecessors were purged waits until the replay brings them.
// Reading the read models during the replay shows partial results.
func Reset(ctx context.Context, js jetstream.JetStream) error {
	for _, b := range Buckets() {
		st, err := js.Stream(ctx, "KV_"+b)
		if err != nil {
			return fmt.Errorf("readmodel: rebuild: bucket %s: %w", b, err)
		}
		if err := st.Purge(ctx); err != nil {
			return fmt.Errorf("readmodel: rebuild: purge %s: %w", b, err)
		}
	}
	for _, c := range consumers {
		if _, err := js.ResetConsumerToSequence(ctx, c[0], c[1], 1); err != nil {
			return fmt.Errorf("readmodel: rebuild: reset consumer %s on %s: %w", c[1], c[0], err)
		}
	}
	return nil
}

// CaughtUp reports whether both projector consumers have delivered and
// had acknowledged every message of their streams.
func CaughtUp(ctx context.Context, js jetstream.JetStream) (bool, error) {
	for _, c := range consumers {
		cons, err := js.Consumer(ctx, c[0], c[1])
		if err != nil {
			return false, fmt.Errorf("readmodel: consumer %s on %s: %w", c[1], c[0], err)
		}
		info, err := cons.Info(ctx)
		if err != nil {
			return false, fmt.Errorf("readmodel: consumer %s on %s: %w", c[1], c[0], err)
		}
		if info.NumPending > 0 || info.NumAckPending > 0 {
			return false, nil
		}
	}
	return true, nil
}

// WaitCaughtUp polls CaughtUp every poll (default 100 ms) until it is true
// or ctx ends.
func WaitCaughtUp(ctx context.Context, js jetstream.JetStream, poll time.Duration) error {
	if poll <= 0 {
		poll = 100 * time.Millisecond
	}
	for {
		ok, err := CaughtUp(ctx, js)
		if err != nil {
			return err
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("readmodel: projector not caught up: %w", ctx.Err())
		case <-time.After(poll):
		}
	}
}

// Dump returns every live value of the read-model buckets, by bucket and
// key: what a rebuild must reproduce byte for byte.
func Dump(ctx context.Context, js jetstream.JetStream) (map[string]map[string][]byte, error) {
	out := map[string]map[string][]byte{}
	for _, b := range Buckets() {
		kv, err := js.KeyValue(ctx, b)
		if err != nil {
			return nil, fmt.Errorf("readmodel: bucket %s: %w", b, err)
		}
		m := map[string][]byte{}
		if err := scan(ctx, kv, ">", func(key string, v []byte) error {
			m[key] = append([]byte(nil), v...)
			return nil
		}); err != nil {
			return nil, fmt.Errorf("readmodel: bucket %s: %w", b, err)
		}
		out[b] = m
	}
	return out, nil
}
