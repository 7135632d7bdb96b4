package partner_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/partner"
)

// MP-IDs with valid check digits (edifact.md §13 and GS1 mod 10).
const (
	mpLF  = "9900000000004"
	mpNB  = "9900000000011"
	mpMSB = "9900000000028"
)

var clock = time.Date(2026, 11, 20, 9, 15, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

func httpPartner(mpid string) partner.Partner {
	return partner.Partner{MPID: mpid, Name: "Stadtwerke Test", Roles: []string{"LF"},
		Channels: []partner.Channel{{Transport: partner.TransportHTTP, URL: "https://gw.example.test/in", Timeout: partner.Duration(10 * time.Second)}},
		Contacts: []partner.Contact{{Name: "EDI desk", Email: "edi@example.test"}}}
}

// conformance checks the Store contract on an empty store.
func conformance(t *testing.T, s partner.Store) {
	ctx := context.Background()

	if _, err := s.Get(ctx, "nb", mpLF); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("get missing: %v", err)
	}
	if l, err := s.List(ctx, "nb"); err != nil || len(l) != 0 {
		t.Fatalf("list empty: %v %v", l, err)
	}

	r1, err := s.Put(ctx, "nb", httpPartner(mpLF), kvrecord.IfAbsent())
	if err != nil || r1 == 0 {
		t.Fatalf("create: %d %v", r1, err)
	}
	if _, err := s.Put(ctx, "nb", httpPartner(mpLF), kvrecord.IfAbsent()); !errors.Is(err, partner.ErrConflict) {
		t.Fatalf("second create: %v", err)
	}
	e, err := s.Get(ctx, "nb", mpLF)
	if err != nil {
		t.Fatal(err)
	}
	if e.Revision != r1 || e.Tenant != "nb" || e.Partner.Name != "Stadtwerke Test" || !e.Partner.UpdatedAt.Equal(clock) ||
		len(e.Partner.Channels) != 1 || e.Partner.Channels[0].Timeout != partner.Duration(10*time.Second) || e.Partner.Contacts[0].Email != "edi@example.test" {
		t.Fatalf("get: %+v", e)
	}

	p := e.Partner
	p.Name = "Stadtwerke Neu"
	r2, err := s.Put(ctx, "nb", p, kvrecord.IfRevision(e.Revision))
	if err != nil || r2 <= r1 {
		t.Fatalf("update at revision: %d %v", r2, err)
	}
	if _, err := s.Put(ctx, "nb", p, kvrecord.IfRevision(e.Revision)); !errors.Is(err, partner.ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := s.Put(ctx, "nb", httpPartner(mpMSB), kvrecord.IfRevision(7)); !errors.Is(err, partner.ErrConflict) {
		t.Fatalf("update of missing record: %v", err)
	}
	r3, err := s.Put(ctx, "nb", p) // unconditional upsert
	if err != nil || r3 <= r2 {
		t.Fatalf("upsert: %d %v", r3, err)
	}

	// Tenants are separate.
	if _, err := s.Put(ctx, "lf", httpPartner(mpNB)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "lf", mpLF); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("other tenant's record visible: %v", err)
	}
	if _, err := s.Put(ctx, "nb", httpPartner(mpNB)); err != nil {
		t.Fatal(err)
	}
	l, err := s.List(ctx, "nb")
	if err != nil || len(l) != 2 || l[0].Partner.MPID != mpLF || l[1].Partner.MPID != mpNB || l[0].Partner.Name != "Stadtwerke Neu" {
		t.Fatalf("list: %+v %v", l, err)
	}

	// Delete: conditional, then missing.
	if err := s.Delete(ctx, "nb", mpNB, kvrecord.IfRevision(1<<40)); !errors.Is(err, partner.ErrConflict) {
		t.Fatalf("stale delete: %v", err)
	}
	if err := s.Delete(ctx, "nb", mpNB); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "nb", mpNB); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if err := s.Delete(ctx, "nb", mpNB); !errors.Is(err, partner.ErrNotFound) {
		t.Fatalf("delete missing: %v", err)
	}
	if l, _ := s.List(ctx, "nb"); len(l) != 1 {
		t.Fatalf("list after delete: %+v", l)
	}
	// A deleted record can be created again.
	if _, err := s.Put(ctx, "nb", httpPartner(mpNB), kvrecord.IfAbsent()); err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}

	// Invalid input.
	bad := httpPartner("9900000000005") // wrong check digit
	if _, err := s.Put(ctx, "nb", bad); !errors.Is(err, partner.ErrInvalid) {
		t.Fatalf("bad MP-ID: %v", err)
	}
	if _, err := s.Put(ctx, "NB.x", httpPartner(mpLF)); !errors.Is(err, partner.ErrInvalid) {
		t.Fatalf("bad tenant: %v", err)
	}
	if _, err := s.Get(ctx, "nb", "99*"); !errors.Is(err, partner.ErrInvalid) {
		t.Fatalf("bad MP-ID on get: %v", err)
	}

	// Concurrent conditional updates: exactly one wins per revision.
	cur, _ := s.Get(ctx, "nb", mpLF)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			q := cur.Partner
			q.Name = "racer"
			if _, err := s.Put(ctx, "nb", q, kvrecord.IfRevision(cur.Revision)); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, partner.ErrConflict) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d concurrent updates at one revision won, want 1", wins)
	}
}

