package audit_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/mako-engine/mako/internal/natstest"
	"github.com/mako-engine/mako/pkg/audit"
	auditwire "github.com/mako-engine/mako/pkg/wire/audit"
	"github.com/mako-engine/mako/streams"
)

func TestWriteAndHistory(t *testing.T) {
	s := natstest.Start(t)
	_, js := s.JetStream()
	ctx := context.Background()
	if err := streams.Ensure(ctx, js); err != nil {
		t.Fatal(err)
	}
	for i, reason := range []string{"neu", "Kanal geändert", "Name korrigiert"} {
		r := auditwire.Record{Tenant: "nb", Kind: auditwire.KindPartner, ID: "9900000000004", Actor: "anna", At: "2026-12-06T10:00:00+01:00",
			Action: "update", Reason: reason, After: json.RawMessage(`{"mp_id":"9900000000004"}`), Revision: uint64(i + 1)}
		if err := audit.Write(ctx, js, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := audit.Write(ctx, js, auditwire.Record{Tenant: "lfn", Kind: auditwire.KindPartner, ID: "9900000000004", Actor: "lena", Action: "create"}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, auditwire.Subject("nb", auditwire.KindMaLo, "51238696781"), []byte("{kaputt")); err != nil {
		t.Fatal(err)
	}
	h, err := audit.History(ctx, js, "nb", auditwire.KindPartner, "9900000000004", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Reason != "Kanal geändert" || h[1].Revision != 3 || h[1].Actor != "anna" {
		t.Fatalf("history %+v", h)
	}
	h, err = audit.History(ctx, js, "nb", auditwire.KindMaLo, "51238696781", 0)
	if err != nil || len(h) != 1 || h[0].Action != auditwire.ActionUnreadable {
		t.Fatalf("unreadable record: %+v %v", h, err)
	}
	if h, err := audit.History(ctx, js, "nb", auditwire.KindMaLo, "51234567895", 0); err != nil || len(h) != 0 {
		t.Fatalf("empty history: %+v %v", h, err)
	}
	for _, bad := range []auditwire.Record{{Kind: "partner", ID: "1", Actor: "a"}, {Tenant: "nb", Kind: "partner", ID: "a.b", Actor: "a"}, {Tenant: "nb", Kind: "partner", ID: "1"}} {
		if err := audit.Write(ctx, js, bad); err == nil {
			t.Errorf("incomplete record %+v written", bad)
		}
	}
}
