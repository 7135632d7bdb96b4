package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// storedMsg is a message read back from a stream.
type storedMsg struct {
	Subject  string
	Sequence uint64
	Header   nats.Header
	Data     []byte
	Time     time.Time
}

// errNoMsg means the requested message does not exist.
var errNoMsg = errors.New("no message")

// reader reads messages of one stream. It owns a small pool of long-lived
// reply subscriptions for batched Direct Get: creating a subscription per
// request (as jetstreamext.GetBatch does) costs ≈ 0.4 ms on the embedded
// server, ten times the request itself (BenchmarkReadSubject).
type reader struct {
	nc      *nats.Conn
	stream  string
	apiPfx  string // "$JS.API."
	timeout time.Duration
	pool    chan *replySub
	closed  atomic.Bool
}

func newReader(nc *nats.Conn, apiPrefix, stream string, timeout time.Duration, poolSize int) *reader {
	return &reader{nc: nc, stream: stream, apiPfx: apiPrefix, timeout: timeout, pool: make(chan *replySub, poolSize)}
}

// replySub is a wildcard reply subscription; each request uses a fresh
// token below it so late replies to an abandoned request are recognised and
// dropped.
type replySub struct {
	sub    *nats.Subscription
	prefix string
	n      uint64
}

func (r *reader) acquire() (*replySub, error) {
	select {
	case rs := <-r.pool:
		return rs, nil
	default:
	}
	prefix := r.nc.NewRespInbox()
	sub, err := r.nc.SubscribeSync(prefix + ".*")
	if err != nil {
		return nil, err
	}
	return &replySub{sub: sub, prefix: prefix}, nil
}

func (r *reader) release(rs *replySub, ok bool) {
	if ok && !r.closed.Load() {
		select {
		case r.pool <- rs:
			return
		default:
		}
	}
	_ = rs.sub.Unsubscribe()
}

// close unsubscribes the pooled subscriptions.
func (r *reader) close() {
	r.closed.Store(true)
	for {
		select {
		case rs := <-r.pool:
			_ = rs.sub.Unsubscribe()
		default:
			return
		}
	}
}

// directBatchRequest is the Direct Get request body (ADR-31).
type directBatchRequest struct {
	Seq      uint64 `json:"seq,omitempty"`
	NextFor  string `json:"next_by_subj,omitempty"`
	Batch    int    `json:"batch,omitempty"`
	MaxBytes int    `json:"max_bytes,omitempty"`
}

// batchMaxBytes bounds the bytes one Direct Get batch buffers, so Fold runs
// in bounded memory whatever the history length.
const batchMaxBytes = 4 << 20

// scanSubject calls fn for every message on subject with stream sequence ≥
// from, in order, using batched Direct Get (next_by_subj). It stops early
// when fn returns false or an error. When more than switchAt messages are
// still pending after the first batch, it continues with an ordered consumer
// (faster for long histories, see docs/event-store.md); switchAt ≤ 0 never
// switches.
func (r *reader) scanSubject(ctx context.Context, js jetstream.JetStream, subject string, from uint64, batch, switchAt int, fn func(storedMsg) (bool, error)) error {
	if from == 0 {
		from = 1
	}
	first := true
	for {
		next, pending, done, err := r.directBatch(ctx, subject, from, batch, fn)
		if err != nil || done {
			return err
		}
		from = next
		if first && switchAt > 0 && pending != pendingUnknown && pending > uint64(switchAt) && js != nil {
			return r.consume(ctx, js, subject, from, pending, fn)
		}
		first = false
	}
}

// directBatch runs one batched Direct Get. It returns the next start
// sequence, the number of messages still pending after the last one
// delivered, and done=true when the subject has no more messages or fn
// stopped.
func (r *reader) directBatch(ctx context.Context, subject string, from uint64, batch int, fn func(storedMsg) (bool, error)) (next, pending uint64, done bool, err error) {
	next = from
	got := 0
	stopped := false
	status, err := r.direct(ctx, directBatchRequest{Seq: from, NextFor: subject, Batch: batch, MaxBytes: batchMaxBytes}, func(sm storedMsg, np uint64) (bool, error) {
		got++
		next, pending = sm.Sequence+1, np
		cont, err := fn(sm)
		stopped = !cont || err != nil
		return cont, err
	})
	switch {
	case err != nil:
		return 0, 0, true, err
	case stopped:
		return 0, 0, true, nil
	case status == "404":
		return next, 0, true, nil
	}
	return next, pending, pending == 0 || got == 0, nil
}

// pendingUnknown marks a Direct Get answer without Nats-Num-Pending: the
// read then continues until a batch comes back empty.
const pendingUnknown = ^uint64(0)

// errTooMany is a Direct Get answered with 413 (a multi_last request
// matching more than 1024 subjects).
var errTooMany = errors.New("direct get: too many results")

