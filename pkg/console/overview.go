package console

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// countRow is a label with a count.
type countRow struct {
	Label string
	Link  string
	Count int
}

// hourRow is one hour of the message chart.
type hourRow struct {
	Label   string
	In, Out int
}

// deadlineRow is an open deadline with its process.
type deadlineRow struct {
	readmodel.DueDeadline
	Werktage string
	MaLo     string
}

// partnerRow is the delivery situation towards one partner.
type partnerRow struct {
	Tenant, MPID string
	// Sent counts outbound messages of the last 24 h.
	Sent int
	// Failed counts open Klärfälle "Zustellung gescheitert".
	Failed int
	// Backlog counts the messages to the partner the deliverer has not
	// finished (above its ack floor); Oldest is the oldest one's time.
	Backlog int
	Oldest  time.Time
	// Disturbed: a delivery Klärfall is open, or a message has waited
	// longer than disturbedAfter (the deliverer is retrying it).
	Disturbed bool
}

// disturbedAfter is how long a message may wait for delivery before the
// partner is shown as disturbed (the deliverer's circuit breaker state is
// in its process; this is what the stream shows of it).
const disturbedAfter = time.Minute

// lagRow is a durable consumer's backlog.
type lagRow struct {
	Stream, Consumer    string
	Pending, AckPending uint64
	Error               string
}

type overviewData struct {
	Processes                           int
	ByState, ByFamily, ByPID            []countRow
	Hours                               []hourRow
	MaxHour                             int
	InError                             string
	DueToday, Overdue                   []deadlineRow
	OpenLetters                         int
	ByReason                            []countRow
	Partners                            []partnerRow
	Lag                                 []lagRow
	Fragment                            bool
	GeneratedIn                         time.Duration
	ProcessesTruncated, DeadlinesCapped bool
}

// maxDeadlineRows bounds the deadline lists of the overview.
const maxDeadlineRows = 50

func (s *Server) overview(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	d, err := s.buildOverview(ctx, r)
	if err != nil {
		return err
	}
	d.GeneratedIn = time.Since(start).Round(time.Millisecond)
	if r.URL.Query().Get("teil") == "1" {
		d.Fragment = true
	}
	s.render(w, r, http.StatusOK, "overview", "Überblick", "overview", d)
	return nil
}

