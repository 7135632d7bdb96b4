package gpke

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
		RequestReceived{}, Initiated{}, AperakSent{}, Sent{}, AperakReceived{}, AperakMissing{}, ContrlReceived{},
		AnswerReceived{}, LFAWaitExpired{}, DecisionRequested{}, Decided{}, Completed{}, Failed{}, SupplierAssigned{},
		SupplyEnded{}, Noted{}, Delivered{}, Undelivered{}, StornoReceived{},
		Enriched{}, RegisterSupplyStart{}, RequestTermination{}, RegisterSupplyEnd{}, RequestCancellation{}, Decide{}, Timeout{})
}
