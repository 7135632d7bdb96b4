package deliverer

import (
	"errors"
	"testing"
	"time"
)

func TestEnvOptions(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	opts, err := EnvOptions(env(map[string]string{EnvBackoffBase: "1s", EnvWindow: "2h", EnvTimeout: "10s", EnvLanes: "4", EnvFilePattern: "{id}.edi", EnvSkipTenants: "gw1, gw2"}))
	if err != nil {
		t.Fatal(err)
	}
	d := mustNew(t, opts...)
	if d.base != time.Second || d.cap != DefaultBackoffCap || d.window != 2*time.Hour || d.timeout != 10*time.Second || d.lanes != 4 {
		t.Fatalf("%+v", d)
	}
	if !d.skip["gw1"] || !d.skip["gw2"] || d.skip["nb"] {
		t.Fatalf("skip tenants %v", d.skip)
	}
	if d.transports["file"].(*FileTransport).pattern != "{id}.edi" {
		t.Fatal("file pattern not applied")
	}
	if d := mustNew(t); d.base != DefaultBackoffBase || d.window != DefaultWindow || d.transports["nats"] != nil {
		t.Fatalf("defaults %+v", d)
	}
	for _, bad := range []map[string]string{
		{EnvBackoffBase: "soon"}, {EnvWindow: "-1h"}, {EnvBackoffBase: "10m", EnvBackoffCap: "1m"},
		{EnvTimeout: "2m"}, {EnvLanes: "0"}, {EnvFilePattern: "{nope}"}, {EnvSkipTenants: "nb,Bad.Tenant"},
	} {
		if _, err := EnvOptions(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// mustNew is New without js, partners and dead letters, failing t on an
// option error.
func mustNew(t testing.TB, opts ...Option) *Deliverer {
	t.Helper()
	d, err := New(nil, nil, nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestInvalidOptions(t *testing.T) {
	for name, o := range map[string]Option{
		"backoff":   WithBackoff(time.Minute, time.Second),
		"window":    WithWindow(0),
		"timeout":   WithTimeout(-time.Second),
		"lanes":     WithLanes(0),
		"transport": WithTransport(nil),
		"clock":     WithClock(nil),
		"rand":      WithRand(nil),
	} {
		if _, err := New(nil, nil, nil, o); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("%s: %v, want ErrInvalidOption", name, err)
		}
	}
}
