package deliverer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mako-engine/mako/pkg/edifact"
	"github.com/mako-engine/mako/pkg/partner"
)

// DefaultFilePattern is the EDI@Energy file name of an interchange:
// `TYPE_0026_sender_recipient_yyyymmdd_DAR.txt`, the date in UTC, two
// underscores in a row when UNB 0026 is empty (edifact.md §2, citing the
// Allgemeine Festlegungen §2.12 through a third-party generator [B]; not
// checked against the BDEW text itself, hence configurable per channel and
// per deliverer).
//
// Placeholders: {type} message type (UNH 0065 / Mako-Message-Type),
// {appref} UNB 0026, {sender} UNB 0004, {recipient} UNB 0010, {date} UNB
// S004 date as yyyymmdd (S004 read as UTC, like pkg/edifact; the outbox
// timestamp in UTC when S004 is unreadable), {dar} UNB 0020, {id} the outbox
// message id. Every value is reduced to [A-Za-z0-9._-] (other bytes become
// '-'), so a name can never leave the directory.
const DefaultFilePattern = "{type}_{appref}_{sender}_{recipient}_{date}_{dar}.txt"

// FileName returns the file name of d under pattern (DefaultFilePattern if
// empty). Names are deterministic: the same interchange always gets the same
// name, which makes a repeated delivery recognisable.
func FileName(pattern string, d Delivery) (string, error) {
	if pattern == "" {
		pattern = DefaultFilePattern
	}
	m := d.Message
	v := map[string]string{
		"type": m.MessageType, "appref": "", "sender": m.Sender, "recipient": m.Recipient,
		"date": d.CreatedAt.UTC().Format("20060102"), "dar": m.InterchangeRef, "id": m.ID,
	}
	if ix, err := edifact.Parse(m.Payload); err == nil {
		u := ix.UNB()
		v["appref"] = u.AppRef
		if u.Sender.ID != "" {
			v["sender"] = u.Sender.ID
		}
		if u.Recipient.ID != "" {
			v["recipient"] = u.Recipient.ID
		}
		if u.ControlRef != "" {
			v["dar"] = u.ControlRef
		}
		if t, ok := u.Prepared(); ok {
			v["date"] = t.Format("20060102")
		}
		if len(ix.Messages) > 0 && v["type"] == "" {
			v["type"] = ix.Messages[0].Header().Type
		}
	}
	var b strings.Builder
	rest := pattern
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("file pattern %q: unclosed {", pattern)
		}
		name := rest[i+1 : i+j]
		val, ok := v[name]
		if !ok {
			return "", fmt.Errorf("file pattern %q: unknown placeholder {%s}", pattern, name)
		}
		b.WriteString(rest[:i])
		b.WriteString(sanitize(val))
		rest = rest[i+j+1:]
	}
	out := b.String()
	if out == "" || out == "." || out == ".." || strings.ContainsAny(out, `/\`) || strings.HasPrefix(out, ".") {
		return "", fmt.Errorf("file pattern %q gives the unusable name %q", pattern, out)
	}
	return out, nil
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, s)
}

// FileTransport writes the interchange into the channel's directory, named
// by the channel's pattern (else the transport's, else
// DefaultFilePattern), atomically: a hidden temporary file in the same
// directory, fsync, rename, fsync of the directory. A file that already
// exists with the same bytes is success (a repeated delivery); one with
// other bytes is a permanent conflict. The directory must exist (it belongs
// to the gateway); a missing one is retried.
type FileTransport struct {
	pattern string
}

// NewFileTransport returns the file transport; pattern may be empty
// (DefaultFilePattern).
func NewFileTransport(pattern string) *FileTransport { return &FileTransport{pattern: pattern} }

// Kind implements Transport.
func (t *FileTransport) Kind() partner.Transport { return partner.TransportFile }

// Send implements Transport.
func (t *FileTransport) Send(ctx context.Context, d Delivery) (Receipt, error) {
	fail := func(permanent bool, err error) (Receipt, error) {
		return Receipt{}, &SendError{Transport: partner.TransportFile, Recipient: d.Message.Recipient, Permanent: permanent, Err: err}
	}
	pattern := d.Channel.FilePattern
	if pattern == "" {
		pattern = t.pattern
	}
	name, err := FileName(pattern, d)
	if err != nil {
		return fail(false, err) // a channel setting: an operator can fix it within the window
	}
	if err := ctx.Err(); err != nil {
		return fail(false, err)
	}
	final := filepath.Join(d.Channel.Dir, name)
	if old, err := os.ReadFile(final); err == nil {
		if bytes.Equal(old, d.Message.Payload) {
			return Receipt{Status: "exists", RemoteID: name}, nil
		}
		return fail(true, fmt.Errorf("%s exists with other content", final))
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fail(false, err)
	}
	tmp, err := os.CreateTemp(d.Channel.Dir, ".mako-*.tmp")
	if err != nil {
		return fail(false, err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(d.Message.Payload); err != nil {
		tmp.Close()
		return fail(false, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(false, err)
	}
	if err := tmp.Close(); err != nil {
		return fail(false, err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fail(false, err)
	}
	committed = true
	if dir, err := os.Open(d.Channel.Dir); err == nil {
		_ = dir.Sync() // make the rename durable; not all file systems support it
		dir.Close()
	}
	return Receipt{Status: "stored", RemoteID: name}, nil
}
