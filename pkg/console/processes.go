package console

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mako-engine/mako/pkg/api"
	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/deadletter"
	"github.com/mako-engine/mako/pkg/wire/inbound"
	"github.com/mako-engine/mako/pkg/workers/readmodel"
	"github.com/mako-engine/mako/streams"
	"github.com/nats-io/nats.go/jetstream"
)

// pageSize is the number of rows per page of the listings.
const pageSize = 50

// searchQuery is the search form of /vorgaenge.
type searchQuery struct {
	Q, Tenant, State, Family, From, To string
	Page                               int
	// Kind says how Q was understood ("MaLo", "MP-ID", "PID", "Vorgangs-ID", "Text").
	Kind string
}

func (q searchQuery) link(page int) string {
	return pageLink("/vorgaenge", page, "q", q.Q, "mandant", q.Tenant, "status", q.State, "familie", q.Family, "von", q.From, "bis", q.To)
}

// pageLink returns path with the non-empty parameters of pairs (name,
// value, …) and the page number.
func pageLink(path string, page int, pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if page > 1 {
		v.Set("seite", strconv.Itoa(page))
	}
	return path + "?" + v.Encode()
}

type processRow struct {
	readmodel.Process
	Deadline string
}

type processListData struct {
	Query          searchQuery
	Rows           []processRow
	Total          int
	States         []string
	Families       []string
	SearchDuration time.Duration
	pager
}

// pager places one page in a listing: rows First..Last (1-based) of the
// total, and the links to the neighbouring pages.
type pager struct {
	First, Last int
	Prev, Next  string
}

// paginate returns the slice bounds [lo, hi) of page (1-based) in total
// rows and its pager; link builds a page's URL.
func paginate(total, page int, link func(int) string) (lo, hi int, pg pager) {
	lo = min((page-1)*pageSize, total)
	hi = min(lo+pageSize, total)
	if lo < hi {
		pg.First, pg.Last = lo+1, hi
	}
	if page > 1 {
		pg.Prev = link(page - 1)
	}
	if hi < total {
		pg.Next = link(page + 1)
	}
	return lo, hi, pg
}

// sortedKeys returns the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var (
	reMaLo = regexp.MustCompile(`^[0-9]{11}$`)
	reMPID = regexp.MustCompile(`^[0-9]{13}$`)
	rePID  = regexp.MustCompile(`^[0-9]{5}$`)
	reUUID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

