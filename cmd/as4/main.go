// Command as4 runs the native AS4 endpoint (docs/as4.md): it receives BDEW AS4 messages
// (ebMS3 one-way push, signed and encrypted with brainpool keys), verifies and decrypts them,
// publishes the EDIFACT to `mako.ingest.<tenant>` and answers with the signed receipt once
// JetStream has stored it; it also watches certificate expiry and CRL freshness. Any number of
// instances may run side by side (dedup is in KV mako_as4_receipts).
//
//	go run ./cmd/as4 --nats-url nats://127.0.0.1:4222 --tenant nb=9900000000011:NB:strom \
//	    --as4-keys /etc/mako/as4 --as4-roots /etc/mako/sm-pki-roots.pem --as4-listen 127.0.0.1:9443
//
// Beyond loopback it needs --as4-tls-cert (NIST curves) or a TLS terminator with
// --as4-terminator-header (deploy/as4: nginx with brainpool mTLS).
package main

import "github.com/mako-engine/mako/internal/app"

func main() {
	app.Main("as4", (*app.Wiring).AS4Actors)
}