// direct sends one Direct Get request (JSON body req) and calls fn for each
// message of the answer with its Nats-Num-Pending (pendingUnknown if
// absent). It returns the final
// status ("204" end of batch, "404" no message; "" when fn stopped early).
func (r *reader) direct(ctx context.Context, req any, fn func(storedMsg, uint64) (bool, error)) (string, error) {
	rs, err := r.acquire()
	if err != nil {
		return "", err
	}
	clean := false
	defer func() { r.release(rs, clean) }()
	rs.n++
	reply := rs.prefix + "." + strconv.FormatUint(rs.n, 10)
	body, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	if err := r.nc.PublishRequest(r.apiPfx+"DIRECT.GET."+r.stream, reply, body); err != nil {
		return "", err
	}
	if _, ok := ctx.Deadline(); !ok {
		// One timeout for the whole answer, not one timer per message.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	for {
		m, err := rs.sub.NextMsgWithContext(ctx)
		if err != nil {
			return "", err
		}
		if m.Subject != reply {
			continue // late reply to an abandoned request
		}
		if status := m.Header.Get("Status"); len(m.Data) == 0 && status != "" {
			switch status {
			case "204", "404":
				clean = true
				return status, nil
			case "413":
				clean = true
				return status, errTooMany
			default:
				return status, fmt.Errorf("direct get: status %s %s", status, m.Header.Get("Description"))
			}
		}
		sm, err := parseDirectMsg(m)
		if err != nil {
			return "", err
		}
		np := pendingUnknown
		if v, err := strconv.ParseUint(m.Header.Get("Nats-Num-Pending"), 10, 64); err == nil {
			np = v
		}
		cont, err := fn(sm, np)
		if err != nil || !cont {
			// The rest of the answer is dropped by the reply-token check on
			// the next use of this subscription.
			clean = true
			return "", err
		}
	}
}

// multiLast calls fn with the last message of every subject matching
// filter (at most 1024 subjects, else errTooMany), via Direct Get.
func (r *reader) multiLast(ctx context.Context, filter string, fn func(storedMsg) error) error {
	_, err := r.direct(ctx, struct {
		MultiLast []string `json:"multi_last"`
	}{[]string{filter}}, func(sm storedMsg, _ uint64) (bool, error) {
		return true, fn(sm)
	})
	return err
}

func parseDirectMsg(m *nats.Msg) (storedMsg, error) {
	seq, err := strconv.ParseUint(m.Header.Get(jetstream.SequenceHeader), 10, 64)
	if err != nil {
		return storedMsg{}, fmt.Errorf("direct get: bad %s header %q", jetstream.SequenceHeader, m.Header.Get(jetstream.SequenceHeader))
	}
	ts, _ := time.Parse(time.RFC3339Nano, m.Header.Get(jetstream.TimeStampHeaer))
	return storedMsg{Subject: m.Header.Get(jetstream.SubjectHeader), Sequence: seq, Header: m.Header, Data: m.Data, Time: ts}, nil
}

// consume reads the remaining count messages from sequence from with an
// ordered consumer filtered on subject, and deletes the consumer afterwards.
func (r *reader) consume(ctx context.Context, js jetstream.JetStream, subject string, from, count uint64, fn func(storedMsg) (bool, error)) error {
	cons, err := js.OrderedConsumer(ctx, r.stream, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{subject}, DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: from,
	})
	if err != nil {
		return err
	}
	return r.drain(ctx, js, cons, count, fn)
}

// drain fetches from cons until count messages (updated from each
// message's pending count) have been delivered or fn stops, then deletes
// the consumer.
func (r *reader) drain(ctx context.Context, js jetstream.JetStream, cons jetstream.Consumer, count uint64, fn func(storedMsg) (bool, error)) error {
	defer r.deleteConsumer(ctx, js, cons)
	const fetch = 1024
	for count > 0 {
		n := int(min(count, fetch))
		wait := r.timeout
		if dl, ok := ctx.Deadline(); ok {
			wait = time.Until(dl)
		}
		b, err := cons.Fetch(n, jetstream.FetchMaxWait(wait))
		if err != nil {
			return err
		}
		got := 0
		for m := range b.Messages() {
			md, err := m.Metadata()
			if err != nil {
				return err
			}
			got++
			cont, err := fn(storedMsg{Subject: m.Subject(), Sequence: md.Sequence.Stream, Header: m.Headers(), Data: m.Data(), Time: md.Timestamp})
			if err != nil || !cont {
				return err
			}
			count = md.NumPending
		}
		if err := b.Error(); err != nil {
			return err
		}
		if got == 0 {
			return fmt.Errorf("ordered consumer on %s: no messages within %v", r.stream, wait)
		}
	}
	return nil
}

// leaderScan calls fn for every message matching filter (wildcards
// allowed), in stream order, reading one message per request through the
// stream leader (non-direct MSG.GET with next_by_subj): read-after-write on
// R>1, where Direct Get and consumers placed on a follower may lag. For
// small sets only (one round trip per message).
func (r *reader) leaderScan(ctx context.Context, filter string, fn func(storedMsg) error) error {
	for seq := uint64(1); ; {
		m, err := r.leaderGet(ctx, msgGetRequest{Seq: seq, NextFor: filter})
		if errors.Is(err, errNoMsg) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		seq = m.Sequence + 1
	}
}

