package ebms

import (
	"bytes"
	"testing"
)

// FuzzOpen: whatever arrives, Open answers with an ebMS error or a verified message, never a
// panic; and nothing but the unmodified sealed message is accepted.
func FuzzOpen(f *testing.F) {
	w := newWorld(f)
	sealed := w.seal(f, w.lf, lfw24Message())
	f.Add(sealed.ContentType, sealed.Body)
	f.Add("application/soap+xml", []byte(userMessageXML(f)))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		o, e := w.receiver.Open(ct, bytes.NewReader(body))
		if (o == nil) == (e == nil) {
			t.Fatalf("Open returned message %v and error %v", o != nil, e)
		}
		if o != nil && !(ct == sealed.ContentType && bytes.Equal(body, sealed.Body)) {
			// A different byte string may still carry the same signed content (e.g. other
			// whitespace outside signed parts); it must then be the same message.
			if o.Message.MessageID != lfw24Message().MessageID || !bytes.Equal(o.Payloads[0].Data, edi) {
				t.Fatalf("accepted a forged message %q", o.Message.MessageID)
			}
		}
	})
}

func userMessageXML(t testing.TB) string {
	b, err := lfw24Message().Envelope().WriteToString()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
