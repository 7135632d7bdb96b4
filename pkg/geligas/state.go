package geligas

import (
	"time"

	"github.com/mako-engine/mako/pkg/engine"
	"github.com/mako-engine/mako/pkg/utilmdkit"
)

// State is the state of every GeLi Gas process (one type for all workflows
// of the package; Workflow names which one).
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
	// Out are the UTILMD transactions we sent, with their APERAK status.
	Out []Outgoing
	// NB: the Abmeldeanfrage 44010 to the LFA.
	LFA         string
	LFATx       string
	LFAExpired  bool
	LFAAnswered bool
	LFAObjected bool
	LFACode     string
	// Decision (policy steps).
	DecisionPending bool
	DefaultObject   bool
	ObjectKey       string
	ConsentKey      string
	Decision        *Decided
	// Answer is the answer we received to our request (sending workflows);
	// Info the Informationsmeldungen received.
	Answer *AnswerReceived
	Info   []InfoReceived
	// Done: the request is answered; Outcome says how.
	Done    bool
	Outcome string
	Notes   []string
}

// Outgoing is a UTILMD transaction the process sent.
type Outgoing struct {
	Sent
	// Aperak is "" (no error APERAK yet), "processed" (none by the
	// deadline), "313" (error APERAK), "312" (a positive one, recorded) or
	// "contrl" (rejected interchange); Received is set by a positive CONTRL.
	Aperak   string
	Received bool
}

func (s *State) out(tx string) *Outgoing {
	return utilmdkit.Find(s.Out, func(o *Outgoing) string { return o.TransactionID }, tx)
}

// sentTo returns the PID and recipient of transaction tx the process sent
// (ok false if it sent none with that id; utilmdkit.OwnStornoOf).
func (s *State) sentTo(tx string) (pid, recipient string, ok bool) {
	if o := s.out(tx); o != nil {
		return o.PID, o.Recipient, true
	}
	return "", "", false
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
	case Sent:
		s.Out = append(s.Out, Outgoing{Sent: e})
		if e.PID == PIDAbmeldeanfrage {
			s.LFA, s.LFATx = e.Recipient, e.TransactionID
		}
	case AperakReceived:
		if o := s.out(e.TransactionID); o != nil {
			o.Aperak = "313"
			if e.Accepted {
				o.Aperak = "312"
			}
		}
	case Processed:
		if o := s.out(e.TransactionID); o != nil && o.Aperak == "" {
			o.Aperak = "processed"
		}
	case ContrlReceived:
		if o := s.outByInterchange(e.InterchangeRef); o != nil {
			if e.Rejected {
				o.Aperak = "contrl"
			} else {
				o.Received = true
			}
		}
	case AnswerReceived:
		if e.RefTransaction != "" && e.RefTransaction == s.LFATx {
			if e.Timely {
				s.LFAAnswered = true
				s.LFAObjected = e.PID == PIDAbmeldeanfrageAbl
				s.LFACode = e.Code
			}
			break
		}
		a := e
		s.Answer = &a
	case InfoReceived:
		s.Info = append(s.Info, e)
		if s.MaLo == "" {
			s.MaLo = e.MaLo
		}
	case LFAWaitExpired:
		s.LFAExpired = true
	case DecisionRequested:
		s.DecisionPending, s.DefaultObject, s.ObjectKey, s.ConsentKey = true, e.DefaultObject, e.ObjectKey, e.ConsentKey
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