// eachVisible runs fn for the visible tenants' part of a listing: one pass
// over everything for a user with every tenant, one pass per tenant
// otherwise.
func (s *Server) eachVisible(r *http.Request, fn func(tenant string) error) error {
	if allTenantsVisible(r) {
		return fn("")
	}
	for _, t := range s.visible(r) {
		if err := fn(t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) buildOverview(ctx context.Context, r *http.Request) (*overviewData, error) {
	now := s.now()
	nowB := now.In(s.loc)
	endOfDay := time.Date(nowB.Year(), nowB.Month(), nowB.Day()+1, 0, 0, 0, 0, s.loc)
	since := now.Add(-24 * time.Hour).Truncate(time.Hour)
	d := &overviewData{}
	states, families, pids := map[string]int{}, map[string]int{}, map[string]int{}
	hours := make([]hourRow, 25)
	for i := range hours {
		hours[i].Label = since.Add(time.Duration(i) * time.Hour).In(s.loc).Format("15")
	}
	sent := map[[2]string]int{}
	err := s.eachVisible(r, func(tenant string) error {
		return s.store.EachProcess(ctx, tenant, func(p readmodel.Process) error {
			d.Processes++
			states[p.State]++
			families[p.Workflow]++
			for _, pid := range p.PIDs {
				pids[pid]++
			}
			for _, o := range p.Outbound {
				if o.QueuedAt.Before(since) {
					continue
				}
				if h := int(o.QueuedAt.Sub(since) / time.Hour); h >= 0 && h < len(hours) {
					hours[h].Out++
				}
				sent[[2]string{p.Tenant, o.Recipient}]++
			}
			for _, dl := range p.OpenDeadlines {
				if !dl.Due.Before(endOfDay) {
					continue
				}
				row := deadlineRow{DueDeadline: readmodel.DueDeadline{Tenant: p.Tenant, ProcessID: p.ProcessID, Workflow: p.WorkflowID(), Deadline: dl},
					Werktage: werktageText(s.cal.WerktageBetween(now, dl.Due), dl.Due, now)}
				if len(p.MaLo) > 0 {
					row.MaLo = p.MaLo[0]
				}
				if dl.Due.Before(now) {
					d.Overdue = append(d.Overdue, row)
				} else {
					d.DueToday = append(d.DueToday, row)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	byDue := func(a, b deadlineRow) int { return a.Due.Compare(b.Due) }
	slices.SortFunc(d.Overdue, byDue)
	slices.SortFunc(d.DueToday, byDue)
	if len(d.Overdue) > maxDeadlineRows {
		d.Overdue, d.DeadlinesCapped = d.Overdue[:maxDeadlineRows], true
	}
	if len(d.DueToday) > maxDeadlineRows {
		d.DueToday, d.DeadlinesCapped = d.DueToday[:maxDeadlineRows], true
	}
	d.ByState = rows(states, func(k string) string { return "/vorgaenge?status=" + urlQueryEscape(k) })
	d.ByFamily = rows(families, func(k string) string { return "/vorgaenge?familie=" + urlQueryEscape(k) })
	d.ByPID = rows(pids, func(k string) string { return "/vorgaenge?q=" + urlQueryEscape(k) })
	for i := range d.ByPID {
		d.ByPID[i].Label = pidName(d.ByPID[i].Label)
	}
	if err := s.countInbound(ctx, r, since, hours); err != nil {
		d.InError = err.Error()
	}
	d.Hours = hours
	for _, h := range hours {
		d.MaxHour = max(d.MaxHour, h.In, h.Out)
	}
	reasons := map[string]int{}
	failed := map[[2]string]int{}
	err = s.eachVisible(r, func(tenant string) error {
		return s.store.EachDeadLetter(ctx, tenant, func(l readmodel.DeadLetter) error {
			if l.State() != readmodel.LetterOpen {
				return nil
			}
			d.OpenLetters++
			reasons[l.Reason]++
			if l.Reason == string(deadletter.ReasonOutboxExhausted) {
				failed[[2]string{l.Tenant, l.Receiver}]++
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	d.ByReason = rows(reasons, func(k string) string { return "/klaerfaelle?grund=" + urlQueryEscape(k) })
	for i := range d.ByReason {
		d.ByReason[i].Label = reasonName(d.ByReason[i].Label)
	}
	backlog, oldest := s.outboxBacklog(ctx, r)
	keys := map[[2]string]bool{}
	for _, m := range []map[[2]string]int{sent, failed, backlog} {
		for k := range m {
			keys[k] = true
		}
	}
	for k := range keys {
		row := partnerRow{Tenant: k[0], MPID: k[1], Sent: sent[k], Failed: failed[k], Backlog: backlog[k], Oldest: oldest[k]}
		row.Disturbed = row.Failed > 0 || (row.Backlog > 0 && now.Sub(row.Oldest) > disturbedAfter)
		d.Partners = append(d.Partners, row)
	}
	slices.SortFunc(d.Partners, func(a, b partnerRow) int {
		return cmp.Or(cmp.Compare(b.Failed+b.Backlog, a.Failed+a.Backlog), cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.MPID, b.MPID))
	})
	d.Lag = s.consumerLag(ctx)
	return d, nil
}

// rows sorts a count map by count (descending) and label.
func rows(m map[string]int, link func(string) string) []countRow {
	out := make([]countRow, 0, len(m))
	for k, v := range m {
		out = append(out, countRow{Label: k, Count: v, Link: link(k)})
	}
	slices.SortFunc(out, func(a, b countRow) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Label, b.Label))
	})
	return out
}

// countInbound counts the interchanges received per hour since since, from
// the headers of MAKO_INGEST.
func (s *Server) countInbound(ctx context.Context, r *http.Request, since time.Time, hours []hourRow) error {
	var filters []string
	if allTenantsVisible(r) {
		filters = []string{streams.SubjectIngestAll}
	} else {
		for _, t := range s.visible(r) {
			filters = append(filters, streams.SubjectIngest+"."+t)
		}
	}
	if len(filters) == 0 {
		return nil
	}
	return eachStreamMsg(ctx, s.js, streams.Ingest, filters, from{time: since}, true, func(m jetstream.Msg, md *jetstream.MsgMetadata) bool {
		if h := int(md.Timestamp.Sub(since) / time.Hour); h >= 0 && h < len(hours) {
			hours[h].In++
		}
		return true
	})
}

// from is where eachStreamMsg starts: a time or a stream sequence.
type from struct {
	time time.Time
	seq  uint64
}

// eachStreamMsg reads the messages of stream matching filters from start
// (an ordered consumer; headersOnly skips the payloads) until the stream's
// end or fn returns false.
func eachStreamMsg(ctx context.Context, js jetstream.JetStream, stream string, filters []string, start from, headersOnly bool,
	fn func(jetstream.Msg, *jetstream.MsgMetadata) bool) error {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: filters, HeadersOnly: headersOnly}
	switch {
	case start.seq > 0:
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = start.seq
	case !start.time.IsZero():
		cfg.DeliverPolicy = jetstream.DeliverByStartTimePolicy
		cfg.OptStartTime = &start.time
	}
	cons, err := js.OrderedConsumer(ctx, stream, cfg)
	if err != nil {
		return err
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return err
	}
	left := info.NumPending
	for left > 0 {
		batch, err := cons.Fetch(int(min(left, 1000)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return err
		}
		got := 0
		for m := range batch.Messages() {
			got++
			md, err := m.Metadata()
			if err != nil {
				continue
			}
			if !fn(m, md) {
				return nil
			}
			left = md.NumPending
		}
		if err := batch.Error(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		if got == 0 {
			break
		}
	}
	return nil
}

// outboxBacklog counts, per tenant and recipient, the MAKO_OUTBOX messages
// above the deliverer's ack floor (headers only) and the time of the
// oldest.
func (s *Server) outboxBacklog(ctx context.Context, r *http.Request) (map[[2]string]int, map[[2]string]time.Time) {
	count, oldest := map[[2]string]int{}, map[[2]string]time.Time{}
	c, err := s.js.Consumer(ctx, streams.Outbox, consumerOf(streams.Outbox))
	if err != nil {
		return count, oldest
	}
	info, err := c.Info(ctx)
	if err != nil || info.NumPending+uint64(info.NumAckPending) == 0 {
		return count, oldest
	}
	var filters []string
	if allTenantsVisible(r) {
		filters = []string{streams.SubjectOutboxAll}
	} else {
		for _, t := range s.visible(r) {
			filters = append(filters, streams.SubjectOutbox+"."+t+".>")
		}
	}
	if len(filters) == 0 {
		return count, oldest
	}
	_ = eachStreamMsg(ctx, s.js, streams.Outbox, filters, from{seq: info.AckFloor.Stream + 1}, true, func(m jetstream.Msg, md *jetstream.MsgMetadata) bool {
		parts := strings.Split(m.Subject(), ".") // mako.outbox.<tenant>.<recipient>
		if len(parts) == 4 {
			k := [2]string{parts[2], parts[3]}
			count[k]++
			if oldest[k].IsZero() {
				oldest[k] = md.Timestamp
			}
		}
		return true
	})
	return count, oldest
}

// consumerLag reads the backlog of every durable consumer of the
// pipeline (streams/consumers).
func (s *Server) consumerLag(ctx context.Context) []lagRow {
	var out []lagRow
	for _, st := range streams.Names() {
		for _, cn := range streams.Consumers(st) {
			row := lagRow{Stream: st, Consumer: cn}
			c, err := s.js.Consumer(ctx, st, cn)
			if err == nil {
				var info *jetstream.ConsumerInfo
				if info, err = c.Info(ctx); err == nil {
					row.Pending, row.AckPending = info.NumPending, uint64(info.NumAckPending)
				}
			}
			if err != nil {
				row.Error = "nicht verfügbar"
			}
			out = append(out, row)
		}
	}
	return out
}
