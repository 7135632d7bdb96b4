package geligas

import (
	"testing"

	"github.com/mako-engine/mako/pkg/utilmdkit/utilmdtest"
)

// TestWireContract pins the type name, the stored msgpack and JSON shape
// and the ERP/projection view of every event and command of the package
// (testdata/wire.golden), so that stored streams keep replaying whatever
// the code behind the types becomes.
func TestWireContract(t *testing.T) {
	utilmdtest.PinWire(t, "testdata/wire.golden",
		RequestReceived{}, Initiated{}, AperakSent{}, Sent{}, AperakReceived{}, Processed{}, ContrlReceived{},
		AnswerReceived{}, InfoReceived{}, LFAWaitExpired{}, DecisionRequested{}, Decided{}, Completed{}, Failed{},
		SupplierAssigned{}, SupplyEnded{}, AssignmentRevoked{}, StornoReceived{}, Delivered{}, Undelivered{}, Noted{},
		Enriched{}, RegisterSupplyStart{}, RequestTermination{}, RegisterSupplyEnd{}, DeregisterSupply{}, RegisterEoG{},
		RequestCancellation{}, Decide{}, Timeout{})
}
