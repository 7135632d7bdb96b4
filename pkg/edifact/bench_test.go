package edifact

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// cpuMeter reports process CPU time per op ("cpu-ns/op") and, with a byte
// count, CPU throughput ("cpu-MB/s"), which stay meaningful on a busy host.
type cpuMeter struct {
	start time.Duration
	bytes int
}

func startCPU(b *testing.B, n int) *cpuMeter {
	b.SetBytes(int64(n))
	b.ReportAllocs()
	return &cpuMeter{start: processCPU(), bytes: n}
}

func (m *cpuMeter) stop(b *testing.B) {
	used := processCPU() - m.start
	if used <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	if m.bytes > 0 {
		b.ReportMetric(float64(m.bytes)*float64(b.N)/used.Seconds()/1e6, "cpu-MB/s")
	}
}

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
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

func BenchmarkTokenize1MB(b *testing.B) {
	data := oneMB(b)
	m := startCPU(b, len(data))
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
	m.stop(b)
}

func BenchmarkParseCheck1MB(b *testing.B) {
	data := oneMB(b)
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, rep, err := Analyze(data); err != nil || !rep.Clean() {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

func BenchmarkReader1MB(b *testing.B) {
	data := oneMB(b)
	m := startCPU(b, len(data))
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
	m.stop(b)
}

// BenchmarkParseUTILMD55001 parses one typical UTILMD 55001 interchange
// (ref §13, 13 segments).
func BenchmarkParseUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

// BenchmarkParseCheckUTILMD55001 parses and runs every syntax check (FV
// resolution, UNH version, PID value list) on the same interchange.
func BenchmarkParseCheckUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, rep, err := Analyze(data); err != nil || !rep.Clean() {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

func BenchmarkBuildUTILMD55001(b *testing.B) {
	m := startCPU(b, 0)
	for b.Loop() {
		ib := NewInterchangeBuilder(lfParty, nbParty, "MK26112000017", exTime)
		add55001(ib, "1", 1)
		if _, err := ib.Bytes(); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

func BenchmarkCONTRL55999(b *testing.B) {
	ix, rep, err := Analyze([]byte(example55999))
	if err != nil {
		b.Fatal(err)
	}
	m := startCPU(b, 0)
	for b.Loop() {
		if _, due, _, err := BuildCONTRL(ix, rep, ContrlParams{Ref: "CT1", Time: contrlTime}); err != nil || !due {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

// BenchmarkParser1MB is Parse with memory reuse (NewParser): the steady
// state of an ingest loop.
func BenchmarkParser1MB(b *testing.B) {
	data := oneMB(b)
	p := NewParser()
	if _, err := p.Parse(data); err != nil { // size the reused arrays
		b.Fatal(err)
	}
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, err := p.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

func BenchmarkParserUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	p := NewParser()
	if _, err := p.Parse(data); err != nil {
		b.Fatal(err)
	}
	m := startCPU(b, len(data))
	for b.Loop() {
		if _, err := p.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
	m.stop(b)
}

// BenchmarkParserCheckUTILMD55001 is the ingest steady state: Parser (memory
// reuse) plus every syntax check.
func BenchmarkParserCheckUTILMD55001(b *testing.B) {
	data := []byte(example55001)
	p := NewParser()
	m := startCPU(b, len(data))
	for b.Loop() {
		ix, err := p.Parse(data)
		if err != nil {
			b.Fatal(err)
		}
		if !Check(ix).Clean() {
			b.Fatal("findings")
		}
	}
	m.stop(b)
}