func (s *Server) processList(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	start := time.Now()
	v := r.URL.Query()
	q := searchQuery{Q: strings.TrimSpace(v.Get("q")), Tenant: v.Get("mandant"), State: v.Get("status"), Family: v.Get("familie"),
		From: v.Get("von"), To: v.Get("bis")}
	q.Page, _ = strconv.Atoi(v.Get("seite"))
	q.Page = max(q.Page, 1)
	if q.Tenant != "" && !allowed(r, q.Tenant) {
		return fmt.Errorf("%w: tenant %s", errNotVisible, q.Tenant)
	}
	var from, to time.Time
	var err error
	if q.From != "" {
		if from, err = time.ParseInLocation("2006-01-02", q.From, s.loc); err != nil {
			return fmt.Errorf("%w: von %q: Datum JJJJ-MM-TT", errBadInput, q.From)
		}
	}
	if q.To != "" {
		if to, err = time.ParseInLocation("2006-01-02", q.To, s.loc); err != nil {
			return fmt.Errorf("%w: bis %q: Datum JJJJ-MM-TT", errBadInput, q.To)
		}
		to = to.AddDate(0, 0, 1)
	}
	match := func(p readmodel.Process) bool { return true }
	switch {
	case q.Q == "":
	case reUUID.MatchString(q.Q):
		q.Kind = "Vorgangs-ID"
		id := strings.ToLower(q.Q)
		match = func(p readmodel.Process) bool { return p.ProcessID == id }
	case reMaLo.MatchString(q.Q):
		q.Kind = "MaLo"
		match = func(p readmodel.Process) bool { return p.HasMaLo(q.Q) || slices.Contains(p.MeLo, q.Q) }
	case reMPID.MatchString(q.Q):
		q.Kind = "MP-ID"
		match = func(p readmodel.Process) bool { return s.involves(p, q.Q) }
	case rePID.MatchString(q.Q):
		q.Kind = "PID"
		match = func(p readmodel.Process) bool { return slices.Contains(p.PIDs, q.Q) }
	default:
		q.Kind = "Text"
		needle := strings.ToLower(q.Q)
		match = func(p readmodel.Process) bool {
			if strings.Contains(strings.ToLower(p.State), needle) || strings.Contains(p.ProcessID, needle) ||
				strings.Contains(strings.ToLower(p.Workflow), needle) {
				return true
			}
			for _, k := range p.Keys {
				if strings.Contains(strings.ToLower(k.Value), needle) {
					return true
				}
			}
			return false
		}
	}
	var found []readmodel.Process
	states, families := map[string]bool{}, map[string]bool{}
	keep := func(p readmodel.Process) error {
		if !allowed(r, p.Tenant) {
			return nil
		}
		states[p.State], families[p.Workflow] = true, true
		if (q.Tenant != "" && p.Tenant != q.Tenant) || (q.State != "" && p.State != q.State) || (q.Family != "" && p.Workflow != q.Family) ||
			(!from.IsZero() && p.CreatedAt.Before(from)) || (!to.IsZero() && !p.CreatedAt.Before(to)) || !match(p) {
			return nil
		}
		found = append(found, p)
		return nil
	}
	scope := func(tenant string) error { return s.store.EachProcess(ctx, tenant, keep) }
	if q.Kind == "MaLo" {
		// The business-key index names the candidates.
		scope = func(tenant string) error {
			page, err := s.store.Processes(ctx, readmodel.ProcessQuery{Tenant: tenant, MaLo: q.Q, Limit: readmodel.MaxLimit})
			if err != nil {
				return err
			}
			for _, p := range page.Processes {
				_ = keep(p)
			}
			return nil
		}
	}
	if q.Tenant != "" {
		err = scope(q.Tenant)
	} else {
		err = s.eachVisible(r, scope)
	}
	if err != nil {
		return err
	}
	if q.Kind == "Vorgangs-ID" && len(found) == 1 {
		http.Redirect(w, r, "/vorgaenge/"+found[0].ProcessID+"?mandant="+found[0].Tenant, http.StatusSeeOther)
		return nil
	}
	slices.SortFunc(found, func(a, b readmodel.Process) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Tenant, b.Tenant), cmp.Compare(a.ProcessID, b.ProcessID))
	})
	d := processListData{Query: q, Total: len(found), States: sortedKeys(states), Families: sortedKeys(families)}
	lo, hi, pg := paginate(len(found), q.Page, q.link)
	d.pager = pg
	now := s.now()
	for _, p := range found[lo:hi] {
		row := processRow{Process: p}
		if len(p.OpenDeadlines) > 0 {
			dl := p.OpenDeadlines[0]
			row.Deadline = fmtTime(dl.Due, "02.01. 15:04") + " (" + werktageText(s.cal.WerktageBetween(now, dl.Due), dl.Due, now) + ")"
		}
		d.Rows = append(d.Rows, row)
	}
	d.SearchDuration = time.Since(start).Round(time.Millisecond)
	s.render(w, r, http.StatusOK, "processes", "Vorgänge", "processes", d)
	return nil
}

// involves reports whether the market partner mpid takes part in p: the
// tenant's own MP-ID, a recipient or sender of its messages, or part of a
// business key (sender-qualified references).
func (s *Server) involves(p readmodel.Process, mpid string) bool {
	for _, t := range s.tenants {
		if t.ID == p.Tenant && slices.Contains(t.MPIDs, mpid) {
			return true
		}
	}
	for _, o := range p.Outbound {
		if o.Recipient == mpid || o.Sender == mpid {
			return true
		}
	}
	for _, k := range p.Keys {
		if strings.Contains(k.Value, mpid) {
			return true
		}
	}
	return false
}

