package msh_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/as4/msh"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/workers/deliverer"
	"github.com/mako-engine/mako/pkg/workers/ingest"
)

// TestPathSwitch: the LF's first business message to the NB finds no relationship; the LF's
// transport sends requestSwitch (step 1), the NB's endpoint answers it with a confirmSwitch
// (step 2), both record the relationship as confirmed (step 3), and the retried business
// message is delivered; then a test-service message. Nothing but the business message reaches
// MAKO_INGEST.
func TestPathSwitch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lfIDs, nbIDs := must(msh.NewIdentities(f.lf.Identity)), must(msh.NewIdentities(f.nb.Identity))
	lfTr := msh.NewTransport(lfIDs, f.trust, msh.WithPathSwitch(f.partners))
	nbTr := msh.NewTransport(nbIDs, f.trust, msh.WithPathSwitch(f.partners))
	serve := func(ids *msh.Identities, tenant, mp string, tr *msh.Transport) string {
		ep := must(msh.NewEndpoint(ctx, f.js, ids, f.trust, f.partners, []ingest.Tenant{{ID: ingestTenant(tenant), MPIDs: []string{mp}}},
			msh.WithPathSwitchConfirm(tr)))
		mux := http.NewServeMux()
		mux.Handle(msh.DefaultPath, ep)
		srv := httptest.NewServer(mux)
		t.Cleanup(srv.Close)
		return srv.URL + msh.DefaultPath
	}
	lfURL, nbURL := serve(lfIDs, "lf", mpLF, lfTr), serve(nbIDs, "nb", mpNB, nbTr)
	put := func(tenant, mp string, ch partner.Channel) {
		if _, err := f.partners.Put(ctx, tenant, partner.Partner{MPID: mp, Channels: []partner.Channel{ch}}); err != nil {
			t.Fatal(err)
		}
	}
	put("lf", mpNB, f.nb.Channel(nbURL, ""))
	put("nb", mpLF, f.lf.Channel(lfURL, ""))
	relationship := func(tenant, mp string) string {
		e, err := f.partners.Get(ctx, tenant, mp)
		if err != nil {
			t.Fatal(err)
		}
		return e.Partner.Channels[0].AS4.Relationship
	}
	send := func() (deliverer.Receipt, error) {
		e := must(f.partners.Get(ctx, "lf", mpNB))
		d := f.delivery("ps-1", edi)
		d.Channel = e.Partner.Channels[0]
		return lfTr.Send(ctx, d)
	}
	_, err := send()
	if err == nil || sendErr(t, err).Permanent || !errors.Is(err, msh.ErrConfig) || !strings.Contains(err.Error(), "path switch requested") {
		t.Fatalf("first send: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for relationship("lf", mpNB) != partner.RelationshipConfirmed || relationship("nb", mpLF) != partner.RelationshipConfirmed {
		if time.Now().After(deadline) {
			t.Fatalf("relationships: LF %q, NB %q", relationship("lf", mpNB), relationship("nb", mpLF))
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rec, err := send(); err != nil || rec.Status != msh.StatusPositive {
		t.Fatalf("after the path switch: %+v %v", rec, err)
	}
	// A test-service message: signed, encrypted, receipted, never published.
	sig, err := lfTr.SendTest(ctx, "lf", mpLF, mpNB, edi)
	if err != nil || sig.Receipt == nil {
		t.Fatalf("test service: %v", err)
	}
	if n := f.ingested(t); n != 1 {
		t.Fatalf("MAKO_INGEST: %d", n)
	}
}

// TestPathSwitchRequestFails: a requestSwitch the partner never answers leaves no relationship
// behind (the next delivery requests again), and an existing confirmation is kept.
func TestPathSwitchRequestFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lfTr := msh.NewTransport(must(msh.NewIdentities(f.lf.Identity)), f.trust, msh.WithPathSwitch(f.partners))
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL + msh.DefaultPath
	srv.Close() // nothing listens there any more
	for _, tc := range []struct{ before, after string }{
		{"", ""},
		{partner.RelationshipRequested, ""},
		{partner.RelationshipConfirmed, partner.RelationshipConfirmed},
	} {
		if _, err := f.partners.Put(ctx, "lf", partner.Partner{MPID: mpNB, Channels: []partner.Channel{f.nb.Channel(url, tc.before)}}); err != nil {
			t.Fatal(err)
		}
		if err := lfTr.RequestPathSwitch(ctx, "lf", mpLF, mpNB); !errors.Is(err, msh.ErrPathSwitch) {
			t.Fatalf("relationship %q: request to a closed endpoint: %v", tc.before, err)
		}
		e := must(f.partners.Get(ctx, "lf", mpNB))
		if got := e.Partner.Channels[0].AS4.Relationship; got != tc.after {
			t.Errorf("relationship %q after a failed request: %q, want %q", tc.before, got, tc.after)
		}
	}
}
