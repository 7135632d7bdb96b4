package natsstore

import (
	"github.com/vmihailenco/msgpack/v5"
)

// EncodeMsgpack writes the record exactly as msgpack's reflection encoder
// writes the tagged struct (a map with the tag names, in field order,
// omitempty fields left out), without reflection: the append path encodes
// one record per command. TestRecordEncodingMatchesReflection keeps the two
// byte-identical; decoding still uses the reflection decoder.
func (r *commitRecord) EncodeMsgpack(enc *msgpack.Encoder) error {
	if err := enc.EncodeMapLen(6); err != nil {
		return err
	}
	if err := kv(enc, "f", func() error { return enc.EncodeInt(int64(r.Format)) }); err != nil {
		return err
	}
	if err := kvString(enc, "t", r.Tenant); err != nil {
		return err
	}
	if err := kvString(enc, "p", r.Process); err != nil {
		return err
	}
	if err := kv(enc, "s", func() error { return enc.EncodeUint64(r.First) }); err != nil {
		return err
	}
	if err := kv(enc, "ts", func() error { return enc.EncodeInt64(r.Time) }); err != nil {
		return err
	}
	if err := enc.EncodeString("e"); err != nil {
		return err
	}
	if r.Events == nil {
		return enc.EncodeNil()
	}
	if err := enc.EncodeArrayLen(len(r.Events)); err != nil {
		return err
	}
	for i := range r.Events {
		if err := r.Events[i].encode(enc); err != nil {
			return err
		}
	}
	return nil
}

func (e *eventRecord) encode(enc *msgpack.Encoder) error {
	n := 4 // id, ty, v, d
	for _, s := range [...]string{e.Workflow, e.Correlation, e.Causation, e.Conversation, e.Command, e.TraceParent} {
		if s != "" {
			n++
		}
	}
	if err := enc.EncodeMapLen(n); err != nil {
		return err
	}
	if err := kvString(enc, "id", e.ID); err != nil {
		return err
	}
	if err := kvString(enc, "ty", e.Type); err != nil {
		return err
	}
	if err := kv(enc, "v", func() error { return enc.EncodeInt(int64(e.Schema)) }); err != nil {
		return err
	}
	for _, f := range [...]struct{ k, v string }{{"wf", e.Workflow}, {"co", e.Correlation}, {"ca", e.Causation}, {"cv", e.Conversation}, {"cm", e.Command}, {"tp", e.TraceParent}} {
		if f.v == "" {
			continue
		}
		if err := kvString(enc, f.k, f.v); err != nil {
			return err
		}
	}
	if err := enc.EncodeString("d"); err != nil {
		return err
	}
	return enc.EncodeBytes(e.Payload)
}

func kv(enc *msgpack.Encoder, k string, v func() error) error {
	if err := enc.EncodeString(k); err != nil {
		return err
	}
	return v()
}

func kvString(enc *msgpack.Encoder, k, v string) error {
	if err := enc.EncodeString(k); err != nil {
		return err
	}
	return enc.EncodeString(v)
}