func (r *reader) deleteConsumer(ctx context.Context, js jetstream.JetStream, cons jetstream.Consumer) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	if info := cons.CachedInfo(); info != nil {
		_ = js.DeleteConsumer(dctx, r.stream, info.Name)
	}
}

// lastDirect returns the last message on subject via Direct Get
// ($JS.API.DIRECT.GET.<stream>.<subject>): fast, but on R>1 possibly served
// by a lagging replica. It returns errNoMsg if the subject is empty.
func (r *reader) lastDirect(ctx context.Context, subject string) (storedMsg, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	m, err := r.nc.RequestWithContext(ctx, r.apiPfx+"DIRECT.GET."+r.stream+"."+subject, nil)
	if err != nil {
		return storedMsg{}, err
	}
	if len(m.Data) == 0 && m.Header.Get("Status") != "" {
		if m.Header.Get("Status") == "404" {
			return storedMsg{}, errNoMsg
		}
		return storedMsg{}, fmt.Errorf("direct get: status %s %s", m.Header.Get("Status"), m.Header.Get("Description"))
	}
	return parseDirectMsg(m)
}

// msgGetRequest is the non-direct $JS.API.STREAM.MSG.GET request body.
type msgGetRequest struct {
	Seq     uint64 `json:"seq,omitempty"`
	LastFor string `json:"last_by_subj,omitempty"`
	NextFor string `json:"next_by_subj,omitempty"`
}

type msgGetResponse struct {
	Type    string              `json:"type"`
	Error   *jetstream.APIError `json:"error,omitempty"`
	Message *struct {
		Subject  string    `json:"subject"`
		Sequence uint64    `json:"seq"`
		Header   []byte    `json:"hdrs,omitempty"`
		Data     []byte    `json:"data,omitempty"`
		Time     time.Time `json:"time"`
	} `json:"message,omitempty"`
}

// leaderGet reads one message through the stream leader with the
// non-direct $JS.API.STREAM.MSG.GET API, which is read-after-write also on
// R>1 (nats.md §6.3); nats.go's GetMsg would use Direct Get because the
// stream has AllowDirect. It returns errNoMsg if there is no such message.
func (r *reader) leaderGet(ctx context.Context, req msgGetRequest) (storedMsg, error) {
	body, _ := json.Marshal(req)
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, r.timeout)
		defer cancel()
	}
	resp, err := r.nc.RequestWithContext(ctx, r.apiPfx+"STREAM.MSG.GET."+r.stream, body)
	if err != nil {
		return storedMsg{}, err
	}
	var out msgGetResponse
	if err := json.Unmarshal(resp.Data, &out); err != nil {
		return storedMsg{}, fmt.Errorf("msg get: %w", err)
	}
	if out.Error != nil {
		if out.Error.ErrorCode == jetstream.JSErrCodeMessageNotFound {
			return storedMsg{}, errNoMsg
		}
		return storedMsg{}, out.Error
	}
	if out.Message == nil {
		return storedMsg{}, fmt.Errorf("msg get: empty response")
	}
	sm := storedMsg{Subject: out.Message.Subject, Sequence: out.Message.Sequence, Data: out.Message.Data, Time: out.Message.Time}
	if len(out.Message.Header) > 0 {
		h, err := decodeHeaders(out.Message.Header)
		if err != nil {
			return storedMsg{}, fmt.Errorf("msg get seq %d: %w", sm.Sequence, err)
		}
		sm.Header = h
	}
	return sm, nil
}

// decodeHeaders parses a "NATS/1.0\r\nK: V\r\n\r\n" header block.
func decodeHeaders(b []byte) (nats.Header, error) {
	h := nats.Header{}
	lines := splitCRLF(b)
	if len(lines) == 0 || len(lines[0]) < 8 || string(lines[0][:8]) != "NATS/1.0" {
		return nil, fmt.Errorf("bad header block")
	}
	for _, l := range lines[1:] {
		if len(l) == 0 {
			continue
		}
		k, v, ok := cutColon(l)
		if !ok {
			return nil, fmt.Errorf("bad header line %q", l)
		}
		h.Add(k, v)
	}
	return h, nil
}

func splitCRLF(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := indexCRLF(b)
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i])
		b = b[i+2:]
	}
	return out
}

func indexCRLF(b []byte) int {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '\r' && b[i+1] == '\n' {
			return i
		}
	}
	return -1
}

func cutColon(l []byte) (string, string, bool) {
	for i, c := range l {
		if c == ':' {
			k := string(l[:i])
			v := l[i+1:]
			for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
				v = v[1:]
			}
			return k, string(v), true
		}
	}
	return "", "", false
}
