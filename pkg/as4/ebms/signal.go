package ebms

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/beevik/etree"

	x "github.com/mako-engine/mako/pkg/as4/internal/xmlutil"
	"github.com/mako-engine/mako/pkg/as4/smpki"
	"github.com/mako-engine/mako/pkg/as4/wss"
	"github.com/mako-engine/mako/pkg/as4/xmlenc"
)

// Error codes of ebMS3 Core §6.7 and the AS4 profile §5.2.3 (0301–0303).
const (
	CodeValueNotRecognized               = "EBMS:0001"
	CodeFeatureNotSupported              = "EBMS:0002"
	CodeValueInconsistent                = "EBMS:0003"
	CodeOther                            = "EBMS:0004"
	CodeConnectionFailure                = "EBMS:0005"
	CodeEmptyMessagePartitionChannel     = "EBMS:0006"
	CodeMimeInconsistency                = "EBMS:0007"
	CodeFeatureNotSupportedInconsistency = "EBMS:0008"
	CodeInvalidHeader                    = "EBMS:0009"
	CodeProcessingModeMismatch           = "EBMS:0010"
	CodeExternalPayloadError             = "EBMS:0011"
	CodeFailedAuthentication             = "EBMS:0101"
	CodeFailedDecryption                 = "EBMS:0102"
	CodePolicyNoncompliance              = "EBMS:0103"
	CodeDysfunctionalReliability         = "EBMS:0201"
	CodeDeliveryFailure                  = "EBMS:0202"
	CodeMissingReceipt                   = "EBMS:0301"
	CodeInvalidReceipt                   = "EBMS:0302"
	CodeDecompressionFailure             = "EBMS:0303"
)

// errorDef is one row of the error table.
type errorDef struct{ short, severity, category string }

// errorTable: short description, severity and category of each code. Source: OASIS ebMS3 Core
// §6.7.1 (0001–0202) and the AS4 Profile of ebMS 3.0 §5.2.3 (0301–0303), as enumerated in
// phase4's EEbmsError. Where phase4 deviates from the ebMS3 table (0005 severity, 0006 severity,
// 0011 category) the ebMS3 table is followed.
var errorTable = map[string]errorDef{
	CodeValueNotRecognized:               {"ValueNotRecognized", "failure", "Content"},
	CodeFeatureNotSupported:              {"FeatureNotSupported", "warning", "Content"},
	CodeValueInconsistent:                {"ValueInconsistent", "failure", "Content"},
	CodeOther:                            {"Other", "failure", "Content"},
	CodeConnectionFailure:                {"ConnectionFailure", "failure", "Communication"},
	CodeEmptyMessagePartitionChannel:     {"EmptyMessagePartitionChannel", "warning", "Communication"},
	CodeMimeInconsistency:                {"MimeInconsistency", "failure", "Unpackaging"},
	CodeFeatureNotSupportedInconsistency: {"FeatureNotSupportedInconsistency", "failure", "Unpackaging"},
	CodeInvalidHeader:                    {"InvalidHeader", "failure", "Unpackaging"},
	CodeProcessingModeMismatch:           {"ProcessingModeMismatch", "failure", "Processing"},
	CodeExternalPayloadError:             {"ExternalPayloadError", "failure", "Content"},
	CodeFailedAuthentication:             {"FailedAuthentication", "failure", "Processing"},
	CodeFailedDecryption:                 {"FailedDecryption", "failure", "Processing"},
	CodePolicyNoncompliance:              {"PolicyNoncompliance", "failure", "Processing"},
	CodeDysfunctionalReliability:         {"DysfunctionalReliability", "failure", "Processing"},
	CodeDeliveryFailure:                  {"DeliveryFailure", "failure", "Communication"},
	CodeMissingReceipt:                   {"MissingReceipt", "failure", "Communication"},
	CodeInvalidReceipt:                   {"InvalidReceipt", "failure", "Communication"},
	CodeDecompressionFailure:             {"DecompressionFailure", "failure", "Communication"},
}

// Error is an ebMS error: returned by this package's checks, carried in eb:Error signals.
type Error struct {
	Code                string
	ShortDescription    string
	Severity            string // "failure" or "warning"
	Category            string
	Origin              string
	RefToMessageInError string
	Detail              string
	// Cause is the underlying Go error, not transmitted.
	Cause error
}

