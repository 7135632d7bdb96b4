package natsstore

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/vmihailenco/msgpack/v5"
)

// reflectRecord has commitRecord's fields and tags but not its encoder.
type reflectRecord struct {
	Format  int           `msgpack:"f"`
	Tenant  string        `msgpack:"t"`
	Process string        `msgpack:"p"`
	First   uint64        `msgpack:"s"`
	Time    int64         `msgpack:"ts"`
	Events  []eventRecord `msgpack:"e"`
}

func TestRecordEncodingMatchesReflection(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		if rnd.IntN(3) == 0 {
			return ""
		}
		return strconv.Itoa(rnd.IntN(1 << 20))
	}
	for i := range 500 {
		rec := commitRecord{Format: recordFormat, Tenant: "t" + str(), Process: str(), First: rnd.Uint64N(1 << uint(rnd.IntN(63))), Time: rnd.Int64() - rnd.Int64()}
		if i%7 != 0 {
			rec.Events = make([]eventRecord, rnd.IntN(4))
		}
		for j := range rec.Events {
			e := eventRecord{ID: str(), Type: str(), Schema: rnd.IntN(300) - 10, Workflow: str(), Correlation: str(),
				Causation: str(), Conversation: str(), Command: str(), TraceParent: str()}
			if rnd.IntN(4) > 0 {
				e.Payload = bytes.Repeat([]byte{byte(j)}, rnd.IntN(300))
			}
			rec.Events[j] = e
		}
		got, err := msgpack.Marshal(&rec)
		if err != nil {
			t.Fatal(err)
		}
		want, err := msgpack.Marshal((*reflectRecord)(&rec))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("record %d: hand-written encoding differs from reflection\n got %x\nwant %x", i, got, want)
		}
		var back commitRecord
		dec := msgpack.NewDecoder(bytes.NewReader(got))
		dec.DisallowUnknownFields(true)
		if err := dec.Decode(&back); err != nil {
			t.Fatalf("record %d: decode: %v", i, err)
		}
	}
}
