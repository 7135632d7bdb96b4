package integration

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/internal/testflow"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/routing"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/outbox"
)

// A 55001 flows ingest → processor → relay → outbox; the answer parses, is
// addressed back to the sender, and the exact bytes are recorded in the
// process's events.
func TestEndToEndAnswer(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)

	publishIngest(t, js, "nb", utilmd55001("MK26112000017", "VG26112000001"))
	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d outbox messages, want 1", len(msgs))
	}
	m, err := outbox.FromNats(msgs[0].Subject(), msgs[0].Headers(), msgs[0].Data())
	must(t, err)
	if m.Recipient != mpLF || m.Sender != mpNB || m.MessageType != "APERAK" || m.Process == "" {
		t.Fatalf("outbox message %+v", m)
	}
	ix, rep, err := edifact.Analyze(m.Payload)
	must(t, err)
	if !rep.Clean() {
		t.Fatalf("answer has syntax findings: %v", rep.Findings)
	}
	if got := ix.UNB(); got.Sender.ID != mpNB || got.Recipient.ID != mpLF || got.ControlRef != m.InterchangeRef {
		t.Fatalf("answer UNB %+v", got)
	}
	if tn, _ := ix.Messages[0].Find(0, "RFF", "TN"); tn == nil || tn.Value(0, 1) != "VG26112000001" {
		t.Fatal("answer does not reference the transaction")
	}

	// The process's events hold the outbound message with exactly these bytes.
	envs, err := sys.Engine().EventStore().Load(context.Background(), engine.StreamOf("nb", engine.ProcessID(m.Process)))
	must(t, err)
	var recorded, received bool
	for _, env := range envs {
		switch env.Type {
		case engine.EventOutbound:
			v, err := engine.DecodeEngineEvent(env)
			must(t, err)
			if bytes.Equal(v.(*engine.OutboundMessage).Payload, m.Payload) {
				recorded = true
			}
		case testflow.Received{}.EventType():
			received = true
		}
	}
	if !recorded || !received {
		t.Fatalf("events %d: outbound bytes recorded %v, workflow event %v", len(envs), recorded, received)
	}
}

// A syntactically broken UTILMD gets a CONTRL with the right code, addressed
// to the sender, a dead letter, and no command.
func TestSyntaxErrorGetsContrlAndNoCommand(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)

	bad := bytes.Replace(utilmd55001("MK26112000018", "VG1"), []byte("UNT+23+1'"), []byte("UNT+24+1'"), 1)
	publishIngest(t, js, "nb", bad)
	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d outbox messages, want 1 CONTRL", len(msgs))
	}
	m, err := outbox.FromNats(msgs[0].Subject(), msgs[0].Headers(), msgs[0].Data())
	must(t, err)
	if m.MessageType != "CONTRL" || m.Recipient != mpLF {
		t.Fatalf("outbox %+v", m)
	}
	ix, err := edifact.Parse(m.Payload)
	must(t, err)
	uci, _ := ix.Messages[0].Find(0, "UCI", "")
	ucm, _ := ix.Messages[0].Find(0, "UCM", "")
	if uci == nil || uci.Value(0, 0) != "MK26112000018" || uci.Value(3, 0) != "4" {
		t.Fatalf("UCI %v", uci.Canonical())
	}
	// Wrong UNT segment count: UCM ... +4+29+UNT (edifact.md §13).
	if ucm == nil || ucm.Value(2, 0) != "4" || ucm.Value(3, 0) != "29" || ucm.Value(4, 0) != "UNT" {
		t.Fatalf("UCM %v", ucm.Canonical())
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 5*time.Second)
	if len(dl) != 1 {
		t.Fatal("no dead letter for the rejected interchange")
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if l.Reason != deadletter.ReasonSyntax || l.Audit.InterchangeRef != "MK26112000018" || l.Audit.Sender != mpLF {
		t.Fatalf("dead letter %+v", l)
	}
	time.Sleep(300 * time.Millisecond)
	if n := count(t, js, "MAKO_EVENTS", "mako.evt.>"); n != 0 {
		t.Fatalf("%d events written for a rejected interchange", n)
	}
}

// A Gas interchange gets a positive CONTRL (0083 = 7).
func TestGasGetsPositiveContrl(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, (*app.System).RunIngest)

	gas := bytes.Replace(utilmd55001("GS1", "VG1"), []byte("S2.2"), []byte("G1.2"), 1)
	gas = bytes.Replace(gas, []byte("RFF+Z13:55001"), []byte("RFF+Z13:44001"), 1)
	publishIngest(t, js, "gasnb", gas)
	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.gasnb.>", 1, 10*time.Second)
	if len(msgs) != 1 {
		t.Fatalf("%d outbox messages, want 1 CONTRL", len(msgs))
	}
	ix, err := edifact.Parse(msgs[0].Data())
	must(t, err)
	uci, _ := ix.Messages[0].Find(0, "UCI", "")
	if uci == nil || uci.Value(3, 0) != "7" {
		t.Fatalf("want positive CONTRL, UCI %v", uci.Canonical())
	}
}

// The same interchange published twice is processed once.
func TestDuplicateInterchangeProcessedOnce(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)

	data := utilmd55001("MK1", "VG1")
	publishIngest(t, js, "nb", data)
	publishIngest(t, js, "nb", data)
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 10*time.Second)
	if len(dl) != 1 {
		t.Fatal("duplicate not reported")
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if l.Reason != deadletter.ReasonDuplicate {
		t.Fatalf("dead letter %+v", l)
	}
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 2, 2*time.Second)
	if len(out) != 1 {
		t.Fatalf("%d answers, want 1", len(out))
	}
	if n := count(t, js, "MAKO_EVENTS", "mako.evt.>"); n != 1 {
		t.Fatalf("%d commits, want 1", n)
	}
}

