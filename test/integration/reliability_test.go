package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/internal/app"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/catalog"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/gpke"
	"github.com/mako-engine/mako/pkg/malo/malonats"
	"github.com/mako-engine/mako/pkg/metrics"
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/partner"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/workers/ingest"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
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
	key, err := inbound.InboxKey(mpLF, "CRASH1")
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
	// Dated with its creation time, not the receipt time of 2026-11-20
	// (unless the clock is behind it).
	if at, ok := ix.UNB().Prepared(); !ok || at.Sub(creationTime(t, time.Now())) > time.Minute || creationTime(t, time.Now()).Sub(at) > 10*time.Minute {
		t.Fatalf("CONTRL prepared at %s, want now", at)
	}
	if !strings.Contains(string(m.Data()), foreign) {
		t.Fatalf("CONTRL does not quote the misaddressed recipient in UCI: %s", m.Data())
	}
}

// TestMalformedValueIsAnsweredAndAlerted: a 55001 whose DTM+137 value is
// malformed passes the syntax check, and the workflow fails building its
// APERAK. The sender still gets an APERAK 313 (Z35, naming the segment),
// the dead letter carries the full audit context, and the operator alert
// counts it.
func TestMalformedValueIsAnsweredAndAlerted(t *testing.T) {
	_, js := startServer(t)
	cfg := defaultConfig()
	m := metrics.New()
	cfg.Metrics = m
	// Ingest's AHB validation would answer this value itself (Z35,
	// TestInboundAHBViolations); off, the processor's fallback is tested.
	cfg.IngestOptions = append(cfg.IngestOptions, ingest.WithAHBValidation(false))
	sys := newSystem(t, js, cfg)
	startWorkers(t, sys, allWorkers...)
	data := strings.Replace(string(utilmd55001("BADDTM1", "VGBADDTM1")), "DTM+137:202611200915?+00:303", "DTM+137:20261120X915?+00:303", 1)
	publishIngest(t, js, "nb", []byte(data))
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 15*time.Second)
	if len(out) != 1 {
		t.Fatalf("%d answers, want the APERAK", len(out))
	}
	got := string(out[0].Data())
	for _, want := range []string{"BGM+313+", "ERC+Z35'", "RFF+TN:VGBADDTM1'", "RFF+ACE:BADDTM1'", "UNB+UNOC:3+" + mpNB + ":500+" + mpLF + ":500+"} {
		if !strings.Contains(got, want) {
			t.Fatalf("answer lacks %q:\n%s", want, got)
		}
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dl))
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	a := l.Audit
	if l.Reason != deadletter.ReasonProcessing || a.MessageType != "UTILMD" || a.PID != "55001" || a.Sender != mpLF || a.Receiver != mpNB ||
		a.InterchangeRef != "BADDTM1" || a.TransactionID != "VGBADDTM1" || a.Process == "" || !strings.Contains(l.Detail, "answered with APERAK 313 Z35") {
		t.Fatalf("dead letter %s %q audit %+v", l.Reason, l.Detail, a)
	}
	if v := counterValue(t, m.FailureAnswers.WithLabelValues("processor", "Z35")); v != 1 {
		t.Fatalf("mako_failure_answer_total{stage=processor,code=Z35} = %v, want 1", v)
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var d dto.Metric
	must(t, c.Write(&d))
	return d.GetCounter().GetValue()
}

// TestUnknownPIDWithMalformedValueStillGetsZ31: ingest's own APERAK 313
// Z31 (no workflow for the PID) reaches the sender although the message's
// DTM+137 cannot be read; the reference date comes from UNB S004.
func TestUnknownPIDWithMalformedValueStillGetsZ31(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)
	data := string(utilmd55001("BADPID1", "VGBADPID1"))
	data = strings.Replace(data, "DTM+137:202611200915?+00:303", "DTM+137:20261120X915?+00:303", 1)
	data = strings.Replace(data, "RFF+Z13:55001'", "RFF+Z13:55002'", 1)
	publishIngest(t, js, "nb", []byte(data))
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 15*time.Second)
	if len(out) != 1 || !strings.Contains(string(out[0].Data()), "ERC+Z31'") || !strings.Contains(string(out[0].Data()), "DTM+171:202611200915?+00:303'") {
		t.Fatalf("%d answers, want the APERAK 313 Z31 dated by UNB S004: %q", len(out), out)
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dl))
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if l.Reason != deadletter.ReasonUnknownPID || !strings.Contains(l.Detail, "answered with APERAK 313 Z31") {
		t.Fatalf("dead letter %s %q", l.Reason, l.Detail)
	}
}

