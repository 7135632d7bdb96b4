package brainpool_test

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/mako-engine/mako/pkg/brainpool"
)

// Signing with the crypto.Signer interface (DER) and as r||s for XMLDSig.
func Example_sign() {
	priv, err := brainpool.GenerateKey(brainpool.P256r1(), rand.Reader)
	if err != nil {
		panic(err)
	}
	digest := sha256.Sum256([]byte("UNB+UNOC:3+..."))

	var signer crypto.Signer = priv
	der, _ := signer.Sign(rand.Reader, digest[:], crypto.SHA256)
	rs, _ := brainpool.SignP1363(rand.Reader, priv, digest[:])

	fmt.Println(brainpool.VerifyASN1(priv.PublicKey(), digest[:], der))
	fmt.Println(brainpool.VerifyP1363(priv.PublicKey(), digest[:], rs), len(rs))
	// Output:
	// true
	// true 64
}

// Key agreement with a peer's SubjectPublicKeyInfo, as for XMLEnc ECDH-ES.
func Example_ecdh() {
	c := brainpool.P256r1()
	ours, _ := brainpool.GenerateKey(c, rand.Reader)
	theirs, _ := brainpool.GenerateKey(c, rand.Reader)

	spki, _ := brainpool.MarshalPKIXPublicKey(theirs.PublicKey())
	peer, err := brainpool.ParsePKIXPublicKey(spki)
	if err != nil {
		panic(err)
	}
	z1, _ := ours.ECDH(peer)
	z2, _ := theirs.ECDH(ours.PublicKey())
	fmt.Println(bytes.Equal(z1, z2), len(z1))
	// Output: true 32
}