// A PID that no workflow handles gets an APERAK 313 Z31 and a dead letter;
// a follow-up whose referenced transaction is unknown gets Z33.
func TestUnroutableAndOrphanGetAPERAK(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	cfg.Modules[0].Routes = append(cfg.Modules[0].Routes, routing.Route{PID: "55002", Workflow: testflow.Name})
	sys := newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)

	abmeldung := bytes.Replace(utilmd55001("MK31", "VG31"), []byte("RFF+Z13:55001"), []byte("RFF+Z13:55004"), 1)
	publishIngest(t, js, "nb", abmeldung)
	orphan := utilmd55002(t, "MK33", "VG33", "VGNOSUCH") // conforms to its AHB: refused for the reference alone
	publishIngest(t, js, "nb", orphan)

	msgs := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 2, 10*time.Second)
	if len(msgs) != 2 {
		t.Fatalf("%d outbox messages, want 2 APERAKs", len(msgs))
	}
	codes := map[string]string{} // interchange answered -> ERC
	for _, msg := range msgs {
		ix, rep, err := edifact.Analyze(msg.Data())
		must(t, err)
		if !rep.Clean() || ix.Messages[0].Type() != "APERAK" {
			t.Fatalf("answer %s: %v", ix.Messages[0].Type(), rep.Findings)
		}
		bgm, _ := ix.Messages[0].Find(0, "BGM", "")
		ace, _ := ix.Messages[0].Find(0, "RFF", "ACE")
		erc, _ := ix.Messages[0].Find(0, "ERC", "")
		if bgm.Value(0, 0) != "313" || ace == nil || erc == nil {
			t.Fatalf("not a 313 with reference: %s", msg.Data())
		}
		codes[ace.Value(0, 1)] = erc.Value(0, 0)
	}
	if codes["MK31"] != "Z31" || codes["MK33"] != "Z33" {
		t.Fatalf("ERC codes %v", codes)
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 2, 5*time.Second)
	reasons := map[deadletter.Reason]bool{}
	for _, m := range dl {
		l, err := deadletter.Decode(m.Data())
		must(t, err)
		reasons[l.Reason] = true
	}
	if !reasons[deadletter.ReasonUnknownPID] || !reasons[deadletter.ReasonUnknownConversation] {
		t.Fatalf("dead letters %v", reasons)
	}
	if n := count(t, js, "MAKO_EVENTS", "mako.evt.>"); n != 0 {
		t.Fatalf("%d commits for rejected transactions", n)
	}
}

// A CONTRL answering the process's own APERAK is routed to that process by
// its UCI reference (and never answered).
func TestContrlRoutedToSendingProcess(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)

	publishIngest(t, js, "nb", utilmd55001("MK40", "VG40"))
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 10*time.Second)
	if len(out) != 1 {
		t.Fatal("no APERAK")
	}
	ap, err := outbox.FromNats(out[0].Subject(), out[0].Headers(), out[0].Data())
	must(t, err)
	// The LF finds a syntax error in the APERAK and rejects it with a CONTRL.
	broken := bytes.Replace(ap.Payload, []byte("UNZ+1+"), []byte("UNZ+2+"), 1)
	ix, err := edifact.Parse(broken)
	must(t, err)
	contrl, due, reason, err := edifact.BuildCONTRL(ix, edifact.Check(ix), edifact.ContrlParams{Ref: "CT40", Time: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)})
	must(t, err)
	if !due {
		t.Fatalf("no CONTRL due: %s", reason)
	}
	publishIngest(t, js, "nb", contrl)

	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		envs, err := sys.Engine().EventStore().Load(context.Background(), engine.StreamOf("nb", engine.ProcessID(ap.Process)))
		must(t, err)
		for _, env := range envs {
			if env.Type == (testflow.AnswerReceived{}).EventType() {
				if n := count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>"); n != 1 {
					t.Fatalf("%d outbox messages: the CONTRL was answered", n)
				}
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the CONTRL did not reach the process that sent the APERAK")
}

// An interchange whose first handling failed for good (here: the command
// stream was gone for longer than the transient window) is dead-lettered
// with its audit context — and processed normally when the partner sends it
// again, not refused as a duplicate.
func TestResendAfterFailedFirstHandlingIsProcessed(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	cfg.TransientWindow = 500 * time.Millisecond
	sys := newSystem(t, js, cfg)
	ctx := context.Background()
	must(t, js.DeleteStream(ctx, "MAKO_COMMANDS"))
	w := startWorkers(t, sys, (*app.System).RunIngest)

	data := utilmd55001("MK77", "VG77")
	publishIngest(t, js, "nb", data)
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatal("the failed interchange was not dead-lettered")
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if l.Reason != deadletter.ReasonProcessing || l.Audit.InterchangeRef != "MK77" || l.Audit.Sender != mpLF || !bytes.Equal(l.Payload, data) {
		t.Fatalf("dead letter %+v", l)
	}
	w.stop()

	// The stream is back; the partner sends the interchange again.
	sys = newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)
	publishIngest(t, js, "nb", data)
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 10*time.Second)
	if len(out) != 1 || out[0].Headers().Get("Mako-Message-Type") != "APERAK" {
		t.Fatalf("the re-sent interchange was not processed (%d outbox messages)", len(out))
	}
	if n := count(t, js, "MAKO_DLQ", "mako.dlq.nb"); n != 1 {
		t.Fatalf("%d dead letters: the re-sent interchange was refused as a duplicate", n)
	}
}
