package gpke

import (
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// State is the state of every GPKE process (one type for all workflows of
// the package; Workflow names which one).
type State struct {
	Workflow string
	Started  bool
	Own      string
	Partner  string
	FV       string
	MaLo     string
	Date     time.Time
	// Request is the received request that started the process (answering
	// workflows), Init the ERP command (sending workflows).
	Request *RequestReceived
	Init    *Initiated
	// RequestAperak is the APERAK code we sent for Request ("312"/"313").
	RequestAperak string
	// Out are the UTILMD transactions we sent, with their APERAK status.
	Out []Outgoing
	// NB: the Anfrage zur Beendigung der Zuordnung to the LFA.
	LFA         string
	LFATx       string
	LFAWaitDue  time.Time
	LFAExpired  bool
	LFAAnswered bool
	LFAObjected bool
	LFACode     string
	// Decision (policy steps).
	DecisionPending bool
	DecisionDue     time.Time
	DefaultObject   bool
	ObjectCode      string
	ConsentCode     string
	Decision        *Decided
	// Answer is the answer we received to our request (sending workflows).
	Answer *AnswerReceived
	// Done: the request is answered; Outcome says how.
	Done    bool
	Outcome string
	Notes   []string
}

// Outgoing is a UTILMD transaction the process sent.
type Outgoing struct {
	Sent
	// Aperak is "" (pending), "312", "313", "missing" or "contrl" (rejected
	// interchange).
	Aperak string
}

func (s *State) out(tx string) *Outgoing {
	return utilmdkit.Find(s.Out, func(o *Outgoing) string { return o.TransactionID }, tx)
}

// sentTo returns the PID and recipient of the transaction tx the process
// sent; ok false if it sent no such transaction.
func (s *State) sentTo(tx string) (pid, recipient string, ok bool) {
	if o := s.out(tx); o != nil {
		return o.PID, o.Recipient, true
	}
	return "", "", false
}

// firstTx returns the process's first sent transaction ("" if none).
func (s *State) firstTx() string {
	if len(s.Out) == 0 {
		return ""
	}
	return s.Out[0].TransactionID
}

func (s *State) outByDoc(doc string) *Outgoing {
	return utilmdkit.Find(s.Out, func(o *Outgoing) string { return o.Document }, doc)
}

func (s *State) outByInterchange(ref string) *Outgoing {
	return utilmdkit.Find(s.Out, func(o *Outgoing) string { return o.InterchangeRef }, ref)
}

// apply folds one event into the state (total, pure).
func apply(s State, ev engine.Event) State {
	switch e := ev.Data.(type) {
	case RequestReceived:
		s.Started, s.Workflow = true, e.Workflow
		s.Own, s.Partner, s.FV, s.MaLo, s.Date = e.Receiver, e.Sender, e.FV, e.MaLo, e.Date
		r := e
		s.Request = &r
	case Initiated:
		s.Started, s.Workflow = true, e.Workflow
		s.Own, s.Partner, s.FV, s.MaLo, s.Date = e.Own, e.Partner, e.FV, e.MaLo, e.Date
		i := e
		s.Init = &i
	case AperakSent:
		if s.Request != nil && e.TransactionID == s.Request.TransactionID {
			s.RequestAperak = e.Code
		}
	case Sent:
		s.Out = append(s.Out, Outgoing{Sent: e})
		if e.PID == PIDAnfrageBeendigung {
			s.LFA, s.LFATx = e.Recipient, e.TransactionID
		}
	case AperakReceived:
		if o := s.out(e.TransactionID); o != nil {
			o.Aperak = "313"
			if e.Accepted {
				o.Aperak = "312"
			}
		}
	case AperakMissing:
		if o := s.out(e.TransactionID); o != nil && o.Aperak == "" {
			o.Aperak = "missing"
		}
	case ContrlReceived:
		if o := s.outByInterchange(e.InterchangeRef); o != nil && e.Rejected {
			o.Aperak = "contrl"
		}
	case AnswerReceived:
		if e.RefTransaction != "" && e.RefTransaction == s.LFATx {
			if e.Timely {
				s.LFAAnswered = true
				s.LFAObjected = e.PID == PIDAnfrageAbl
				s.LFACode = e.Code
			}
			break
		}
		a := e
		s.Answer = &a
	case LFAWaitExpired:
		s.LFAExpired = true
	case DecisionRequested:
		s.DecisionPending, s.DecisionDue = true, e.Due
		s.DefaultObject, s.ObjectCode, s.ConsentCode = e.DefaultObject, e.ObjectCode, e.ConsentCode
	case Decided:
		d := e
		s.Decision, s.DecisionPending = &d, false
	case Completed:
		s.Done, s.Outcome = true, e.Outcome
	case Failed:
		s.Done, s.Outcome = true, e.Outcome
	case Noted:
		s.Notes = append(s.Notes, e.What)
	}
	return s
}

// codeFor returns the EBD code of the pending decision step for a verdict.
func (s *State) codeFor(object bool) string {
	if object {
		return s.ObjectCode
	}
	return s.ConsentCode
}