func TestMemStoreConformance(t *testing.T) {
	conformance(t, partner.NewMemStore(fixedNow))
}

func TestNATSStoreConformance(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	st, err := partner.OpenNATS(context.Background(), js, 0, partner.WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	conformance(t, st)

	// Operators read the value as JSON with `nats kv get`.
	kv, err := js.KeyValue(context.Background(), "mako_partners")
	if err != nil {
		t.Fatal(err)
	}
	e, err := kv.Get(context.Background(), "nb."+mpLF)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(e.Value(), &raw); err != nil {
		t.Fatalf("value is not JSON: %v", err)
	}
	ch := raw["channels"].([]any)[0].(map[string]any)
	if raw["mp_id"] != mpLF || ch["transport"] != "http" || ch["timeout"] != "10s" {
		t.Fatalf("stored JSON %s", e.Value())
	}
}

func TestValidateChannels(t *testing.T) {
	good := []partner.Channel{
		{Transport: "http", URL: "http://127.0.0.1:8080/x"},
		{Transport: "http", URL: "https://gw.test", CertFile: "c.pem", KeyFile: "k.pem", CAFile: "ca.pem"},
		{Transport: "file", Dir: "/var/spool/as4/out"},
		{Transport: "nats", Subject: "mako.ingest.lf"},
		{Transport: "email"}, // a transport the deliverer does not implement may be stored
		{Transport: "as4", URL: "https://as4.nb.test/as4", AS4: &partner.AS4{EncryptionCerts: []string{"PEM"}, Relationship: "confirmed"}},
	}
	for _, c := range good {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	bad := []partner.Channel{
		{Transport: ""},
		{Transport: "HTTP"},
		{Transport: "http", URL: "ftp://x"},
		{Transport: "http", URL: "https://gw.test", CertFile: "c.pem"},
		{Transport: "file"},
		{Transport: "nats", Subject: "mako.ingest.*"},
		{Transport: "nats", Subject: "a..b"},
		{Transport: "as4", URL: "https://as4.nb.test/as4"},
		{Transport: "as4", AS4: &partner.AS4{EncryptionCerts: []string{"PEM"}}},
		{Transport: "as4", URL: "https://as4.nb.test/as4", AS4: &partner.AS4{EncryptionCerts: []string{"PEM"}, Relationship: "maybe"}},
		{Transport: "nats", Subject: "x", Timeout: -1},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
}

// TestInvalidNATSOptionIsRefused: OpenNATS returns the error of an invalid
// option instead of ignoring it.
func TestInvalidNATSOptionIsRefused(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	if st, err := partner.OpenNATS(context.Background(), js, 0, partner.WithClock(nil)); err == nil || st != nil {
		t.Errorf("WithClock(nil): store %v, err %v; want an error", st, err)
	}
}
