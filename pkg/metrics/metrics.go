// Package metrics defines the Prometheus metrics of the mako workers and the
// HTTP endpoints every worker serves: /metrics, /healthz (alive) and
// /readyz (connected, streams present, consumers running).
//
// Metrics live in a Registry owned by the caller (no global state). Every
// worker process has one; the workers of cmd/makod share it. Counters are
// process-local and reset on restart, as Prometheus expects; business
// figures that must survive restarts come from the event log (projections).
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the collectors the workers update. The zero value is not
// usable; build it with New. All methods are safe for concurrent use.
type Metrics struct {
	Registry *prometheus.Registry

	// InboundMessages counts received transactions by tenant, PID and result
	// (accepted, syntax_error, duplicate, unknown_pid, orphan, version_mismatch, malformed, ahb_rejected).
	InboundMessages *prometheus.CounterVec
	// ProcessesInitiated counts first commits of processes by workflow family.
	ProcessesInitiated *prometheus.CounterVec
	// ProcessesCompleted counts processes that reached an outcome, by family and result.
	ProcessesCompleted *prometheus.CounterVec
	// CommandsExecuted counts executed commands by workflow and result (committed, duplicate, failed).
	CommandsExecuted *prometheus.CounterVec
	// OutboxDeliveryAttempts counts delivery attempts by transport and result (delivered, retry, exhausted).
	OutboxDeliveryAttempts *prometheus.CounterVec
	// OutboxPublished counts outbound messages published by message type.
	OutboxPublished *prometheus.CounterVec
	// DeadlinesFired counts fired deadlines by label.
	DeadlinesFired *prometheus.CounterVec
	// DeadLetters counts dead letters by reason.
	DeadLetters *prometheus.CounterVec
	// AperakMissed counts partner APERAKs that did not arrive in time, by label.
	AperakMissed *prometheus.CounterVec
	// AHBRefused counts messages refused for their AHB (pkg/ahb), by
	// direction (DirectionInbound: a received transaction answered with
	// APERAK 313 or CONTRL; DirectionOutbound: a decision whose message
	// would have violated the AHB, refused before it was committed) and
	// PID. Any outbound count is a defect of ours: alert on it.
	AHBRefused *prometheus.CounterVec
	// FailureAnswers counts received transactions whose regular handling or
	// answer failed and that were answered with a fallback APERAK instead,
	// by stage (ingest, processor) and ERC code ("none" when not even the
	// fallback could be built). Every increase needs an operator's look.
	FailureAnswers *prometheus.CounterVec
	// IngestToCommit is the latency from an interchange's arrival on
	// MAKO_INGEST to the commit of its transaction.
	IngestToCommit prometheus.Histogram
	// CommitToDelivered is the latency from a commit to the delivery of its
	// outbound message.
	CommitToDelivered prometheus.Histogram
}

// The directions of AHBRefused.
const (
	// DirectionInbound labels a received transaction refused for its AHB.
	DirectionInbound = "inbound"
	// DirectionOutbound labels an outbound message refused for its AHB.
	DirectionOutbound = "outbound"
)

// latencyBuckets cover 1 ms … ~65 s.
var latencyBuckets = prometheus.ExponentialBuckets(0.001, 2, 17)

// New returns metrics registered in a fresh registry, together with the Go
// runtime and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mako", Name: name, Help: help}, labels)
		r.MustRegister(c)
		return c
	}
	h := func(name, help string) prometheus.Histogram {
		x := prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "mako", Name: name, Help: help, Buckets: latencyBuckets})
		r.MustRegister(x)
		return x
	}
	return &Metrics{
		Registry:               r,
		InboundMessages:        f("inbound_messages_total", "Received transactions by tenant, PID and result.", "tenant", "pid", "result"),
		ProcessesInitiated:     f("process_initiated_total", "Processes started, by workflow family.", "family"),
		ProcessesCompleted:     f("process_completed_total", "Processes that reached an outcome, by family and result.", "family", "result"),
		CommandsExecuted:       f("commands_executed_total", "Commands executed, by workflow and result.", "workflow", "result"),
		OutboxDeliveryAttempts: f("outbox_delivery_attempts_total", "Outbound delivery attempts, by transport and result.", "transport", "result"),
		OutboxPublished:        f("outbox_published_total", "Outbound messages put on the outbox, by message type.", "message_type"),
		DeadlinesFired:         f("deadline_fired_total", "Deadlines fired, by label.", "label"),
		DeadLetters:            f("dead_letter_recorded_total", "Dead letters written, by reason.", "reason"),
		AperakMissed:           f("aperak_missed_total", "Partner APERAKs missing at their deadline, by label.", "label"),
		AHBRefused:             f("ahb_refused_total", "Messages refused for violating their AHB, by direction (inbound, outbound) and PID.", "direction", "pid"),
		FailureAnswers:         f("failure_answer_total", "Received transactions answered with a fallback APERAK because their handling or regular answer failed (alert on any increase), by stage and ERC code.", "stage", "code"),
		IngestToCommit:         h("ingest_to_commit_seconds", "Latency from arrival on MAKO_INGEST to the commit of the transaction."),
		CommitToDelivered:      h("commit_to_delivered_seconds", "Latency from commit to delivery of the outbound message."),
	}
}

// Family returns the workflow family of a workflow name: the part before
// the first dot ("gpke.lfw" → "gpke").
func Family(workflow string) string {
	for i := 0; i < len(workflow); i++ {
		if workflow[i] == '.' {
			return workflow[:i]
		}
	}
	return workflow
}
