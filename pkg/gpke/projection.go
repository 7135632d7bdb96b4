package gpke

import (
	"github.com/mako-engine/mako/pkg/module"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// State labels of the process overview (module.Projectable, shown by
// `mako process list` and the read API). A process ends with the outcome of
// its Completed or Failed event (OutcomeConfirmed, OutcomeRejected, …) as
// its label. Events that leave the label unchanged project an empty State:
// APERAKs, CONTRLs, alerts, decisions and master-data changes, and answers
// (their Completed follows in the same commit). So the label is a pure
// function of the last labelled event, which a rebuild reproduces.
const (
	// StateRequestReceived: a request (55001, 55004, 55010 …) was received.
	StateRequestReceived = utilmdkit.StateRequestReceived
	// StateInitiated: the ERP started the process; its request is sent in
	// the same commit (StateWaitingForAnswer).
	StateInitiated = utilmdkit.StateInitiated
	// StateWaitingForAnswer: our request is sent; the partner's answer is due.
	StateWaitingForAnswer = utilmdkit.StateWaitingForAnswer
	// StateWaitingForLFA: the NB sent the Anfrage zur Beendigung der
	// Zuordnung (55010) and waits for the LFA's answer (E_0623).
	StateWaitingForLFA = utilmdkit.StateWaitingForLFA
	// StateWaitingForDecision: a policy step waits for the ERP's Decide.
	StateWaitingForDecision = utilmdkit.StateWaitingForDecision
)

// sentState is the label after sending pid: the requests that open a
// sending workflow wait for an answer, the NB's 55010 for the LFA. Other
// messages (answers, and the 55007 the NB sends the LFA after it has
// answered the LFN) leave the label unchanged.
func sentState(pid string) string {
	switch pid {
	case PIDAnfrageBeendigung:
		return StateWaitingForLFA
	case PIDAnmeldung, PIDAnmeldungErz, PIDAbmeldungLF, PIDKuendigung, PIDStorno:
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

// ProjectionFields implements module.Projectable.
func (e DecisionRequested) ProjectionFields() module.Fields {
	return utilmdkit.Fields(StateWaitingForDecision, e.PID, e.MaLo)
}

// ProjectionFields implements module.Projectable: the outcome is the label.
func (e Completed) ProjectionFields() module.Fields {
	return utilmdkit.Fields(e.Outcome, e.PID, "")
}
