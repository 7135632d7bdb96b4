package utilmdkit

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/edifact/aperak"
	"github.com/mako-engine/mako/pkg/edifact/segview"
	"github.com/mako-engine/mako/pkg/edifact/utilmd"
	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/wire/delivery"
	"github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

type cmd struct {
	A string `json:"a"`
}

func (cmd) CommandType() string { return "test.cmd" }

var errInvalid = errors.New("invalid")

// TestParty: a DVGW code gets agency 332, a BDEW code 293, a GS1 GLN 9; an
// invalid id keeps 500/293 so that the AHB guard reports it.
func TestParty(t *testing.T) {
	for id, want := range map[string]string{"9800800000016": "332", "9900000000011": "293", "4012345000023": "9", "123": "293"} {
		if _, agency := Party(id); agency != want {
			t.Errorf("%s: agency %s, want %s", id, agency, want)
		}
	}
	if p, _ := Party("123"); p.Qualifier != "500" {
		t.Errorf("invalid id qualifier %s", p.Qualifier)
	}
	if v := DTM("92", time.Date(2026, 12, 1, 6, 0, 0, 0, time.FixedZone("CET", 3600))); strings.Join(v, ":") != "92:202612010500+00:303" {
		t.Errorf("DTM %v", v)
	}
}

// TestDecodeStrictAndIDs: unknown fields and trailing data are refused;
// ValidIDs wraps the family's sentinel.
func TestDecodeStrictAndIDs(t *testing.T) {
	if _, err := DecodeStrict[cmd](json.RawMessage(`{"a":"x"}`)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`{"a":"x","b":1}`, `{"a":"x"} {}`} {
		if _, err := DecodeStrict[cmd](json.RawMessage(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if err := ValidIDs(errInvalid, "50112233446"); !errors.Is(err, errInvalid) {
		t.Errorf("bad MaLo: %v", err)
	}
	if err := ValidIDs(errInvalid, "50112233445", "9800800000016"); err != nil {
		t.Errorf("valid ids: %v", err)
	}
}

// TestPendingIn: a process of the workflow bound under the key and not
// answered is pending; the asking process itself and answered ones are not.
func TestPendingIn(t *testing.T) {
	wf := engine.WorkflowID{Name: "w"}
	me := engine.ProcessIdentity{Tenant: "t", Workflow: wf, Process: "me"}
	all := engine.BusinessKey{Kind: "malo", Value: "m"}
	done := engine.BusinessKey{Kind: "done", Value: "m"}
	sets := map[engine.BusinessKey][]engine.ProcessIdentity{all: {me, {Tenant: "t", Workflow: wf, Process: "a"}}, done: {{Process: "a"}}}
	ix := ProcessIndexFunc(func(_ context.Context, _ engine.TenantID, k engine.BusinessKey) ([]engine.ProcessIdentity, error) {
		return sets[k], nil
	})
	if p, err := PendingIn(context.Background(), ix, me, "w", all, done); err != nil || p {
		t.Fatalf("answered counted as pending: %v %v", p, err)
	}
	sets[all] = append(sets[all], engine.ProcessIdentity{Tenant: "t", Workflow: wf, Process: "b"})
	if p, _ := PendingIn(context.Background(), ix, me, "w", all, done); !p {
		t.Fatal("pending not found")
	}
}

// tag is a family tag of the tests.
type tag struct{}

func (tag) Prefix() string { return "fam" }
func (tag) Sparte() string { return "STROM" }

// TestGenericKinds: the type names carry the family's prefix, the ERP data
// its Sparte.
func TestGenericKinds(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Failed[tag]{}.EventType(), "fam.failed"}, {Noted[tag]{}.EventType(), "fam.noted"},
		{Decide[tag]{}.CommandType(), "fam.decide"}, {Timeout[tag]{}.CommandType(), "fam.timeout"},
		{Enriched[tag, int]{}.CommandType(), "fam.enriched"}, {RequestCancellation[tag]{}.CommandType(), "fam.request_cancellation"},
	} {
		if c.got != c.want {
			t.Errorf("type name %s, want %s", c.got, c.want)
		}
	}
	_, _, d := Failed[tag]{Outcome: OutcomeFailed, MaLo: "51234567895"}.CloudEvent()
	if pd := d.(erp.ProcessData); pd.Marktlokation == nil || pd.Marktlokation.Sparte != "STROM" || pd.Outcome != OutcomeFailed {
		t.Fatalf("%+v", d)
	}
	if f := (Failed[tag]{}).ProjectionFields(); f.State != OutcomeFailed {
		t.Fatalf("empty outcome labelled %q", f.State)
	}
	if f := Fields("", "55001", ""); f.State != "" || len(f.PIDs) != 1 || f.MaLo != nil {
		t.Fatalf("%+v", f)
	}
}

// TestDecoderAndRoute: an ERP command is decoded strictly, then validated;
// a Decide is routed to the process waiting under its key.
func TestDecoderAndRoute(t *testing.T) {
	dec := Decoder(func(c Decide[tag]) error {
		if c.Partner == "" {
			return errInvalid
		}
		return nil
	})
	if _, err := dec(json.RawMessage(`{"partner":"p","transaction_id":"t","extra":1}`)); err == nil {
		t.Fatal("unknown field accepted")
	}
	if _, err := dec(json.RawMessage(`{"transaction_id":"t"}`)); !errors.Is(err, errInvalid) {
		t.Fatalf("validation: %v", err)
	}
	p, err := dec(json.RawMessage(`{"partner":"p","transaction_id":"t"}`))
	if err != nil {
		t.Fatal(err)
	}
	route := RouteDecide[tag](errInvalid, func(partner, tx string) engine.BusinessKey {
		return engine.BusinessKey{Kind: "k", Value: partner + ":" + tx}
	})
	target, err := route(context.Background(), erp.Request{}, p)
	if err != nil || target.Existing == nil || target.Existing.Value != "p:t" {
		t.Fatalf("%+v %v", target, err)
	}
	if _, err := route(context.Background(), erp.Request{}, cmd{}); !errors.Is(err, errInvalid) {
		t.Fatalf("non-Decide routed: %v", err)
	}
}

// TestDecisionSteps: StartERP notes a repeated command and defaults the
// request id; DeliveryReport maps only the deliverer's reports; Unreadable
// cuts its text.
func TestDecisionSteps(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	apply := func(s int, _ engine.Event) int { return s + 1 }
	x := NewDecision(0, engine.Command{ID: "c1", ReceivedAt: at}, apply)
	if id, ok, err := StartERP[tag](x, false, ""); err != nil || !ok || id != "c1" || x.FV.IsZero() {
		t.Fatalf("start: %s %v %v %s", id, ok, err, x.FV)
	}
	if _, ok, _ := StartERP[tag](x, true, "r1"); ok || len(x.D.Events) != 1 || x.D.Events[0].(Noted[tag]).What != "repeated ERP command r1" {
		t.Fatalf("repeat: %v %+v", ok, x.D.Events)
	}
	if ev, ok := DeliveryReport[tag](delivery.Failed{MessageID: "m", Reason: "r", At: at}); !ok || ev.(Undelivered[tag]).Reason != "r" {
		t.Fatalf("%+v", ev)
	}
	if _, ok := DeliveryReport[tag](cmd{}); ok {
		t.Fatal("a command taken for a delivery report")
	}
	p, text := Unreadable(errors.New(strings.Repeat("x", 300)))
	if p.Code != "Z29" || len(text) != 250 || p.Text != text {
		t.Fatalf("%+v", p)
	}
}

// TestAskERP: only the listed PIDs with a positive wait ask the ERP.
func TestAskERP(t *testing.T) {
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	a := NewAskERP(30*time.Minute, "55010")
	if due, ok := a.Due("55010", at); !ok || !due.Equal(at.Add(30*time.Minute)) {
		t.Fatalf("%s %v", due, ok)
	}
	if _, ok := a.Due("55016", at); ok {
		t.Fatal("unlisted PID asked")
	}
	if _, ok := NewAskERP(0, "55010").Due("55010", at); ok {
		t.Fatal("zero wait asked")
	}
	if _, ok := (AskERP{}).Due("55010", at); ok {
		t.Fatal("zero value asked")
	}
}

// TestFailUnreadable: without a parsed message the cause goes back (dead
// letter); a failing ack wraps it; otherwise ack gets the Z29 problem and
// a Failed (aperak_rejected) ends the process.
func TestFailUnreadable(t *testing.T) {
	apply := func(s int, _ engine.Event) int { return s + 1 }
	cause := errors.New("SG4 IDE missing")
	x := NewDecision(0, engine.Command{ID: "c1", ReceivedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}, apply)
	noAck := func([]aperak.Problem) error { t.Fatal("ack called without a message"); return nil }
	if err := FailUnreadable[tag](x, nil, cause, "", noAck); err != cause {
		t.Fatalf("nil received: %v", err)
	}
	if err := FailUnreadable[tag](x, &Received{}, cause, "", noAck); err != cause || len(x.D.Events) != 0 {
		t.Fatalf("no message: %v %+v", err, x.D.Events)
	}
	r := &Received{Tx: inbound.Transaction{TransactionID: "T1"}, M: &edifact.Message{}}
	if err := FailUnreadable[tag](x, r, cause, "", func([]aperak.Problem) error { return errInvalid }); !errors.Is(err, cause) || !strings.Contains(err.Error(), "invalid") || len(x.D.Events) != 0 {
		t.Fatalf("failing ack: %v %+v", err, x.D.Events)
	}
	var got []aperak.Problem
	if err := FailUnreadable[tag](x, r, cause, "51234567895", func(p []aperak.Problem) error { got = p; return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Code != "Z29" || got[0].Text != cause.Error() {
		t.Fatalf("problems %+v", got)
	}
	if len(x.D.Events) != 1 {
		t.Fatalf("events %+v", x.D.Events)
	}
	f := x.D.Events[0].(Failed[tag])
	if f.Outcome != OutcomeAperakRejected || f.MaLo != "51234567895" || f.Reason != "transaction T1 unreadable: "+cause.Error() {
		t.Fatalf("%+v", f)
	}
}

// TestDate: the DTM of a qualifier as an instant; zero when absent or
// unreadable. RequestDate takes DTM+92 before DTM+93.
func TestDate(t *testing.T) {
	d := func(q, v string) utilmd.Date {
		return utilmd.Date{Date: segview.Date{Qualifier: q, Value: v, Format: "303"}}
	}
	tx := &utilmd.Transaction{Dates: []utilmd.Date{d("93", "202612312300+00"), d("92", "202611302300+00"), d("157", "bad")}}
	if got, want := Date(tx, "92"), time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DTM+92 %s, want %s", got, want)
	}
	if !Date(tx, "157").IsZero() || !Date(tx, "471").IsZero() {
		t.Error("an unreadable or absent DTM read as a time")
	}
	if got := RequestDate(tx); !got.Equal(Date(tx, "92")) {
		t.Errorf("RequestDate %s", got)
	}
	if got := RequestDate(&utilmd.Transaction{Dates: []utilmd.Date{d("93", "202612312300+00")}}); !got.Equal(Date(tx, "93")) || got.IsZero() {
		t.Errorf("RequestDate without 92: %s", got)
	}
}