// lookupProcess returns the process the request names (path id, query
// mandant), if the principal may see it.
func (s *Server) lookupProcess(ctx context.Context, r *http.Request) (readmodel.Process, error) {
	id := r.PathValue("id")
	tenant := r.URL.Query().Get("mandant")
	if tenant != "" && !allowed(r, tenant) {
		return readmodel.Process{}, fmt.Errorf("%w: tenant %s", errNotVisible, tenant)
	}
	if tenant == "" && !allTenantsVisible(r) {
		// Look in the visible tenants only.
		for _, t := range s.visible(r) {
			p, err := s.store.Process(ctx, t, id)
			if err == nil {
				return p, nil
			}
			if !errors.Is(err, readmodel.ErrNotFound) {
				return readmodel.Process{}, err
			}
		}
		return readmodel.Process{}, fmt.Errorf("%w: process %s", readmodel.ErrNotFound, id)
	}
	p, err := s.store.Process(ctx, tenant, id)
	if err != nil {
		return readmodel.Process{}, err
	}
	if !allowed(r, p.Tenant) {
		return readmodel.Process{}, fmt.Errorf("%w: process %s", errNotVisible, id)
	}
	return p, nil
}

// entry is one line of a process timeline.
type entry struct {
	At time.Time
	// Kind: "event", "out", "in", "deadline", "key", "letter", "action".
	Kind  string
	Title string
	// Lines are short facts shown under the title.
	Lines []string
	// Data is the event's data as indented JSON.
	Data string
	EDI  *EDIView
	// Raw links to the bytes.
	Raw string
	// ERP names the CloudEvent the event gives the ERP (pkg/erp).
	ERP string
	// Letter links to a Klärfall.
	Letter string
	Seq    uint64
}

type processDetailData struct {
	P             readmodel.Process
	Entries       []entry
	Deadlines     []deadlineRow
	Letters       []readmodel.DeadLetter
	In, Out       int
	TimelineError string
	InboundError  string
}

// cloudEventer is erp.Event's method: the ERP event a workflow event
// yields.
type cloudEventer interface {
	CloudEvent() (string, string, any)
}

