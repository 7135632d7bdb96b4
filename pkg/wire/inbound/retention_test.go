package inbound_test

import (
	"testing"

	"github.com/mako-engine/mako/pkg/engine/memstore"
	"github.com/mako-engine/mako/pkg/engine/natsstore"
	"github.com/mako-engine/mako/pkg/wire/inbound"
)

// TestInboxRetentionDefaults: the engine's inbox backends remember a key at
// least as long as MaKo requires (72 h AS4 retry window + 24 h).
func TestInboxRetentionDefaults(t *testing.T) {
	if inbound.InboxRetention.Hours() != 96 {
		t.Errorf("InboxRetention = %v, want 96h", inbound.InboxRetention)
	}
	if natsstore.DefaultInboxRetention < inbound.InboxRetention {
		t.Errorf("natsstore.DefaultInboxRetention = %v < %v", natsstore.DefaultInboxRetention, inbound.InboxRetention)
	}
	if memstore.DefaultInboxRetention < inbound.InboxRetention {
		t.Errorf("memstore.DefaultInboxRetention = %v < %v", memstore.DefaultInboxRetention, inbound.InboxRetention)
	}
}

// TestConversationKey pins the registry key of a conversation: it is
// stored in the registry, so its form must not change.
func TestConversationKey(t *testing.T) {
	if got, want := inbound.ConversationKey("TX1@IX1/1", "9900000000003"), "conv:TX1@IX1/1:9900000000003"; got != want {
		t.Errorf("ConversationKey = %q, want %q", got, want)
	}
}
