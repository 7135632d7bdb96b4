package erp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	erpwire "github.com/mako-engine/mako/pkg/wire/erp"
	"github.com/mako-engine/mako/pkg/workers/erp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// switched is workflow event data as a process family would define it.
type switched struct {
	MaLo, Supplier string
	From           time.Time
}

func (switched) EventType() string { return "test.switched" }
func (s switched) CloudEvent() (string, string, any) {
	ml := erpwire.NewMarktlokation(s.MaLo)
	ml.Sparte = "STROM"
	ml.Netzbetreibercodenr = "9900000000011"
	p := erpwire.NewMarktteilnehmer(s.Supplier, "LF")
	p.Rollencodetyp = "BDEW"
	return erpwire.TypeProcessCompleted, "", erpwire.ProcessData{Workflow: "gpke.lfw.nb", PID: "55001", Outcome: "accepted",
		Date: s.From.Format(time.RFC3339), Marktlokation: &ml, Partner: &p}
}
func (switched) MakoPID() string { return "55001" }

func envelope() engine.EventEnvelope {
	return engine.EventEnvelope{
		EventID: "5f0c1d1e-8d7a-5a5e-9a43-1c8f3f7b2a10", Stream: engine.StreamOf("nb", "p-1"), Sequence: 3,
		Tenant: "nb", Process: "p-1", Type: "test.switched", SchemaVersion: 1,
		Conversation: "TX-4711", CommandID: "cmd-1",
		Timestamp: time.Date(2026, 11, 20, 9, 15, 30, 0, time.UTC),
	}
}

func TestCloudEventGolden(t *testing.T) {
	ev := switched{MaLo: "51238696781", Supplier: "9900000000004", From: time.Date(2026, 11, 23, 23, 0, 0, 0, time.UTC)}
	ce, err := erpwire.FromEnvelope(envelope(), ev)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(ce, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := "testdata/process_completed.json"
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("CloudEvent JSON differs from %s:\n%s", path, got)
	}
	// The shape a CloudEvents consumer relies on.
	var m map[string]any
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"specversion": "1.0", "source": "urn:mako:makod:tenant:nb", "type": "de.mako.process.completed",
		"subject": "p-1", "time": "2026-11-20T09:15:30Z", "datacontenttype": "application/json", "makopid": "55001", "makoconvid": "TX-4711",
		"makocausationid": "cmd-1",
		"dataschema":      "https://raw.githubusercontent.com/BO4E/BO4E-Schemas/v202501.0.0/src/bo4e_schemas/bo/Marktlokation.json"} {
		if m[k] != v {
			t.Errorf("%s = %v, want %s", k, m[k], v)
		}
	}
	data := m["data"].(map[string]any)["marktlokation"].(map[string]any)
	if data["_typ"] != "MARKTLOKATION" || data["_version"] != "v202501.0.0" || data["marktlokationsId"] != "51238696781" {
		t.Errorf("BO4E Marktlokation %v", data)
	}
	// Deterministic id: the same event gives the same CloudEvent id.
	again, _ := erpwire.FromEnvelope(envelope(), ev)
	other := envelope()
	other.EventID = "another"
	third, _ := erpwire.FromEnvelope(other, ev)
	if again.ID != ce.ID || third.ID == ce.ID {
		t.Fatalf("ids %s %s %s", ce.ID, again.ID, third.ID)
	}
	back, err := erpwire.ParseCloudEvent(got)
	if err != nil || back.ID != ce.ID || !back.Time.Equal(ce.Time) {
		t.Fatalf("parse back: %+v %v", back, err)
	}
}

type untyped struct{}

func (untyped) CloudEvent() (string, string, any) { return "", "", nil }

func TestCloudEventErrors(t *testing.T) {
	if _, err := erpwire.FromEnvelope(envelope(), untyped{}); err == nil {
		t.Error("event without type accepted")
	}
	for _, s := range []string{`{}`, `{"specversion":"0.3","id":"1","source":"s","type":"t","time":"2026-01-01T00:00:00Z"}`, `{"specversion":"1.0","id":"1","source":"s","type":"t"}`, `nope`} {
		if _, err := erpwire.ParseCloudEvent([]byte(s)); err == nil {
			t.Errorf("%s accepted", s)
		}
	}
}

