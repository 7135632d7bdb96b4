package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/partner"
)

const partnerUsage = `usage: mako partner <subcommand> [flags]

Trading-partner master data in KV bucket mako_partners (key <tenant>.<MP-ID>).

subcommands:
  set  --tenant T --mp-id ID [--name N] [--role R]… [--transport http|file|nats|as4
       [--url U] [--cert F --key F] [--ca F] [--timeout D] [--dir D] [--pattern P]
       [--subject S] [--enc-cert F]… [--sig-cert F]… [--relationship requested|confirmed]
       [--party-type T]] [--contact "name;email;phone"]…
       create or update a partner; flags not given keep their stored value,
       --transport replaces the channel, --role and --contact replace the lists;
       the write is conditional on the revision read (concurrent edits fail)
  get  --tenant T --mp-id ID        print the record as JSON
  list --tenant T                   print the tenant's records as a JSON array
  rm   --tenant T --mp-id ID [--revision N]
                                    delete a record (only at revision N if given)

common flags: --nats-url (env NATS_URL), --creds (env MAKO_CREDS), --replicas (bucket
replicas when the CLI creates it, env MAKO_REPLICAS; default 1).
Exit status: 0 ok, 1 not found or revision conflict, 2 usage or connection error.
`

// partnerJSON is the CLI's JSON view of a stored record.
type partnerJSON struct {
	Tenant   string          `json:"tenant"`
	Revision uint64          `json:"revision"`
	Partner  partner.Partner `json:"partner"`
}

// partnerView is the JSON view of an entry.
func partnerView(e partner.Entry) partnerJSON {
	return partnerJSON{Tenant: e.Tenant, Revision: e.Revision, Partner: e.Partner}
}

// runPartner is `mako partner`: flags and printing around pkg/partner.
func runPartner(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	c, code := newRecordCmd("partner", partnerUsage, args, stdout, stderr, partner.ErrNotFound, partner.ErrConflict)
	if c == nil {
		return code
	}
	sub, fs := c.sub, c.fs
	mpid := fs.String("mp-id", "", "the partner's 13-digit MP-ID")
	name := fs.String("name", "", "set: display name")
	var roles, contacts []string
	fs.Func("role", "set: market role (LF, NB, MSB …), repeatable or comma-separated", func(s string) error {
		for _, r := range strings.Split(s, ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, r)
			}
		}
		return nil
	})
	fs.Func("contact", `set: contact "name;email;phone", repeatable`, func(s string) error {
		contacts = append(contacts, s)
		return nil
	})
	var ch partner.Channel
	transport := fs.String("transport", "", "set: channel transport http, file, nats or as4")
	fs.StringVar(&ch.URL, "url", "", "set: http gateway URL, as4 endpoint URL")
	fs.StringVar(&ch.CertFile, "cert", "", "set: http client certificate (PEM)")
	fs.StringVar(&ch.KeyFile, "key", "", "set: http client key (PEM)")
	fs.StringVar(&ch.CAFile, "ca", "", "set: http CA bundle (PEM)")
	timeout := fs.Duration("timeout", 0, "set: send timeout (http, nats), e.g. 30s")
	fs.StringVar(&ch.Dir, "dir", "", "set: file gateway directory")
	fs.StringVar(&ch.FilePattern, "pattern", "", "set: file name pattern (default: the EDI@Energy convention)")
	fs.StringVar(&ch.Subject, "subject", "", "set: nats subject, e.g. mako.ingest.lf")
	var as4 partner.AS4
	fs.Func("enc-cert", "set: as4 encryption certificate of the partner (PEM file), repeatable (current and successor)", pemFlag(&as4.EncryptionCerts))
	fs.Func("sig-cert", "set: as4 signature certificate to pin (PEM file), repeatable; default: any valid EMT.MAK certificate with the MP-ID", pemFlag(&as4.SigningCerts))
	fs.StringVar(&as4.Relationship, "relationship", "", "set: as4 relationship state: requested or confirmed (path switch done)")
	fs.StringVar(&as4.PartyType, "party-type", "", "set: as4 PartyId type (default the BDEW code type)")
	if !c.parse(stderr, partner.ValidateTenant) {
		return 2
	}
	tenant := c.tenant
	if sub != "list" {
		if err := partner.ValidateMPID(*mpid); err != nil {
			fmt.Fprintf(stderr, "mako partner %s: --mp-id: %v\n", sub, err)
			return 2
		}
	}
	ctx, js, done, ok := c.connect(ctx, stderr)
	if !ok {
		return 2
	}
	defer done()
	st, err := partner.OpenNATS(ctx, js, *c.replicas)
	if err != nil {
		fmt.Fprintf(stderr, "mako partner: %v\n", err)
		return 2
	}

	if code, done := getListRm(ctx, c, st, *mpid, partnerView, stdout, stderr); done {
		return code
	}

	// set: read, apply the given flags, write conditionally.
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	p := partner.Partner{MPID: *mpid}
	wopt := kvrecord.IfAbsent()
	if e, err := st.Get(ctx, *tenant, *mpid); err == nil {
		p, wopt = e.Partner, kvrecord.IfRevision(e.Revision)
	} else if !errors.Is(err, partner.ErrNotFound) {
		return c.fail(stderr, err)
	}
	if set["name"] {
		p.Name = *name
	}
	if set["role"] {
		p.Roles = roles
	}
	if set["contact"] {
		p.Contacts = nil
		for _, c := range contacts {
			parts := strings.Split(c, ";")
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			p.Contacts = append(p.Contacts, partner.Contact{Name: strings.TrimSpace(parts[0]), Email: strings.TrimSpace(parts[1]), Phone: strings.TrimSpace(parts[2])})
		}
	}
	channelFlags := []string{"url", "cert", "key", "ca", "timeout", "dir", "pattern", "subject", "enc-cert", "sig-cert", "relationship", "party-type"}
	if set["transport"] {
		ch.Transport = partner.Transport(*transport)
		ch.Timeout = partner.Duration(*timeout)
		if ch.Transport == partner.TransportAS4 {
			ch.AS4 = &as4
		}
		if err := ch.Validate(); err != nil {
			fmt.Fprintf(stderr, "mako partner set: %v\n", err)
			return 2
		}
		p.Channels = []partner.Channel{ch}
	} else {
		for _, f := range channelFlags {
			if set[f] {
				fmt.Fprintf(stderr, "mako partner set: --%s needs --transport (the channel is replaced as a whole)\n", f)
				return 2
			}
		}
	}
	if _, err := st.Put(ctx, *tenant, p, wopt); err != nil {
		if errors.Is(err, partner.ErrInvalid) {
			fmt.Fprintf(stderr, "mako partner set: %v\n", err)
			return 2
		}
		return c.fail(stderr, err)
	}
	e, err := st.Get(ctx, *tenant, *mpid)
	if err != nil {
		return c.fail(stderr, err)
	}
	return c.printJSON(stdout, stderr, partnerView(e))
}

// pemFlag appends the contents of a PEM file to list.
func pemFlag(list *[]string) func(string) error {
	return func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.Contains(string(b), "-----BEGIN CERTIFICATE-----") {
			return fmt.Errorf("%s: no PEM certificate", path)
		}
		*list = append(*list, string(b))
		return nil
	}
}
