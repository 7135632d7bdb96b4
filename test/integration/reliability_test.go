package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/deadletter"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
)

// TestInboxTellsRedeliveryFromResendAfterCrash: after a crash the inbox may
// hold an interchange's key while its ingest message comes back with a
// delivery count of 1 (counts not yet flushed are lost). The inbox entry
// records the MAKO_INGEST sequence, so that message is handled as the
// redelivery it is — answered, not dead-lettered as "already accepted" —
// while the partner's resend (another sequence, same key) is a duplicate.
func TestInboxTellsRedeliveryFromResendAfterCrash(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	data := utilmd55001("CRASH1", "VGCRASH1")
	publishIngest(t, js, "nb", data) // stream sequence 1
	// The state a crash leaves: accepted by the handling of sequence 1,
	// its ack and delivery count lost.
	oi, ok := sys.Engine().Inbox().(engine.OriginInbox)
	if !ok {
		t.Fatal("the pipeline's inbox records no origins")
	}
	key, err := engine.InboxKey(mpLF, "CRASH1")
	must(t, err)
	if fresh, _, err := oi.AcceptOrigin(context.Background(), "nb", key, "ingest:1"); !fresh || err != nil {
		t.Fatalf("accept: %v, %v", fresh, err)
	}
	startWorkers(t, sys, allWorkers...)
	if out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 15*time.Second); len(out) != 1 {
		t.Fatalf("%d answers to the redelivered interchange, want 1", len(out))
	}
	if n := count(t, js, "MAKO_DLQ", "mako.dlq.nb"); n != 0 {
		t.Fatalf("%d dead letters for a redelivery, want 0", n)
	}
	publishIngest(t, js, "nb", data) // the partner's resend: sequence 2
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatal("resend not reported as a duplicate")
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if l.Reason != deadletter.ReasonDuplicate || l.Source.Sequence != 2 {
		t.Fatalf("dead letter %s for sequence %d, want duplicate for 2", l.Reason, l.Source.Sequence)
	}
	time.Sleep(500 * time.Millisecond)
	if n := count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>"); n != 1 {
		t.Fatalf("%d answers, want 1", n)
	}
}

// TestMisaddressedInterchangeCONTRLInTenantsName: an interchange addressed
// to an MP-ID that is not the tenant's is rejected with a CONTRL sent in
// the tenant's own name (UNB sender and Mako-Sender), not in the name of
// the foreign recipient it was addressed to.
func TestMisaddressedInterchangeCONTRLInTenantsName(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)
	const foreign = "9900000000028" // valid check digit, not nb's
	data := []byte(strings.ReplaceAll(string(utilmd55001("MISADDR1", "VGMIS1")), "+"+mpNB+":500+", "+"+foreign+":500+"))
	publishIngest(t, js, "nb", data)
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 15*time.Second)
	if len(out) != 1 {
		t.Fatalf("%d answers, want the CONTRL", len(out))
	}
	m := out[0]
	if m.Headers().Get("Mako-Message-Type") != "CONTRL" || m.Headers().Get("Mako-Sender") != mpNB || m.Headers().Get("Mako-Recipient") != mpLF {
		t.Fatalf("answer headers %v", m.Headers())
	}
	ix, err := edifact.Parse(m.Data())
	must(t, err)
	if unb := ix.UNB(); unb.Sender.ID != mpNB || unb.Sender.Qualifier != "500" || unb.Recipient.ID != mpLF {
		t.Fatalf("CONTRL UNB from %v to %v, want from %s to %s", unb.Sender, unb.Recipient, mpNB, mpLF)
	}
	if !strings.Contains(string(m.Data()), foreign) {
		t.Fatalf("CONTRL does not quote the misaddressed recipient in UCI: %s", m.Data())
	}
}