func (s *Server) processDetail(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := s.lookupProcess(ctx, r)
	if err != nil {
		return err
	}
	d := processDetailData{P: p}
	now := s.now()
	for _, dl := range p.OpenDeadlines {
		d.Deadlines = append(d.Deadlines, deadlineRow{DueDeadline: readmodel.DueDeadline{Tenant: p.Tenant, ProcessID: p.ProcessID, Deadline: dl},
			Werktage: werktageText(s.cal.WerktageBetween(now, dl.Due), dl.Due, now)})
	}
	envs, err := s.events.Load(ctx, engine.StreamOf(engine.TenantID(p.Tenant), engine.ProcessID(p.ProcessID)))
	if err != nil {
		d.TimelineError = err.Error()
	}
	letters, err := s.store.ProcessDeadLetters(ctx, p.Tenant, p.ProcessID)
	if err != nil {
		return err
	}
	delivery := s.deliveryStates(ctx, p, letters)
	tokens := map[string]bool{}
	for _, k := range p.Keys {
		if k.Kind == string(inbound.KeyMaLo) || k.Kind == string(inbound.KeyMeLo) {
			continue
		}
		tokens[k.Value] = true
		if _, after, ok := strings.Cut(k.Value, ":"); ok {
			tokens[after] = true
		}
	}
	for _, te := range api.Timeline(envs, s.defs) {
		e := entry{At: te.Timestamp, Seq: te.Sequence, Kind: "event", Title: te.Type}
		switch v := te.Data.(type) {
		case api.OutboundData:
			d.Out++
			e.Kind = "out"
			e.Title = "Nachricht gesendet: " + v.MessageType + " an " + v.Recipient
			e.Raw = fmt.Sprintf("/vorgaenge/%s/rohdaten?mandant=%s&ereignis=%d", p.ProcessID, p.Tenant, te.Sequence)
			if payload := outboundPayload(envs, te.Sequence); payload != nil {
				v := renderEDI(payload, te.Timestamp)
				e.EDI = &v
				if len(v.PIDs) > 0 {
					e.Title += " (" + pidName(v.PIDs[0]) + ")"
				}
			}
			if v.InterchangeRef != "" {
				tokens[v.InterchangeRef] = true
			}
			if st, ok := delivery[v.MessageID]; ok {
				e.Lines = append(e.Lines, "Zustellung: "+st)
			}
		case api.DeadlineData:
			e.Kind = "deadline"
			switch te.Type {
			case engine.EventDeadlineSet:
				e.Title = "Frist gesetzt: " + v.Label
			case engine.EventDeadlineCancelled:
				e.Title = "Frist erledigt: " + v.Label
			case engine.EventDeadlineFired:
				e.Title = "Frist abgelaufen: " + v.Label
			}
			if v.Due != nil {
				e.Lines = append(e.Lines, "fällig "+zeit(*v.Due)+" ("+werktageText(s.cal.WerktageBetween(now, *v.Due), *v.Due, now)+")")
			}
		case api.KeyData:
			e.Kind = "key"
			e.Title = "Schlüssel gebunden: " + v.Kind + " " + v.Value
		default:
			if te.Note != "" {
				e.Lines = append(e.Lines, "nicht dekodierbar: "+te.Note)
			}
			if ce, ok := te.Data.(cloudEventer); ok {
				typ, _, _ := ce.CloudEvent()
				e.ERP = typ
			}
			collectTokens(te.Data, tokens)
		}
		if e.Kind == "event" && te.Data != nil {
			if b, err := json.MarshalIndent(te.Data, "", "  "); err == nil {
				e.Data = string(b)
			}
		}
		d.Entries = append(d.Entries, e)
	}
	// Inbound interchanges: MAKO_INGEST of the tenant while the process
	// lived, those referring to one of its transactions or documents.
	in, err := s.inbound(ctx, p, tokens)
	if err != nil {
		d.InboundError = err.Error()
	}
	d.In = len(in)
	d.Entries = append(d.Entries, in...)
	d.Letters = letters
	for _, l := range letters {
		at, _ := time.Parse(time.RFC3339, l.At)
		d.Entries = append(d.Entries, entry{At: at, Kind: "letter", Title: "Klärfall: " + reasonName(l.Reason),
			Lines: []string{l.Detail}, Letter: fmt.Sprintf("/klaerfaelle/%s/%d", l.Tenant, l.Sequence)})
		for _, a := range l.Actions {
			at, _ := time.Parse(time.RFC3339, a.At)
			e := entry{At: at, Kind: "action", Title: actionTitle(a) + " von " + a.Actor, Letter: fmt.Sprintf("/klaerfaelle/%s/%d", l.Tenant, l.Sequence)}
			if a.Reason != "" {
				e.Lines = append(e.Lines, "Grund: "+a.Reason)
			}
			if a.Kind == "redrive" {
				e.Lines = append(e.Lines, "Ergebnis: "+s.redriveOutcome(ctx, l, a))
			}
			d.Entries = append(d.Entries, e)
		}
	}
	slices.SortStableFunc(d.Entries, func(a, b entry) int { return a.At.Compare(b.At) })
	s.render(w, r, http.StatusOK, "process", "Vorgang "+short8(p.ProcessID), "processes", d)
	return nil
}

