package geligas

import (
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// The labels of the process overview (module.Projectable, shown by `mako
// process list` and the read API) are utilmdkit's State… labels and, when a
// process ends, the outcome of its Completed or Failed event
// (OutcomeConfirmed, OutcomeRejected, …). Events that leave the label
// unchanged project an empty State, so the label is a pure function of the
// last labelled event, which a rebuild reproduces.

// sentState is the label after sending pid.
func sentState(pid string) string {
	switch pid {
	case PIDAbmeldeanfrage:
		return utilmdkit.StateWaitingForLFA
	case PIDAnmeldung, PIDAbmeldung, PIDAbmeldungNB, PIDEoG, PIDKuendigung, PIDStorno:
		return utilmdkit.StateWaitingForAnswer
	}
	return ""
}

// ProjectionFields implements module.Projectable.
func (e RequestReceived) ProjectionFields() module.Fields {
	return utilmdkit.Fields(utilmdkit.StateRequestReceived, e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable.
func (e Initiated) ProjectionFields() module.Fields {
	return utilmdkit.Fields(utilmdkit.StateInitiated, "", e.MaLo)
}

// ProjectionFields implements module.Projectable.
func (e Sent) ProjectionFields() module.Fields {
	return utilmdkit.Fields(sentState(e.PID), e.PID, "")
}

// ProjectionFields implements module.Projectable (the PID of the answer;
// the label follows from the Completed or the NB's decision after it).
func (e AnswerReceived) ProjectionFields() module.Fields {
	return utilmdkit.Fields("", e.PID, "")
}

// ProjectionFields implements module.Projectable (the Informationsmeldung's
// PID and MaLo; its Completed, if it ends the process, sets the label).
func (e InfoReceived) ProjectionFields() module.Fields {
	return utilmdkit.Fields("", e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable.
func (e DecisionRequested) ProjectionFields() module.Fields {
	return utilmdkit.Fields(utilmdkit.StateWaitingForDecision, e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable: the outcome is the label.
func (e Completed) ProjectionFields() module.Fields {
	return utilmdkit.Fields(e.Outcome, e.PID, "")
}
