package brainpool

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"testing"
)

// deterministicVectors are RFC 6979 signatures by the RFC 7027 key dA of each
// curve, produced by an independent implementation: OpenSSL 4.0.0
// (deterministic ECDSA, "nonce-type 1", via the Python cryptography 48
// package). The HMAC hash is the message hash, as RFC 6979 prescribes.
var deterministicVectors = []struct {
	curve func() *Curve
	hash  crypto.Hash
	msg   string
	sig   string // r||s
}{
	{P256r1, crypto.SHA256, "sample",
		"8a6b3a1a10a8ce1459cdeed0cb1884597642e6bc47b9c552ea6114a0d03c40dd" +
			"466c80b901174c93369e5736a6993c081087040f5c7039f314e02a2853d6f87f"},
	{P256r1, crypto.SHA256, "test",
		"0de1d68858c26865160b58ed0f7f99036f5e8050d190fd50c136cb5c6d097e86" +
			"58731440546ce6b60664bc9540cab916a75874bd013bde4f2a1d684bc7a54f51"},
	{P256r1, crypto.SHA384, "sample",
		"2107c74dbb398f89317452764e16108f4cd8eccef65360c092740909ad9efc3c" +
			"850d63e6d0b1ce526cf1864fc5e686ca4fdf72c3e4a05ded93cb255cbb5d6fa6"},
	{P256r1, crypto.SHA384, "test",
		"239b4cc0ce6fc0539d7946e839b5c7099d2d0d556105a550191a50858ae1739a" +
			"808e7e3ab189b61fcbf04be8eaccd874ba3cafb8a7d9948baf17baea8694ddaa"},
	{P256r1, crypto.SHA512, "sample",
		"2150ec0cb30b543ee254c22090fd4f5a30c95384373b9a0de0a368d0cd9207b6" +
			"17f1b01b6cf79d398d90d621db85628adda697535181d87434c503fd6b09a3d5"},
	{P256r1, crypto.SHA512, "test",
		"78874ea13f3687606919845946e47cad0fb88a1af51450fa8126c656035cf20f" +
			"1e1dc47327bb572c5308ae5627f4d499e3b7a3a1520d1e3ab8f509f99f90856e"},
	{P384r1, crypto.SHA256, "sample",
		"5637d4eb3825df7c7eec18f4a86ad6d147679b09517752b84ae78596fb330701" +
			"8776efba68443b742898dabcdee12a466034a6858ef0544a0a34cb40a1975fe9" +
			"5d56f7e2ca57eb0913cbaaf3c37892b0728bb00fca7aa4ed44e91a546017e435"},
	{P384r1, crypto.SHA256, "test",
		"520fe24cc44d21283de18dd3a1b1834e8a2a31fa5d7ebce114999546437f297b" +
			"30abd2d69a351d15c5c542ddae13bf4a412cd4cb73605dd757ac6ab5b3f8d333" +
			"41ac02c8205e0436c80538b19f1b91b51b846191b108f5ec6d6aa1265e6e3851"},
	{P384r1, crypto.SHA384, "sample",
		"2a0b927997ff034d1d5081be0f3f8c6eecac3dc9bb194774e69d5363cd924741" +
			"e1802c3c0caea91ec144c869c993cfd622bc8dbdc26500cc666a7128a19aae17" +
			"e79ec1853d8703dc0b6e703052e39cd4f3f3819bfef8094335ede131acfe3071"},
	{P384r1, crypto.SHA384, "test",
		"4afa8e2474b26961d01205b98ce55f98b205f431f0ca3c7a6a650b189b7a1646" +
			"516b655cd111077aac3bdbdd95b9a57b2b8686d96974fedc2f6646faf7315190" +
			"28a816f4a865cf241208b213190b04cc70ad06509a627c4d67945c2cfc16a7f3"},
	{P384r1, crypto.SHA512, "sample",
		"3f276c85d85a13897275cbe25d0b161307e07bd1127f2726d3ff49c8e68d1501" +
			"0cf1d33b69fe544d258fa5131c9efcc04a52235bc76f775e00ebe9d0f0a09525" +
			"0310edb6850c67d47470c5d9bcebcaed6bf03c9df08f31c6bd80c5cfb833ac63"},
	{P384r1, crypto.SHA512, "test",
		"85b5414c00f750f30be8979cdf49bd26838c16ea552e64903e63b9668d8eb7ed" +
			"8aa91f5ae201b2355cb6d8130029096680172206db909c3f15629e4871a03a6d" +
			"a2401ce3e6ec0314d3439689bdb921c15ab681a10c42d9b91f7bbef26530ec32"},
	{P512r1, crypto.SHA256, "sample",
		"5362166fe787566e54cd91e2d7ab793e309ab7f53809cf1ae04c4b4ecfd4fd0a" +
			"1e9a9dcb87204ae16da48d5a254bb1b62f8f79e9b233e36bdeb5cf1030141538" +
			"5d397fc4f1453fcd21f0b45c772adb3cfd3572f4e4a1956f927066c394d172f1" +
			"38c77bdcdfea31c44d498ff9874a1315aaf3b10ca4239d7c2368f21b9e6cc329"},
	{P512r1, crypto.SHA256, "test",
		"33b5186f1ac52b8b4dc19dd8ff1879a6eb69b2e5318e1b672a0e13b2785cd25f" +
			"76d5d9e5ab7c889f1a507efbd9332e477447f004c6dab854401f63b6cdc51b4c" +
			"7a05ce513f6f61d157196b52c6e912f338f182267ab0aa3230333a2e189f5745" +
			"b8e8eee6814d73a2d86a2f57bc868a3a1970766d262a61db73b0949a22cf4a64"},
	{P512r1, crypto.SHA384, "sample",
		"1856be5910e2f0f0465f4d7b24d074522e89e5182fac30261002a1e19f6d3475" +
			"e4c817e1eff0d82425b8b8b4deff830f497269ae29d137633f8f2d158dbb1c4d" +
			"92728f1e41e7220d6113d7c83441fb2c775080329c99a263dd2793086f78c3bc" +
			"504372a9519bb56f300c88275baf17e5863e1c0bffdef2667656a646a392691c"},
	{P512r1, crypto.SHA384, "test",
		"9101d541fb03dc7eab8384884f9b1f662da91a21d440e653f956af3e6d5a6574" +
			"a5b46d46018090c9a53025794bbf315b00f796db7da52569a432cdd23a1318df" +
			"02c9fccbe5221fdc84275e0e79ea1158bc6304ae9eded2ab469d93e2666a7ef3" +
			"76da0d704885bd61262af25930756ea5cf6d83f1707750f447d538d2b31fc570"},
	{P512r1, crypto.SHA512, "sample",
		"5a62cd28cd5aa4cd20a8aa2973e593006eca66d956354ab09ab1da0efbb72e00" +
			"35586a4174a17fb01b50003ebc64b6719f7695e14777dbc630c8b72f67fe1532" +
			"a5a80b85ad0a792960106c1fe420c57e6ef456a80493c51d3ce7768fe2717ea6" +
			"32202f160bc714dfd3fe1823d77b40bf21d16b2ac9288f8728e05503d40f8ab5"},
	{P512r1, crypto.SHA512, "test",
		"8a9f96cc09901cf1773024645c08c4d180c40e68ff82dfb289477116d30b02ff" +
			"1219143b435b06cd084421db21e5b5a9fca5463899630b67fdf0ac1abaa8ee4a" +
			"93e5fa023edb25d3a36acda0f156e9f3e71ca83c61e76981c432e24846c1a167" +
			"95d4ef807a0b1ae48c29e8aa37a25fba124da41cdbb873c6fd1411858f259c79"},
}

