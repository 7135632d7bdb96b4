package msh

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mako-engine/mako/pkg/as4/ebms"
	"github.com/mako-engine/mako/pkg/kvrecord"
	"github.com/mako-engine/mako/pkg/partner"
)

// DefaultReRequest is how long a requested path switch waits for the partner's confirmSwitch
// before the transport sends the request again.
const DefaultReRequest = time.Hour

// ErrPathSwitch: the path switch could not be run (no partner record, no as4 channel).
var ErrPathSwitch = errors.New("as4/msh: path switch")

// as4Channel returns the partner's as4 channel and its record from the transport's store.
func (t *Transport) as4Channel(ctx context.Context, tenant, mpID string) (partner.Channel, partner.Entry, error) {
	if t.switches == nil {
		return partner.Channel{}, partner.Entry{}, fmt.Errorf("%w: no partner store (WithPathSwitch)", ErrPathSwitch)
	}
	e, err := t.switches.Get(ctx, tenant, mpID)
	if err != nil {
		return partner.Channel{}, e, fmt.Errorf("%w: partner %s of %s: %w", ErrPathSwitch, mpID, tenant, err)
	}
	for _, ch := range e.Partner.Channels {
		if ch.Transport == partner.TransportAS4 && ch.AS4 != nil {
			return ch, e, nil
		}
	}
	return partner.Channel{}, e, fmt.Errorf("%w: partner %s of %s has no as4 channel", ErrPathSwitch, mpID, tenant)
}

// pathSwitchMessage is a path-switch UserMessage without payload (Profil §2.3.7; the FAQ allows
// a bare signed envelope).
func (t *Transport) pathSwitchMessage(own, action string) *ebms.UserMessage {
	um := ebms.NewBDEWUserMessage(newUUID()+"@"+own+".mako", t.trust.now().UTC(), ebms.Party{}, ebms.Party{}, ebms.ServicePathSwitch)
	um.Action = action
	return um
}

// RequestPathSwitch runs step 1 of the path switch (Profil §2.3.7): the own MP-ID own sends
// requestSwitch to the tenant's partner mpID. The relationship becomes "requested" (unless
// already confirmed) before the request is sent, because the partner may send its
// confirmSwitch (step 2; confirmed at the endpoint, WithPathSwitchConfirm) as soon as it has
// answered the request — before this call has read the receipt. When the request fails, a
// relationship still "requested" falls back to none, so that the next delivery requests again.
func (t *Transport) RequestPathSwitch(ctx context.Context, tenant, own, mpID string) error {
	ch, _, err := t.as4Channel(ctx, tenant, mpID)
	if err != nil {
		return err
	}
	if err := setRelationship(ctx, t.switches, tenant, mpID, partner.RelationshipRequested, "", partner.RelationshipRequested); err != nil {
		return err
	}
	if _, _, _, err := t.exchange(ctx, own, mpID, ch, t.pathSwitchMessage(own, ebms.ActionRequestSwitch), nil); err != nil {
		err = fmt.Errorf("%w: requestSwitch to %s: %w", ErrPathSwitch, mpID, err)
		if rerr := setRelationship(ctx, t.switches, tenant, mpID, "", partner.RelationshipRequested); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}

// ConfirmPathSwitch runs step 2 for a partner's request: own sends confirmSwitch (a new
// UserMessage) to mpID; on a positive receipt the relationship is confirmed (step 3).
func (t *Transport) ConfirmPathSwitch(ctx context.Context, tenant, own, mpID string) error {
	ch, _, err := t.as4Channel(ctx, tenant, mpID)
	if err != nil {
		return err
	}
	if _, _, _, err := t.exchange(ctx, own, mpID, ch, t.pathSwitchMessage(own, ebms.ActionConfirmSwitch), nil); err != nil {
		return fmt.Errorf("%w: confirmSwitch to %s: %w", ErrPathSwitch, mpID, err)
	}
	return setRelationship(ctx, t.switches, tenant, mpID, partner.RelationshipConfirmed, "", partner.RelationshipRequested, partner.RelationshipConfirmed)
}

// maybeRequest sends a requestSwitch when the relationship is empty, or requested longer ago than
// DefaultReRequest without a confirmation. It reports what it did, for the delivery error.
func (t *Transport) maybeRequest(ctx context.Context, tenant, own, mpID string) string {
	_, e, err := t.as4Channel(ctx, tenant, mpID)
	if err != nil {
		return err.Error()
	}
	var rel string
	for _, ch := range e.Partner.Channels {
		if ch.Transport == partner.TransportAS4 && ch.AS4 != nil {
			rel = ch.AS4.Relationship
			break
		}
	}
	if rel == partner.RelationshipRequested && t.trust.now().Sub(e.Partner.UpdatedAt) < DefaultReRequest {
		return "path switch requested at " + e.Partner.UpdatedAt.UTC().Format(time.RFC3339) + ", waiting for confirmSwitch"
	}
	if err := t.RequestPathSwitch(ctx, tenant, own, mpID); err != nil {
		return err.Error()
	}
	return "path switch requested"
}

// setRelationship moves the as4 relationship of the tenant's partner mpID to state when it is
// one of from (optimistic concurrency; a concurrent edit is re-read).
func setRelationship(ctx context.Context, store partner.Store, tenant, mpID, state string, from ...string) error {
	for range 5 {
		e, err := store.Get(ctx, tenant, mpID)
		if err != nil {
			return fmt.Errorf("%w: partner %s of %s: %w", ErrPathSwitch, mpID, tenant, err)
		}
		p := e.Partner
		changed := false
		for i, ch := range p.Channels {
			if ch.Transport != partner.TransportAS4 || ch.AS4 == nil {
				continue
			}
			for _, f := range from {
				if ch.AS4.Relationship == f { // the same state again refreshes UpdatedAt (re-request)
					as4 := *ch.AS4
					as4.Relationship = state
					p.Channels[i].AS4 = &as4
					changed = true
					break
				}
			}
		}
		if !changed {
			return nil
		}
		if _, err := store.Put(ctx, tenant, p, kvrecord.IfRevision(e.Revision)); err == nil || !errors.Is(err, partner.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("%w: partner %s of %s: concurrent edits", ErrPathSwitch, mpID, tenant)
}

// SendTest sends a test-service message (Profil §2.3.6; RzÜ §7.1) from the own MP-ID own to the
// tenant's partner mpID, carrying payload signed and encrypted like a business message (FAQ),
// and returns the verified receipt. The receiver never hands it to a business application.
func (t *Transport) SendTest(ctx context.Context, tenant, own, mpID string, payload []byte) (*ebms.SignalMessage, error) {
	ch, _, err := t.as4Channel(ctx, tenant, mpID)
	if err != nil {
		return nil, err
	}
	id := newUUID() + "@" + own + ".mako"
	um := ebms.NewBDEWUserMessage(id, t.trust.now().UTC(), ebms.Party{}, ebms.Party{}, ebms.ServiceTest,
		ebms.EDIFACTPart(ContentIDFor(id), "TEST", id, t.trust.now().In(germany), ""))
	sig, _, _, err := t.exchange(ctx, own, mpID, ch, um, []ebms.Payload{{ContentID: ContentIDFor(id), Data: payload}})
	return sig, err
}