func TestSignature(t *testing.T) {
	// Standard Webhooks: secret "whsec_" + base64 key; signed content "<id>.<ts>.<body>".
	key, err := erp.SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"test": 2432232314}`)
	ts := time.Unix(1614265330, 0)
	// Test vector of the Standard Webhooks specification.
	if got, want := erp.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	h := http.Header{}
	h.Set(erp.HeaderWebhookID, "msg_p5jXN8AQM9LWM0D4loKWxJek")
	h.Set(erp.HeaderWebhookTimestamp, "1614265330")
	h.Set(erp.HeaderWebhookSignature, "v1,bogus "+erp.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body))
	if err := erp.Verify(key, h, body, ts.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() error{
		"tampered body": func() error { return erp.Verify(key, h, []byte(`{"test": 1}`), ts, 5*time.Minute) },
		"other key":     func() error { return erp.Verify([]byte("x"), h, body, ts, 5*time.Minute) },
		"too old":       func() error { return erp.Verify(key, h, body, ts.Add(10*time.Minute), 5*time.Minute) },
		"no headers":    func() error { return erp.Verify(key, http.Header{}, body, ts, 5*time.Minute) },
	} {
		if err := f(); !errors.Is(err, erp.ErrSignature) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := erp.SecretKey("whsec_!!"); err == nil {
		t.Error("bad base64 secret accepted")
	}
	if k, _ := erp.SecretKey("plain"); string(k) != "plain" {
		t.Error("plain secret")
	}
}

type cmd struct{ MaLo string }

func (cmd) CommandType() string { return "test.cmd" }

func TestRegistry(t *testing.T) {
	dec := func(json.RawMessage) (engine.CommandData, error) { return cmd{}, nil }
	r, err := erpwire.NewRegistry(erpwire.CommandType{Type: "a", Workflow: "w", Decode: dec}, erpwire.CommandType{Type: "b", Workflow: "w", Decode: dec})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Lookup("a"); !ok || strings.Join(r.Types(), ",") != "a,b" {
		t.Fatalf("types %v", r.Types())
	}
	for _, bad := range [][]erpwire.CommandType{
		{{Type: "a", Workflow: "w", Decode: dec}, {Type: "a", Workflow: "w", Decode: dec}},
		{{Workflow: "w", Decode: dec}},
		{{Type: "a", Workflow: "w"}},
		{{Type: "a", Decode: dec}},
	} {
		if _, err := erpwire.NewRegistry(bad...); !errors.Is(err, erpwire.ErrRegistry) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}

func TestDecodeRequest(t *testing.T) {
	ok := `{"idempotency_key":"k1","type":"t","tenant":"lf","data":{"malo":"51238696781"}}`
	if r, err := erpwire.DecodeRequest([]byte(ok)); err != nil || r.IdempotencyKey != "k1" || string(r.Data) != `{"malo":"51238696781"}` {
		t.Fatalf("%+v %v", r, err)
	}
	for _, bad := range []string{
		`not json`, `{"idempotency_key":"k1","type":"t","tenant":"lf","data":{},"extra":1}`,
		`{"type":"t","tenant":"lf","data":{}}`, `{"idempotency_key":"k1","tenant":"lf","data":{}}`,
		`{"idempotency_key":"k1","type":"t","data":{}}`, `{"idempotency_key":"k1","type":"t","tenant":"lf"}`,
		`{"idempotency_key":"k1","type":"t","tenant":"lf","data":null}`,
		`{"idempotency_key":"` + strings.Repeat("x", 201) + `","type":"t","tenant":"lf","data":{}}`,
		ok + ` {}`,
	} {
		if _, err := erpwire.DecodeRequest([]byte(bad)); err == nil {
			t.Errorf("%.60s accepted", bad)
		}
	}
}
