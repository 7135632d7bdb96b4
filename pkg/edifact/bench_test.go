package edifact

import (
	"bytes"
	"io"
	"testing"
)

// oneMB is an interchange of 55001 messages (ref §13 shape) of about 1 MB.
func oneMB(b *testing.B) []byte {
	b.Helper()
	n := (1 << 20) / 300
	data := buildMulti(b, n)
	for len(data) < 1<<20 {
		n += 100
		data = buildMulti(b, n)
	}
	return data
}

func BenchmarkParse1MB(b *testing.B) {
	data := oneMB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenize1MB(b *testing.B) {
	data := oneMB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		t, err := NewTokenizer(data)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := t.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
			t.comps, t.elems = t.comps[:0], t.elems[:0]
		}
	}
}

func BenchmarkParseCheck1MB(b *testing.B) {
	data := oneMB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, rep, err := Analyze(data); err != nil || !rep.Clean() {
			b.Fatal(err)
		}
	}
}

func BenchmarkReader1MB(b *testing.B) {
	data := oneMB(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(data))
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkParseUTILMD55001 parses one typical UTILMD 55001 interchange
// (ref §13, 13 segments).
func BenchmarkParseUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseCheckUTILMD55001 parses and runs every syntax check (FV
// resolution, UNH version, PID value list) on the same interchange.
func BenchmarkParseCheckUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, rep, err := Analyze(data); err != nil || !rep.Clean() {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildUTILMD55001(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ib := NewInterchangeBuilder(lfParty, nbParty, "MK26112000017", exTime)
		add55001(ib, "1", 1)
		if _, err := ib.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCONTRL55999(b *testing.B) {
	ix, rep, err := Analyze([]byte(example55999))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, due, _, err := BuildCONTRL(ix, rep, ContrlParams{Ref: "CT1", Time: contrlTime}); err != nil || !due {
			b.Fatal(err)
		}
	}
}
