package engine_test

import (
	"errors"
	"testing"

	"github.com/mako-engine/mako/pkg/engine/enginetest"

	"github.com/mako-engine/mako/pkg/engine"
)

type engineNamed struct{}

func (engineNamed) EventType() string { return "mako.sneaky" }

type ptrEvent struct{ N int }

func (*ptrEvent) EventType() string { return "Ptr" }

func TestCodecRegistrationErrors(t *testing.T) {
	for name, c := range map[string]*engine.Codec{
		"reserved prefix":  engine.NewCodec().Event(engineNamed{}, 1),
		"schema version 0": engine.NewCodec().Event(Added{}, 0),
		"duplicate event":  engine.NewCodec().Event(Added{}, 1).Event(Added{}, 2),
		"duplicate cmd":    engine.NewCodec().Command(Add{}).Command(Add{}),
		"nil event":        engine.NewCodec().Event(nil, 1),
	} {
		if c.Err() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	bad := engine.Define[ledgerState](badCodecLedger{}, fv2604)
	if !errors.Is(bad.Err(), engine.ErrInvalidArgument) {
		t.Fatalf("Define with bad codec: %v", bad.Err())
	}
	if _, err := engine.New(engine.WithEventStore(newStores().events), engine.WithWorkflows(bad)); err == nil {
		t.Fatal("engine accepted a bad definition")
	}
	if _, err := enginetest.Spawn(bad, newStores().engine(t), tenant); err == nil {
		t.Fatal("Spawn of a bad definition")
	}
	if err := engine.Define[ledgerState](ledger{name: "bad name"}, fv2604).Err(); !errors.Is(err, engine.ErrInvalidID) {
		t.Fatalf("bad name: %v", err)
	}
}

type badCodecLedger struct{ ledger }

func (badCodecLedger) Codec() *engine.Codec {
	return engine.NewCodec().Event(Added{}, 1).Event(Added{}, 1)
}

func TestCodecPointerTypesAndUnregistered(t *testing.T) {
	c := engine.NewCodec().Event(&ptrEvent{}, 1).Command(Add{})
	typ, v, b, err := c.EncodeEvent(&ptrEvent{N: 4})
	if err != nil || typ != "Ptr" || v != 1 {
		t.Fatal(typ, v, err)
	}
	ev, err := c.DecodeEvent("Ptr", b)
	if err != nil || ev.(*ptrEvent).N != 4 {
		t.Fatalf("DecodeEvent = %#v, %v", ev, err)
	}
	if _, _, _, err := c.EncodeEvent(Added{}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("unregistered event: %v", err)
	}
	if _, err := c.EncodeCommand(Close{}); !errors.Is(err, engine.ErrInvalidArgument) {
		t.Fatalf("unregistered command: %v", err)
	}
	if _, err := c.UnmarshalCommand([]byte{0xc1}); !errors.Is(err, engine.ErrDecode) {
		t.Fatalf("corrupt command: %v", err)
	}
}