// TestReusedTransactionIDStartsNewProcess: a request rejected by the NB's
// GPKE workflow (55001 for an unknown MaLo → APERAK 313 Z14) and sent again
// under a new interchange reference with the same transaction id is a new
// request: it starts a new process and is answered on its merits (313 Z14
// again) — not acknowledged with a 312 by the ended process and dropped.
func TestReusedTransactionIDStartsNewProcess(t *testing.T) {
	js, sys := gpkeNBSystem(t)
	startWorkers(t, sys, allWorkers...)
	for i, ref := range []string{"REUSE1", "REUSE2"} {
		publishIngest(t, js, "nb", utilmd55001(ref, "VGREUSE"))
		out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb."+mpLF, i+1, 15*time.Second)
		if len(out) != i+1 {
			t.Fatalf("interchange %s: %d answers in total, want %d", ref, len(out), i+1)
		}
		got := string(out[i].Data())
		if !strings.Contains(got, "BGM+313+") || !strings.Contains(got, "ERC+Z14'") || !strings.Contains(got, "RFF+ACE:"+ref+"'") {
			t.Fatalf("answer to %s, want APERAK 313 Z14:\n%s", ref, got)
		}
	}
	if n := len(subjects(t, js, "MAKO_EVENTS", "mako.evt.nb.>")); n != 2 {
		t.Fatalf("%d processes, want one per request", n)
	}
}

// subjects lists the subjects with messages on filter in stream.
func subjects(t *testing.T, js jetstream.JetStream, stream, filter string) []string {
	t.Helper()
	s, err := js.Stream(context.Background(), stream)
	must(t, err)
	info, err := s.Info(context.Background(), jetstream.WithSubjectFilter(filter))
	must(t, err)
	var out []string
	for subj := range info.State.Subjects {
		out = append(out, subj)
	}
	return out
}