func TestRFC6979AgainstOpenSSL(t *testing.T) {
	keys := map[*Curve]string{}
	for _, v := range rfc7027Vectors {
		keys[v.curve()] = v.dA
	}
	for _, v := range deterministicVectors {
		c := v.curve()
		priv, err := NewPrivateKey(c, mustHex(t, keys[c]))
		if err != nil {
			t.Fatal(err)
		}
		h := v.hash.New()
		h.Write([]byte(v.msg))
		digest := h.Sum(nil)
		want := mustHex(t, v.sig)
		got, err := SignP1363(nil, priv, digest)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s %v %q: got %x, want %x", c.Name(), v.hash, v.msg, got, want)
		}
		der, err := priv.Sign(nil, digest, v.hash)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := SignatureASN1ToP1363(c, der); err != nil || !bytes.Equal(p, want) {
			t.Errorf("%s %v %q: Sign = %x, want %x", c.Name(), v.hash, v.msg, p, want)
		}
		if !VerifyP1363(priv.PublicKey(), digest, want) {
			t.Errorf("%s %v %q: OpenSSL signature does not verify", c.Name(), v.hash, v.msg)
		}
	}
}

// TestRFC6979NonceP256 checks the nonce generator on its own against the k
// values published in RFC 6979 Appendix A.2.5 (NIST P-256, SHA-256): the
// generator depends only on the group order, the key and the digest.
func TestRFC6979NonceP256(t *testing.T) {
	q := newModulus("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
	x := mustHex(t, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721")
	for _, v := range []struct{ msg, k string }{
		{"sample", "A6E3C57DD01ABE90086538398355DD4C3B17AA873382B0F24D6129493D8AAD60"},
		{"test", "D16B6AE827F17175E040871A1C7EC3500192C4C92677336EC2537ACAEE0008E0"},
	} {
		d := sha256.Sum256([]byte(v.msg))
		var e, h limbs
		q.fromBytes(&h, d[:])
		q.reduceOnce(&e, &h)
		h1 := make([]byte, 32)
		q.toBytes(h1, &e)
		got := newRFC6979(q, sha256.New, x, h1, nil).next()
		if want := mustHex(t, v.k); !bytes.Equal(got, want) {
			t.Errorf("%q: k = %x, want %x", v.msg, got, want)
		}
	}
}
