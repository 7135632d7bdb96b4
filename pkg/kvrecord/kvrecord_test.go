package kvrecord_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/kvrecord/natskv"
	"github.com/nats-io/nats.go/jetstream"
)

type note struct {
	ID    string    `json:"id"`
	Tags  []string  `json:"tags,omitempty"`
	Stamp time.Time `json:"stamp"`
}

var errInvalid = errors.New("note: invalid")

func valid(s string) error {
	if s == "" || len(s) > 8 {
		return errInvalid
	}
	return nil
}

var schema = kvrecord.Schema[note]{
	Name:           "note",
	IDName:         "note",
	ID:             func(n note) string { return n.ID },
	ValidateTenant: valid,
	ValidateKey: func(tenant, id string) error {
		if err := valid(tenant); err != nil {
			return err
		}
		return valid(id)
	},
	Validate: func(n note) error { return valid(n.ID) },
	Clone:    func(n note) note { n.Tags = slices.Clone(n.Tags); return n },
	Stamp:    func(n *note, t time.Time) { n.Stamp = t },
	Encode:   func(n note) ([]byte, error) { return json.Marshal(n) },
	Decode: func(b []byte) (note, error) {
		var n note
		err := json.Unmarshal(b, &n)
		return n, err
	},
}

type store = kvrecord.Store[note]

func TestMem(t *testing.T) {
	conformance(t, func(now func() time.Time) store { return kvrecord.NewMem(schema, now) })
}

func TestKV(t *testing.T) {
	conformance(t, func(now func() time.Time) store {
		s := natstest.Start(t)
		_, js := s.JetStream()
		kv, err := js.CreateKeyValue(context.Background(), jetstream.KeyValueConfig{Bucket: "notes", History: 5})
		if err != nil {
			t.Fatal(err)
		}
		st, err := natskv.NewKV(kv, schema, natskv.WithClock(kvrecord.Clock(now)))
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func conformance(t *testing.T, newStore func(now func() time.Time) store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	s := newStore(func() time.Time { return at })

	if _, err := s.Put(ctx, "bad tenant", note{ID: "a"}); !errors.Is(err, errInvalid) {
		t.Fatalf("invalid tenant: %v", err)
	}
	if _, err := s.Get(ctx, "t1", "a"); !errors.Is(err, kvrecord.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	tags := []string{"x"}
	r1, err := s.Put(ctx, "t1", note{ID: "b", Tags: tags}, kvrecord.IfAbsent())
	if err != nil {
		t.Fatal(err)
	}
	tags[0] = "changed" // the store keeps its own copy
	if _, err := s.Put(ctx, "t1", note{ID: "b"}, kvrecord.IfAbsent()); !errors.Is(err, kvrecord.ErrConflict) {
		t.Fatalf("IfAbsent on existing: %v", err)
	}
	if _, err := s.Put(ctx, "t1", note{ID: "a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "t2", note{ID: "c"}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get(ctx, "t1", "b")
	if err != nil {
		t.Fatal(err)
	}
	if e.Tenant != "t1" || e.Revision != r1 || !slices.Equal(e.Record.Tags, []string{"x"}) || !e.Record.Stamp.Equal(at) || e.Record.Stamp.Location() != time.UTC {
		t.Fatalf("get: %+v (want revision %d, tags [x], stamp %s UTC)", e, r1, at)
	}
	if _, err := s.Put(ctx, "t1", note{ID: "b"}, kvrecord.IfRevision(r1+100)); !errors.Is(err, kvrecord.ErrConflict) {
		t.Fatalf("stale revision: %v", err)
	}
	r2, err := s.Put(ctx, "t1", note{ID: "b"}, kvrecord.IfRevision(r1))
	if err != nil || r2 <= r1 {
		t.Fatalf("update at revision: %d, %v", r2, err)
	}
	es, err := s.List(ctx, "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Record.ID != "a" || es[1].Record.ID != "b" || es[1].Revision != r2 {
		t.Fatalf("list t1: %+v", es)
	}
	if es, err := s.List(ctx, "t3"); err != nil || es == nil || len(es) != 0 {
		t.Fatalf("list empty tenant: %v, %v", es, err)
	}
	if err := s.Delete(ctx, "t1", "b", kvrecord.IfRevision(r1)); !errors.Is(err, kvrecord.ErrConflict) {
		t.Fatalf("delete at stale revision: %v", err)
	}
	if err := s.Delete(ctx, "t1", "b", kvrecord.IfRevision(r2)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "t1", "b"); !errors.Is(err, kvrecord.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, "t1", "b"); !errors.Is(err, kvrecord.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
}
