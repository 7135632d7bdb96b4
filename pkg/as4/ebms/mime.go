package ebms

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
)

// Part is one MIME attachment of an AS4 message.
type Part struct {
	// ContentID without angle brackets and without "cid:".
	ContentID   string
	ContentType string
	// Data is the content after Content-Transfer-Encoding decoding.
	Data []byte
}

// soapContentType is the root part's type (SOAP 1.2).
const soapContentType = "application/soap+xml"

// WriteMultipart writes a SOAP-with-Attachments message (multipart/related;
// type="application/soap+xml", the envelope as root part, each part in binary transfer
// encoding) and returns the Content-Type header value for the HTTP request. The profile sends
// MIME even without payload (as4.md §3.1).
func WriteMultipart(w io.Writer, envelope []byte, parts []Part) (string, error) {
	mw := multipart.NewWriter(w)
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", err
	}
	rootID := "root-" + hex.EncodeToString(rnd[:]) + "@mako"
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", soapContentType+"; charset=UTF-8")
	h.Set("Content-Transfer-Encoding", "binary")
	h.Set("Content-ID", "<"+rootID+">")
	pw, err := mw.CreatePart(h)
	if err != nil {
		return "", err
	}
	if _, err := pw.Write(envelope); err != nil {
		return "", err
	}
	for _, p := range parts {
		if p.ContentID == "" || strings.ContainsAny(p.ContentID, "<>\r\n") {
			return "", fmt.Errorf("ebms: invalid Content-ID %q", p.ContentID)
		}
		h := textproto.MIMEHeader{}
		ct := p.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.Set("Content-Type", ct)
		h.Set("Content-Transfer-Encoding", "binary")
		h.Set("Content-ID", "<"+p.ContentID+">")
		pw, err := mw.CreatePart(h)
		if err != nil {
			return "", err
		}
		if _, err := pw.Write(p.Data); err != nil {
			return "", err
		}
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return mime.FormatMediaType("multipart/related", map[string]string{
		"boundary": mw.Boundary(), "type": soapContentType, "start": "<" + rootID + ">",
	}), nil
}

// ReadMultipart parses an AS4 HTTP body. A plain application/soap+xml body (a bare envelope,
// allowed for a path switch without payload) yields no parts. maxPart bounds each part's size.
// Problems are EBMS:0007 MimeInconsistency.
func ReadMultipart(contentType string, body io.Reader, maxPart int64) (envelope []byte, parts []Part, err error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, nil, NewError(CodeMimeInconsistency, "", "Content-Type: "+err.Error())
	}
	if mt == soapContentType {
		env, err := readLimited(body, maxPart)
		return env, nil, err
	}
	if mt != "multipart/related" || params["boundary"] == "" {
		return nil, nil, NewError(CodeMimeInconsistency, "", "Content-Type "+mt+" is not multipart/related")
	}
	start := strings.Trim(params["start"], "<>")
	mr := multipart.NewReader(body, params["boundary"])
	first := true
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, NewError(CodeMimeInconsistency, "", err.Error())
		}
		data, err := readLimited(p, maxPart)
		if err != nil {
			return nil, nil, err
		}
		switch enc := strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding"))); enc {
		case "", "binary", "8bit", "7bit":
		case "base64":
			dec, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
			if err != nil {
				return nil, nil, NewError(CodeMimeInconsistency, "", "base64 part: "+err.Error())
			}
			data = dec
		default:
			return nil, nil, NewError(CodeMimeInconsistency, "", "Content-Transfer-Encoding "+enc)
		}
		cid := strings.Trim(strings.TrimSpace(p.Header.Get("Content-ID")), "<>")
		isRoot := (start != "" && cid == start) || (start == "" && first)
		first = false
		if isRoot {
			if envelope != nil {
				return nil, nil, NewError(CodeMimeInconsistency, "", "two root parts")
			}
			envelope = data
			continue
		}
		if cid == "" {
			return nil, nil, NewError(CodeMimeInconsistency, "", "attachment without Content-ID")
		}
		parts = append(parts, Part{ContentID: cid, ContentType: p.Header.Get("Content-Type"), Data: data})
	}
	if envelope == nil {
		return nil, nil, NewError(CodeMimeInconsistency, "", "no SOAP root part")
	}
	return envelope, parts, nil
}

func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, NewError(CodeMimeInconsistency, "", err.Error())
	}
	if int64(len(b)) > max {
		return nil, NewError(CodeMimeInconsistency, "", fmt.Sprintf("MIME part larger than %d bytes", max))
	}
	return b, nil
}

// CheckParts checks that the MIME parts and the PartInfo elements of m correspond one to one
// (EBMS:0007 MimeInconsistency otherwise).
func CheckParts(m *UserMessage, parts []Part) error {
	byCID := map[string]bool{}
	for _, p := range parts {
		if byCID[p.ContentID] {
			return NewError(CodeMimeInconsistency, m.MessageID, "duplicate Content-ID "+p.ContentID)
		}
		byCID[p.ContentID] = true
	}
	if len(parts) != len(m.Parts) {
		return NewError(CodeMimeInconsistency, m.MessageID, fmt.Sprintf("%d MIME parts for %d PartInfo elements", len(parts), len(m.Parts)))
	}
	for _, pi := range m.Parts {
		if !byCID[pi.ContentID()] {
			return NewError(CodeMimeInconsistency, m.MessageID, "no MIME part for "+pi.Href)
		}
	}
	return nil
}

// Compress gzips a payload (Profil §2.2.3.3).
func Compress(data []byte) []byte {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data) // writes to a bytes.Buffer cannot fail
	zw.Close()
	return b.Bytes()
}

// Decompress gunzips a payload, refusing output larger than max (a decompression bomb) and
// broken data with EBMS:0303 DecompressionFailure.
func Decompress(data []byte, max int64, refTo string) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, NewError(CodeDecompressionFailure, refTo, err.Error())
	}
	out, err := io.ReadAll(io.LimitReader(zr, max+1))
	if err != nil {
		return nil, NewError(CodeDecompressionFailure, refTo, err.Error())
	}
	if int64(len(out)) > max {
		return nil, NewError(CodeDecompressionFailure, refTo, fmt.Sprintf("decompressed payload larger than %d bytes", max))
	}
	return out, nil
}