// TestReadModelMarksGPKEAnswersDelivered: the APERAK a GPKE process sends
// is delivered (nats transport to the partner's gateway), the deliverer's
// report is recorded by the process, and the read model shows the message
// delivered — not queued forever. The process is found by its MaLo.
func TestReadModelMarksGPKEAnswersDelivered(t *testing.T) {
	js, sys := gpkeNBSystem(t)
	ctx := context.Background()
	_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "GW_LF", Subjects: []string{"gw.lf"}, Storage: jetstream.MemoryStorage})
	must(t, err)
	putPartner(t, partners(t, js), mpLF, partner.Channel{Transport: partner.TransportNATS, Subject: "gw.lf"})
	startWorkers(t, sys, append(slices.Clone(allWorkers), (*app.System).RunProjector, func(s *app.System, ctx context.Context) error {
		return s.RunDelivererWith()(ctx)
	})...)
	publishIngest(t, js, "nb", utilmd55001("DELIV1", "VGDELIV1"))
	rm := readmodel.NewStore(js)
	deadline := time.Now().Add(20 * time.Second)
	for {
		page, err := rm.Processes(ctx, readmodel.ProcessQuery{Tenant: "nb", MaLo: "51234567895"})
		if err == nil && len(page.Processes) == 1 && len(page.Processes[0].Outbound) == 1 && page.Processes[0].Outbound[0].Status == readmodel.DeliveryDelivered {
			if !slices.Equal(page.Processes[0].MaLo, []string{"51234567895"}) {
				t.Fatalf("process MaLo %v", page.Processes[0].MaLo)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("read model: %+v, %v; want one process for the MaLo with its APERAK delivered", page, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestAnswerDatedWithCreationTime: an answer is dated (UNB S004, DTM+137)
// with the time it was made, not with the receipt time of the message it
// answers (here a receipt time weeks in the past).
func TestAnswerDatedWithCreationTime(t *testing.T) {
	_, js := startServer(t)
	sys := newSystem(t, js, defaultConfig())
	startWorkers(t, sys, allWorkers...)
	before := creationTime(t, time.Now()).Truncate(time.Minute)
	publishIngest(t, js, "nb", utilmd55001("DATED1", "VGDATED1")) // received 2026-11-20 10:15 CET
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>", 1, 15*time.Second)
	if len(out) != 1 {
		t.Fatalf("%d answers, want 1", len(out))
	}
	after := creationTime(t, time.Now())
	ix, err := edifact.Parse(out[0].Data())
	must(t, err)
	prepared, ok := ix.UNB().Prepared()
	if !ok || prepared.Before(before) || prepared.After(after) {
		t.Fatalf("answer prepared at %s (UNB S004), want between %s and %s", prepared, before, after)
	}
	dtm := catalog.FormatDTM303(prepared)
	if !strings.Contains(string(out[0].Data()), "DTM+137:"+strings.ReplaceAll(dtm, "+", "?+")+":303'") {
		t.Fatalf("answer's DTM+137 is not its creation time %s:\n%s", dtm, out[0].Data())
	}
}

// creationTime is what an answer made at now is dated with: now, never
// before the receipt time of the test interchanges (receivedAt).
func creationTime(t *testing.T, now time.Time) time.Time {
	t.Helper()
	rec, err := time.Parse(time.RFC3339, receivedAt)
	must(t, err)
	if now.After(rec) {
		return now.UTC()
	}
	return rec.UTC()
}

// TestGPKEMalformedValueIsAnswered is issue 12's case on the NB's GPKE
// workflow: `DTM+137:20261120X915?+00:303` in a 55001 passes the syntax
// check, the workflow cannot build its APERAK, and the sender still gets an
// APERAK 313 (Z35 naming the segment), with a dead letter carrying the
// audit context.
func TestGPKEMalformedValueIsAnswered(t *testing.T) {
	js, sys := gpkeNBSystem(t)
	startWorkers(t, sys, allWorkers...)
	data := strings.Replace(string(utilmd55001("GPBAD1", "VGGPBAD1")), "DTM+137:202611200915?+00:303", "DTM+137:20261120X915?+00:303", 1)
	publishIngest(t, js, "nb", []byte(data))
	out := collect(t, js, "MAKO_OUTBOX", "mako.outbox.nb."+mpLF, 1, 15*time.Second)
	if len(out) != 1 || !strings.Contains(string(out[0].Data()), "BGM+313+") || !strings.Contains(string(out[0].Data()), "RFF+TN:VGGPBAD1'") {
		t.Fatalf("%d answers, want an APERAK 313 for VGGPBAD1: %q", len(out), out)
	}
	dl := collect(t, js, "MAKO_DLQ", "mako.dlq.nb", 1, 15*time.Second)
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1", len(dl))
	}
	l, err := deadletter.Decode(dl[0].Data())
	must(t, err)
	if a := l.Audit; a.MessageType != "UTILMD" || a.PID != "55001" || a.Sender != mpLF || a.InterchangeRef != "GPBAD1" || !strings.Contains(l.Detail, "answered with APERAK 313") {
		t.Fatalf("dead letter %s %q audit %+v", l.Reason, l.Detail, l.Audit)
	}
	time.Sleep(300 * time.Millisecond)
	if n := count(t, js, "MAKO_OUTBOX", "mako.outbox.nb.>"); n != 1 {
		t.Fatalf("%d answers, want exactly 1", n)
	}
}

// gpkeNBSystem is a system on a fresh server acting for the NB with the
// GPKE module on its master data in the server's KV.
func gpkeNBSystem(t *testing.T) (jetstream.JetStream, *app.System) {
	t.Helper()
	_, js := startServer(t)
	st, err := malonats.OpenNATS(context.Background(), js, 0)
	must(t, err)
	return js, newSystem(t, js, app.SystemConfig{
		Tenants:     []ingest.Tenant{nbTenant},
		Modules:     []module.Module{gpke.Module(gpkeOptions(st, nil)...)},
		Concurrency: 4,
	})
}
