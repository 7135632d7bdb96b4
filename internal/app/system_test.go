package app_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/fv"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/streams"
)

func TestERPWebhookFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	if _, ok, err := app.ERPWebhookFromEnv(env(nil)); ok || err != nil {
		t.Fatalf("no URL: ok %v, err %v", ok, err)
	}
	cfg, ok, err := app.ERPWebhookFromEnv(env(map[string]string{app.EnvERPWebhookURL: " https://erp.example/hook ",
		app.EnvERPWebhookSecret: "s3cret", app.EnvERPWebhookTenants: "nb, lfn,,", app.EnvERPWebhookWindow: "2h"}))
	if err != nil || !ok || cfg.URL != "https://erp.example/hook" || cfg.Secret != "s3cret" ||
		strings.Join(cfg.Tenants, "|") != "nb|lfn" || cfg.Window != 2*time.Hour {
		t.Fatalf("cfg %+v, ok %v, err %v", cfg, ok, err)
	}
	for _, w := range []string{"soon", "0s", "-1h"} {
		if _, _, err := app.ERPWebhookFromEnv(env(map[string]string{app.EnvERPWebhookURL: "https://x", app.EnvERPWebhookWindow: w})); err == nil {
			t.Errorf("window %q accepted", w)
		}
	}
}

// TestNewSystem assembles a system on an embedded server: the streams
// exist afterwards, the modules' routes reach the router, and conflicting
// routes or invalid worker settings are refused.
func TestNewSystem(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	mod := testflow.Module(fv.MustParse("FV2604"))
	sys, err := app.NewSystem(ctx, js, app.SystemConfig{Modules: []module.Module{mod}})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	for _, name := range []string{streams.Ingest, streams.Commands, streams.Events, streams.Outbox, streams.DLQ, streams.Timers, streams.ERP} {
		if _, err := js.Stream(ctx, name); err != nil {
			t.Errorf("stream %s: %v", name, err)
		}
	}
	if len(sys.Router().Routes()) != len(mod.Routes) {
		t.Errorf("router has %d routes, module %d", len(sys.Router().Routes()), len(mod.Routes))
	}
	if len(sys.Engine().Workflows()) != len(mod.Definitions) {
		t.Errorf("engine runs %d workflows, module defines %d", len(sys.Engine().Workflows()), len(mod.Definitions))
	}

	twin := mod
	twin.Name = "twin"
	if _, err := app.NewSystem(ctx, js, app.SystemConfig{Modules: []module.Module{mod, twin}}); err == nil {
		t.Error("two modules routing the same PID were accepted")
	}
	// A route to a workflow no module defines is refused when the ingest
	// worker starts.
	stray := module.Module{Name: "stray", Routes: []routing.Route{{PID: "55003", Workflow: "nobody.runs.this", Initiating: true}}}
	sys2, err := app.NewSystem(ctx, js, app.SystemConfig{Modules: []module.Module{mod, stray}})
	if err != nil {
		t.Fatal(err)
	}
	defer sys2.Close()
	if err := sys2.RunIngest(ctx); !errors.Is(err, engine.ErrUnknownWorkflow) {
		t.Errorf("ingest with a route to an unknown workflow: %v", err)
	}
}