func short8(s string) string {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// deliveryStates tells the delivery of each outbound message of p. The
// workflow's report wins if it recorded one (readmodel status delivered or
// failed; delivered after an outbox dead letter of the message means a
// re-driven copy got through). Otherwise the copies of the message in MAKO_OUTBOX decide, the
// latest last: the original (found by its message id on the tenant's outbox
// subjects while the process lived) and every re-driven copy (the targets
// of the re-drive actions on its dead letters). A copy the deliverer
// dead-lettered is "gescheitert", one below the deliverer's ack floor
// "zugestellt", any other "in Zustellung".
func (s *Server) deliveryStates(ctx context.Context, p readmodel.Process, letters []readmodel.DeadLetter) map[string]string {
	out := map[string]string{}
	open := map[string]bool{}
	exhausted := map[string]uint64{} // message id → its (last) outbox dead letter
	for _, l := range letters {
		if l.Reason == string(deadletter.ReasonOutboxExhausted) {
			exhausted[l.MessageRef] = l.Sequence
		}
	}
	for _, o := range p.Outbound {
		letter, failedOnce := exhausted[o.MessageID]
		switch {
		case o.Status == readmodel.DeliveryDelivered && failedOnce:
			out[o.MessageID] = deliveryName(readmodel.DeliveryDelivered) + " nach erneutem Einstellen"
		case o.Status == readmodel.DeliveryFailed && failedOnce:
			out[o.MessageID] = "gescheitert (Klärfall " + strconv.FormatUint(letter, 10) + ")"
		case o.Status == readmodel.DeliveryDelivered, o.Status == readmodel.DeliveryFailed:
			out[o.MessageID] = deliveryName(o.Status)
		default:
			out[o.MessageID] = deliveryName(readmodel.DeliveryQueued)
			open[o.MessageID] = true
		}
	}
	if len(open) == 0 {
		return out
	}
	type copyOf struct {
		id  string
		seq uint64
	}
	var copies []copyOf
	failed := map[uint64]uint64{} // outbox sequence → letter
	for _, l := range letters {
		if l.Reason != string(deadletter.ReasonOutboxExhausted) || !open[l.MessageRef] {
			continue
		}
		failed[l.SourceSequence] = l.Sequence
		copies = append(copies, copyOf{l.MessageRef, l.SourceSequence})
		for _, a := range l.Actions {
			f := strings.Fields(a.Target)
			if a.Kind != string(deadletter.ActionRedrive) || len(f) < 2 || f[0] != streams.Outbox {
				continue
			}
			if seq, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				copies = append(copies, copyOf{l.MessageRef, seq})
			}
		}
	}
	var floor uint64
	if c, err := s.js.Consumer(ctx, streams.Outbox, consumerOf(streams.Outbox)); err == nil {
		if info, err := c.Info(ctx); err == nil {
			floor = info.AckFloor.Stream
		}
	}
	end := p.LastEventAt.Add(time.Minute)
	found := map[string]bool{}
	_ = eachStreamMsg(ctx, s.js, streams.Outbox, []string{streams.SubjectOutbox + "." + p.Tenant + ".>"}, from{time: p.CreatedAt.Add(-time.Second)}, true,
		func(m jetstream.Msg, md *jetstream.MsgMetadata) bool {
			if md.Timestamp.After(end) {
				return false
			}
			if id := m.Headers().Get(jetstream.MsgIDHeader); open[id] && !found[id] {
				found[id] = true
				copies = append(copies, copyOf{id, md.Sequence.Stream})
			}
			return len(found) < len(open)
		})
	slices.SortFunc(copies, func(a, b copyOf) int { return cmp.Compare(a.seq, b.seq) })
	hadFailure := map[string]bool{}
	for _, c := range copies {
		switch letter, ok := failed[c.seq]; {
		case ok:
			out[c.id] = "gescheitert (Klärfall " + strconv.FormatUint(letter, 10) + ")"
			hadFailure[c.id] = true
		case floor > 0 && c.seq <= floor && hadFailure[c.id]:
			out[c.id] = deliveryName(readmodel.DeliveryDelivered) + " nach erneutem Einstellen"
		case floor > 0 && c.seq <= floor:
			out[c.id] = deliveryName(readmodel.DeliveryDelivered)
		default:
			out[c.id] = deliveryName(readmodel.DeliveryQueued)
		}
	}
	return out
}

// outboundPayload returns the bytes of the mako.outbound event seq.
func outboundPayload(envs []engine.EventEnvelope, seq uint64) []byte {
	for _, env := range envs {
		if env.Sequence != seq || !env.IsEngineEvent() {
			continue
		}
		v, err := engine.DecodeEngineEvent(env)
		if err != nil {
			return nil
		}
		if o, ok := v.(*engine.OutboundMessage); ok {
			return o.Payload
		}
	}
	return nil
}

// refFields are the workflow event fields whose values identify the
// transactions and documents of a process.
var refFields = []string{"TransactionID", "RefTransaction", "Document", "InterchangeRef", "CancelTx", "RequestID"}

// collectTokens adds the reference values of a workflow event's data.
func collectTokens(data any, tokens map[string]bool) {
	b, err := json.Marshal(data)
	if err != nil {
		return
	}
	var m map[string]any
	if json.Unmarshal(b, &m) != nil {
		return
	}
	for _, f := range refFields {
		if v, ok := m[f].(string); ok && v != "" {
			tokens[v] = true
		}
		snake := toSnake(f)
		if v, ok := m[snake].(string); ok && v != "" {
			tokens[v] = true
		}
	}
}

