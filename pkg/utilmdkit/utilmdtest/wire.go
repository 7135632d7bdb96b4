package utilmdtest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// UpdateEnv is the environment variable that makes PinWire (re)write its
// golden file instead of comparing against it: UPDATE_WIRE=1 go test ….
const UpdateEnv = "UPDATE_WIRE"

// PinWire pins the stored contract of a family's events and commands: for
// every prototype (an engine.EventData or engine.CommandData value) it fills
// every exported field with a deterministic non-zero value (Fill) and records
// the type name, the msgpack bytes the engine stores, the JSON, and what the
// value reports through the optional interfaces the pipeline reads
// (CloudEvent, ProcessOutcome, MakoPID, ProjectionFields, MaLoChange,
// AperakMissed). The record must equal the golden file at path
// (testdata/…, relative to the test's package); with UPDATE_WIRE=1 it is
// written instead. A refactoring that changes a type name, a field, a tag
// or what the ERP sees fails the test, so existing streams keep replaying.
func PinWire(t *testing.T, path string, protos ...any) {
	t.Helper()
	var b strings.Builder
	for _, p := range protos {
		// Twice: with every bool true and with every bool false, so that
		// both branches of a flag (Accepted, Rejected …) are pinned.
		for _, flag := range []bool{true, false} {
			v := reflect.New(reflect.TypeOf(p)).Elem()
			fill(v, "", flag)
			b.WriteString(describe(t, v.Interface()))
		}
	}
	got := b.String()
	if os.Getenv(UpdateEnv) == "1" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file (write it with %s=1): %v", UpdateEnv, err)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			t.Errorf("%s line %d:\n got  %s\n want %s", path, i+1, g, w)
		}
	}
}

// describe renders the contract of one filled value, one line per aspect.
func describe(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	name := ""
	if e, ok := v.(interface{ EventType() string }); ok {
		name = "event " + e.EventType()
	}
	if c, ok := v.(interface{ CommandType() string }); ok {
		name = "command " + c.CommandType()
	}
	if name == "" {
		t.Fatalf("%T is neither an event nor a command", v)
	}
	mp, err := msgpack.Marshal(v)
	if err != nil {
		t.Fatalf("%s: msgpack: %v", name, err)
	}
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("%s: json: %v", name, err)
	}
	fmt.Fprintf(&b, "%s\n  msgpack %s\n  json %s\n", name, hex.EncodeToString(mp), js)
	if e, ok := v.(interface{ CloudEvent() (string, string, any) }); ok {
		typ, subject, data := e.CloudEvent()
		d, err := json.Marshal(data)
		if err != nil {
			t.Fatalf("%s: cloudevent data: %v", name, err)
		}
		fmt.Fprintf(&b, "  cloudevent %s %q %s\n", typ, subject, d)
	}
	if e, ok := v.(interface{ ProcessOutcome() string }); ok {
		fmt.Fprintf(&b, "  outcome %q\n", e.ProcessOutcome())
	}
	if e, ok := v.(interface{ MakoPID() string }); ok {
		fmt.Fprintf(&b, "  pid %q\n", e.MakoPID())
	}
	if e, ok := v.(interface{ AperakMissed() string }); ok {
		fmt.Fprintf(&b, "  aperak_missed %q\n", e.AperakMissed())
	}
	m := reflect.ValueOf(v)
	for _, meth := range []string{"ProjectionFields", "MaLoChange"} {
		if f := m.MethodByName(meth); f.IsValid() && f.Type().NumIn() == 0 && f.Type().NumOut() == 1 {
			d, err := json.Marshal(f.Call(nil)[0].Interface())
			if err != nil {
				t.Fatalf("%s: %s: %v", name, meth, err)
			}
			fmt.Fprintf(&b, "  %s %s\n", meth, bytes.TrimSpace(d))
		}
	}
	return b.String()
}

// Fill sets every settable exported field of v (recursively) to a
// deterministic non-zero value: a string to its field path, a bool to true,
// a number to the path's length, a time to an instant derived from it, a
// slice to one filled element, a pointer to a filled value. Maps and
// interfaces stay nil. It is meant for wire-contract tests (PinWire).
func Fill(v reflect.Value) { fill(v, "", true) }

// fill is Fill with every bool set to flag.
func fill(v reflect.Value, path string, flag bool) {
	if !v.CanSet() {
		return
	}
	if v.Type() == reflect.TypeFor[time.Time]() {
		base := time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)
		v.Set(reflect.ValueOf(base.Add(time.Duration(len(path)) * time.Hour)))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.TrimPrefix(path, "."))
	case reflect.Bool:
		v.SetBool(flag)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(len(path)))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(len(path)))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(len(path)) + 0.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), path+"[0]", flag)
		v.Set(s)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), path, flag)
		v.Set(p)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fill(v.Field(i), path+"."+f.Name, flag)
			}
		}
	}
}
