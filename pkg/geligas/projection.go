package geligas

import "github.com/mako-engine/mako/pkg/module"

// State labels of the process overview (module.Projectable). A process ends
// with the outcome of its Completed or Failed event as its label; events
// that leave the label unchanged project an empty State.
const (
	// StateRequestReceived: a request (44001, 44004, 44010 …) was received.
	StateRequestReceived = "request_received"
	// StateInitiated: the ERP started the process.
	StateInitiated = "initiated"
	// StateWaitingForAnswer: our request is sent; the partner's answer is due.
	StateWaitingForAnswer = "waiting_for_answer"
	// StateWaitingForLFA: the NB sent the Abmeldeanfrage 44010 and waits for
	// the LFA (E_3007).
	StateWaitingForLFA = "waiting_for_lfa"
	// StateWaitingForDecision: a policy step waits for the ERP's Decide.
	StateWaitingForDecision = "waiting_for_decision"
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

func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

// ProjectionFields implements module.Projectable.
func (e RequestReceived) ProjectionFields() module.Fields {
	return module.Fields{State: StateRequestReceived, PIDs: one(e.PID), MaLo: one(e.MaLo)}
}

// ProjectionFields implements module.Projectable.
func (e Initiated) ProjectionFields() module.Fields {
	return module.Fields{State: StateInitiated, MaLo: one(e.MaLo)}
}

// ProjectionFields implements module.Projectable.
func (e Sent) ProjectionFields() module.Fields {
	return module.Fields{State: sentState(e.PID), PIDs: one(e.PID)}
}

// ProjectionFields implements module.Projectable (the PID of the answer;
// the label follows from the Completed or the NB's decision after it).
func (e AnswerReceived) ProjectionFields() module.Fields {
	return module.Fields{PIDs: one(e.PID)}
}

// ProjectionFields implements module.Projectable (the Informationsmeldung's
// PID and MaLo; its Completed, if it ends the process, sets the label).
func (e InfoReceived) ProjectionFields() module.Fields {
	return module.Fields{PIDs: one(e.PID), MaLo: one(e.MaLo)}
}

// ProjectionFields implements module.Projectable.
func (e DecisionRequested) ProjectionFields() module.Fields {
	return module.Fields{State: StateWaitingForDecision, PIDs: one(e.PID), MaLo: one(e.MaLo)}
}

// ProjectionFields implements module.Projectable: the outcome is the label.
func (e Completed) ProjectionFields() module.Fields {
	return module.Fields{State: e.Outcome, PIDs: one(e.PID)}
}

// ProjectionFields implements module.Projectable: the outcome is the label.
func (e Failed) ProjectionFields() module.Fields {
	state := e.Outcome
	if state == "" {
		state = OutcomeFailed
	}
	return module.Fields{State: state}
}
