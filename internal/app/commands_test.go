package app

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// In a split deployment — every command of SplitCommands() once, nothing
// else — each durable consumer defined in streams/consumers has a reader
// (a pending pull request), so none grows without bound.
func TestSplitDeploymentReadsEveryConsumer(t *testing.T) {
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.Copy(io.Discard, r.Body) }))
	defer hook.Close()
	t.Setenv("NATS_URL", "")
	t.Setenv("MAKO_ERP_WEBHOOK_URL", hook.URL)
	t.Setenv("MAKO_ERP_WEBHOOK_SECRET", "test-secret-of-32-bytes-or-more!!")
	s := natstest.Start(t, natstest.WithListen())
	_, js := s.JetStream()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(SplitCommands()))
	for name, pick := range SplitCommands() {
		wg.Go(func() {
			args := []string{"--nats-url", s.ClientURL(), "--http", "", "--log-level", "error", "--modules", "testflow", "--concurrency", "1"}
			if err := RunWorkerWith(ctx, name, args, io.Discard, pick); err != nil {
				errs <- err
			}
		})
	}
	defer wg.Wait()
	defer cancel()
	for _, st := range streams.Names() {
		for _, name := range streams.Consumers(st) {
			deadline := time.Now().Add(20 * time.Second)
			for {
				select {
				case err := <-errs:
					t.Fatalf("a worker command stopped: %v", err)
				default:
				}
				c, err := js.Consumer(ctx, st, name)
				if err != nil {
					t.Fatal(err)
				}
				info, err := c.Info(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if info.NumWaiting > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("consumer %s on %s has no reader in a split deployment", name, st)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
}

// Without a webhook URL the forwarder does not run, and its consumer does
// not exist: nothing waits unread (streams.OnDemand).
func TestNoWebhookConsumerWithoutWebhook(t *testing.T) {
	t.Setenv("NATS_URL", "")
	t.Setenv("MAKO_ERP_WEBHOOK_URL", "")
	s := natstest.Start(t, natstest.WithListen())
	_, js := s.JetStream()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- RunWorkerWith(ctx, "erp", []string{"--nats-url", s.ClientURL(), "--http", "", "--log-level", "error", "--modules", "testflow"}, io.Discard, ERPActors)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if c, err := js.Consumer(ctx, streams.Events, erpwire.PublisherConsumer); err == nil {
			if info, err := c.Info(ctx); err == nil && info.NumWaiting > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the erp worker does not read its consumer")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := js.Consumer(ctx, streams.ERP, erpwire.WebhookConsumer); !errors.Is(err, jetstream.ErrConsumerNotFound) {
		t.Fatalf("webhook consumer without a webhook: %v, want not found", err)
	}
}
