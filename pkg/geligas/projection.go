package geligas

import (
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// State labels of the process overview (module.Projectable). A process ends
// with the outcome of its Completed or Failed event as its label; events
// that leave the label unchanged project an empty State.
const (
	// StateRequestReceived: a request (44001, 44004, 44010 …) was received.
	StateRequestReceived = utilmdkit.StateRequestReceived
	// StateInitiated: the ERP started the process.
	StateInitiated = utilmdkit.StateInitiated
	// StateWaitingForAnswer: our request is sent; the partner's answer is due.
	StateWaitingForAnswer = utilmdkit.StateWaitingForAnswer
	// StateWaitingForLFA: the NB sent the Abmeldeanfrage 44010 and waits for
	// the LFA (E_3007).
	StateWaitingForLFA = utilmdkit.StateWaitingForLFA
	// StateWaitingForDecision: a policy step waits for the ERP's Decide.
	StateWaitingForDecision = utilmdkit.StateWaitingForDecision
)

// sentState is the label after sending pid.
func sentState(pid string) string {
	switch pid {
	case PIDAbmeldeanfrage:
		return StateWaitingForLFA
	case PIDAnmeldung, PIDAbmeldung, PIDAbmeldungNB, PIDEoG, PIDKuendigung, PIDStorno:
		return StateWaitingForAnswer
	}
	return ""
}

// ProjectionFields implements module.Projectable.
func (e RequestReceived) ProjectionFields() module.Fields {
	return utilmdkit.Fields(StateRequestReceived, e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable.
func (e Initiated) ProjectionFields() module.Fields {
	return utilmdkit.Fields(StateInitiated, "", e.MaLo)
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
	return utilmdkit.Fields(StateWaitingForDecision, e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable: the outcome is the label.
func (e Completed) ProjectionFields() module.Fields {
	return utilmdkit.Fields(e.Outcome, e.PID, "")
}