// NewError returns the error for code with the table's description, severity and category.
func NewError(code, refToMessage, detail string) *Error {
	d := errorTable[code]
	return &Error{Code: code, ShortDescription: d.short, Severity: d.severity, Category: d.category, RefToMessageInError: refToMessage, Detail: detail}
}

// Error implements error.
func (e *Error) Error() string {
	s := fmt.Sprintf("ebms %s %s", e.Code, e.ShortDescription)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.RefToMessageInError != "" {
		s += " (message " + e.RefToMessageInError + ")"
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Classify maps an error of the security packages (or of this package) to the ebMS error a
// receiver answers with (as4.md §6.2 guidance): signature, digest, token and certificate
// failures → EBMS:0101; decryption failures → EBMS:0102; missing security or other algorithms →
// EBMS:0103. refTo is the MessageId of the message in error. Unknown errors become EBMS:0004.
func Classify(err error, refTo string) *Error {
	var e *Error
	if errors.As(err, &e) {
		if e.RefToMessageInError == "" {
			e.RefToMessageInError = refTo
		}
		return e
	}
	code := CodeOther
	switch {
	case errors.Is(err, wss.ErrPolicy), errors.Is(err, xmlenc.ErrUnsupported):
		code = CodePolicyNoncompliance
	case errors.Is(err, xmlenc.ErrDecrypt), errors.Is(err, xmlenc.ErrMalformed):
		code = CodeFailedDecryption
	case errors.Is(err, wss.ErrSignature), errors.Is(err, wss.ErrDigest), errors.Is(err, wss.ErrReference),
		errors.Is(err, wss.ErrToken), errors.Is(err, smpki.ErrSignature), errors.Is(err, smpki.ErrParse):
		code = CodeFailedAuthentication
	case errors.Is(err, x.ErrUnsafeXML):
		code = CodeInvalidHeader
	}
	out := NewError(code, refTo, err.Error())
	out.Cause = err
	return out
}

// SignalMessage is a parsed eb:SignalMessage: a receipt or errors.
type SignalMessage struct {
	MessageID      string
	RefToMessageID string
	Timestamp      time.Time
	// Receipt is set for a receipt signal; References are its NRR ds:Reference elements.
	Receipt *Receipt
	Errors  []*Error
}

// Receipt is the content of an eb:Receipt with ebbp:NonRepudiationInformation.
type Receipt struct {
	References []ReceiptReference
}

// ReceiptReference is one ebbp:MessagePartNRInformation/ds:Reference.
type ReceiptReference struct {
	URI    string
	Digest []byte
}

// BuildReceipt returns the SOAP envelope of a non-repudiation receipt for the received message
// refTo: one ebbp:MessagePartNRInformation per reference of the received message's signature
// (as wss.Verifier returned them). Sign it with wss.Signer before sending (Profil §2.2.5).
func BuildReceipt(messageID, refTo string, ts time.Time, refs []wss.Reference) *etree.Document {
	doc, msg := newEnvelope("msg-"+idSafe(messageID), "body-"+idSafe(messageID))
	sm := msg.CreateElement("eb:SignalMessage")
	addMessageInfo(sm, ts, messageID, refTo)
	nri := sm.CreateElement("eb:Receipt").CreateElement("ebbp:NonRepudiationInformation")
	nri.CreateAttr("xmlns:ebbp", x.NSEBBP)
	for _, r := range refs {
		nri.CreateElement("ebbp:MessagePartNRInformation").AddChild(x.DetachedCopy(r.Element))
	}
	return doc
}

// BuildErrorSignal returns the SOAP envelope of an ebMS error signal. RefToMessageId is taken
// from the first error (the message in error), as phase4 does.
func BuildErrorSignal(messageID string, ts time.Time, errs ...*Error) *etree.Document {
	doc, msg := newEnvelope("msg-"+idSafe(messageID), "body-"+idSafe(messageID))
	sm := msg.CreateElement("eb:SignalMessage")
	refTo := ""
	if len(errs) > 0 {
		refTo = errs[0].RefToMessageInError
	}
	addMessageInfo(sm, ts, messageID, refTo)
	for _, e := range errs {
		el := sm.CreateElement("eb:Error")
		el.CreateAttr("category", e.Category)
		el.CreateAttr("errorCode", e.Code)
		if e.Origin != "" {
			el.CreateAttr("origin", e.Origin)
		}
		if e.RefToMessageInError != "" {
			el.CreateAttr("refToMessageInError", e.RefToMessageInError)
		}
		el.CreateAttr("severity", e.Severity)
		el.CreateAttr("shortDescription", e.ShortDescription)
		if e.Detail != "" {
			el.CreateElement("eb:ErrorDetail").SetText(e.Detail)
		}
	}
	return doc
}

// ParseSignalMessage reads the eb:SignalMessage of a SOAP 1.2 envelope.
func ParseSignalMessage(doc *etree.Document) (*SignalMessage, error) {
	msg, err := messaging(doc)
	if err != nil {
		return nil, err
	}
	sms := x.Children(msg, x.NSEB, "SignalMessage")
	if len(sms) != 1 {
		return nil, NewError(CodeInvalidHeader, "", fmt.Sprintf("%d SignalMessages", len(sms)))
	}
	sm := sms[0]
	s := &SignalMessage{}
	if s.MessageID, s.RefToMessageID, s.Timestamp, err = parseMessageInfo(sm); err != nil {
		return nil, err
	}
	if rc := x.Child(sm, x.NSEB, "Receipt"); rc != nil {
		s.Receipt = &Receipt{}
		for _, pi := range x.Children(x.Child(rc, x.NSEBBP, "NonRepudiationInformation"), x.NSEBBP, "MessagePartNRInformation") {
			ref := x.Child(pi, x.NSDS, "Reference")
			if ref == nil {
				continue
			}
			d, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(x.Text(x.Child(ref, x.NSDS, "DigestValue"))), ""))
			if err != nil {
				return nil, NewError(CodeInvalidReceipt, s.RefToMessageID, "receipt DigestValue is not base64")
			}
			s.Receipt.References = append(s.Receipt.References, ReceiptReference{URI: ref.SelectAttrValue("URI", ""), Digest: d})
		}
	}
	for _, e := range x.Children(sm, x.NSEB, "Error") {
		s.Errors = append(s.Errors, &Error{
			Code: e.SelectAttrValue("errorCode", ""), ShortDescription: e.SelectAttrValue("shortDescription", ""),
			Severity: e.SelectAttrValue("severity", ""), Category: e.SelectAttrValue("category", ""),
			Origin: e.SelectAttrValue("origin", ""), RefToMessageInError: e.SelectAttrValue("refToMessageInError", ""),
			Detail: x.Text(x.Child(e, x.NSEB, "ErrorDetail")),
		})
	}
	if s.Receipt == nil && len(s.Errors) == 0 {
		return nil, NewError(CodeValueNotRecognized, s.MessageID, "SignalMessage is neither a receipt nor an error")
	}
	return s, nil
}

// CheckReceipt checks a (signature-verified) receipt signal against the message we sent: it
// refers to sentID and its NRR information repeats every reference (URI and digest) of our
// signature. Any mismatch is EBMS:0302 InvalidReceipt (as4.md §6.2).
func CheckReceipt(s *SignalMessage, sentID string, sent []wss.Reference) error {
	if s.Receipt == nil {
		return NewError(CodeInvalidReceipt, sentID, "signal is not a receipt")
	}
	if s.RefToMessageID != sentID {
		return NewError(CodeInvalidReceipt, sentID, fmt.Sprintf("receipt refers to %q", s.RefToMessageID))
	}
	got := map[string][]byte{}
	for _, r := range s.Receipt.References {
		got[r.URI] = r.Digest
	}
	for _, r := range sent {
		d, ok := got[r.URI]
		if !ok {
			return NewError(CodeInvalidReceipt, sentID, fmt.Sprintf("receipt lacks reference %q", r.URI))
		}
		if !bytes.Equal(d, r.Digest) {
			return NewError(CodeInvalidReceipt, sentID, fmt.Sprintf("receipt digest for %q differs from what was sent", r.URI))
		}
	}
	return nil
}