func toSnake(s string) string {
	var b strings.Builder
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

// inboundSlack widens the window of inbound interchanges before the
// process's first event (the request that started it).
const inboundSlack = 5 * time.Minute

// inbound finds the interchanges the tenant received for the process: the
// messages of mako.ingest.<tenant> stored between the process's creation
// (minus inboundSlack) and its last event whose transaction id (IDE), BGM
// document number or references (RFF, except the PID) are among tokens.
func (s *Server) inbound(ctx context.Context, p readmodel.Process, tokens map[string]bool) ([]entry, error) {
	if len(tokens) == 0 {
		return nil, nil
	}
	var out []entry
	end := p.LastEventAt.Add(time.Second)
	err := eachStreamMsg(ctx, s.js, streams.Ingest, []string{streams.SubjectIngest + "." + p.Tenant}, from{time: p.CreatedAt.Add(-inboundSlack)}, false,
		func(m jetstream.Msg, md *jetstream.MsgMetadata) bool {
			if md.Timestamp.After(end) {
				return false
			}
			ix, err := edifact.Parse(m.Data())
			if err != nil || !refersTo(ix, tokens) {
				return true
			}
			v := renderEDI(m.Data(), md.Timestamp)
			title := "Nachricht empfangen: " + v.Type + " von " + v.Sender
			if len(v.PIDs) > 0 {
				title += " (" + pidName(v.PIDs[0]) + ")"
			}
			out = append(out, entry{At: md.Timestamp, Kind: "in", Title: title, EDI: &v, Seq: md.Sequence.Stream,
				Raw: fmt.Sprintf("/vorgaenge/%s/rohdaten?mandant=%s&eingang=%d", p.ProcessID, p.Tenant, md.Sequence.Stream)})
			return true
		})
	return out, err
}

// refersTo reports whether an interchange names one of tokens as its
// transaction, document or a reference.
func refersTo(ix *edifact.Interchange, tokens map[string]bool) bool {
	for i := range ix.Segments {
		sg := &ix.Segments[i]
		var v string
		switch sg.Tag {
		case "IDE":
			v = sg.Value(1, 0)
		case "BGM":
			v = sg.Value(1, 0)
		case "RFF":
			if sg.Value(0, 0) == "Z13" {
				continue
			}
			v = sg.Value(0, 1)
		case "UCI":
			v = sg.Value(0, 0)
		default:
			continue
		}
		if v != "" && tokens[v] {
			return true
		}
	}
	return false
}

// processRaw downloads the bytes of a message of the process: an outbound
// message (ereignis = its event sequence) or an inbound interchange
// (eingang = its MAKO_INGEST sequence, which must be on the process
// tenant's subject).
func (s *Server) processRaw(ctx context.Context, w http.ResponseWriter, r *http.Request) error {
	p, err := s.lookupProcess(ctx, r)
	if err != nil {
		return err
	}
	var data []byte
	var name string
	if v := r.URL.Query().Get("ereignis"); v != "" {
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: ereignis %q", errBadInput, v)
		}
		envs, err := s.events.Load(ctx, engine.StreamOf(engine.TenantID(p.Tenant), engine.ProcessID(p.ProcessID)))
		if err != nil {
			return err
		}
		data = outboundPayload(envs, seq)
		name = fmt.Sprintf("%s-%d.edi", short8(p.ProcessID), seq)
	} else if v := r.URL.Query().Get("eingang"); v != "" {
		seq, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: eingang %q", errBadInput, v)
		}
		st, err := s.js.Stream(ctx, streams.Ingest)
		if err != nil {
			return err
		}
		m, err := st.GetMsg(ctx, seq)
		if err != nil || m.Subject != streams.SubjectIngest+"."+p.Tenant {
			return fmt.Errorf("%w: inbound %d", errNotVisible, seq)
		}
		data = m.Data
		name = fmt.Sprintf("eingang-%d.edi", seq)
	}
	if data == nil {
		return fmt.Errorf("%w: message", readmodel.ErrNotFound)
	}
	writeRaw(w, name, data)
	return nil
}

func writeRaw(w http.ResponseWriter, name string, data []byte) {
	w.Header().Set("Content-Type", "application/edifact")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}
