package concatkdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

// TestRFC7518AppendixC is the Concat KDF example of RFC 7518 Appendix C (JWA ECDH-ES): the same
// SP 800-56A single-step KDF with SHA-256, Z and OtherInfo as printed there, 128-bit output.
func TestRFC7518AppendixC(t *testing.T) {
	z := []byte{158, 86, 217, 29, 129, 113, 53, 211, 114, 131, 66, 131, 191, 132, 38, 156,
		251, 49, 110, 163, 218, 128, 106, 72, 246, 218, 167, 121, 140, 254, 144, 196}
	p := Params{
		AlgorithmID: []byte{0, 0, 0, 7, 'A', '1', '2', '8', 'G', 'C', 'M'},
		PartyUInfo:  []byte{0, 0, 0, 5, 'A', 'l', 'i', 'c', 'e'},
		PartyVInfo:  []byte{0, 0, 0, 3, 'B', 'o', 'b'},
		SuppPubInfo: []byte{0, 0, 0, 128},
	}
	want := []byte{86, 170, 141, 234, 248, 35, 109, 32, 92, 34, 40, 205, 113, 167, 16, 26}
	got, err := Derive(sha256.New, z, p.OtherInfo(), 16)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Derive = %v, want %v", got, want)
	}
}

// TestOpenSSLSSKDF checks multi-block output against OpenSSL 3's SSKDF (SP 800-56C one-step KDF
// with a hash), computed once with:
//
//	openssl kdf -keylen 48 -kdfopt digest:SHA256 -kdfopt hexkey:<z> -kdfopt hexinfo:<info> SSKDF
func TestOpenSSLSSKDF(t *testing.T) {
	z, _ := hex.DecodeString(opensslZ)
	info, _ := hex.DecodeString(opensslInfo)
	want, _ := hex.DecodeString(opensslOut48)
	got, err := Derive(sha256.New, z, info, 48)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Derive = %x, want %x", got, want)
	}
	// The 128-bit key the BDEW profile uses is the leftmost 16 bytes of the same stream.
	short, _ := Derive(sha256.New, z, info, 16)
	if !bytes.Equal(short, want[:16]) {
		t.Fatalf("16-byte output %x is not the prefix of %x", short, want)
	}
}

func TestBitStrings(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []byte
		ok   bool
	}{
		{"", nil, true},
		{"00", []byte{}, true},
		{"00b9e13a70", []byte{0xb9, 0xe1, 0x3a, 0x70}, true},
		{" 00AB ", []byte{0xab}, true},
		{"03ab", nil, false},
		{"08ab", nil, false},
		{"0", nil, false},
		{"zz", nil, false},
	} {
		got, err := ParseBitString(c.in)
		if (err == nil) != c.ok || (c.ok && !bytes.Equal(got, c.want)) {
			t.Errorf("ParseBitString(%q) = %x, %v", c.in, got, err)
		}
	}
	if s := FormatBitString(nil, false); s != "" {
		t.Errorf("empty, !emptyAsZero = %q", s)
	}
	if s := FormatBitString(nil, true); s != "00" {
		t.Errorf("empty, emptyAsZero = %q", s)
	}
	round, err := ParseBitString(FormatBitString([]byte{1, 2, 0xff}, false))
	if err != nil || !bytes.Equal(round, []byte{1, 2, 0xff}) {
		t.Errorf("round trip = %x %v", round, err)
	}
}

func TestDeriveLengthErrors(t *testing.T) {
	if _, err := Derive(sha256.New, []byte{1}, nil, 0); err == nil {
		t.Fatal("keyLen 0 accepted")
	}
}

const (
	opensslZ     = "47088162a65cea3640471fcc7236f1504f8d847eb378bf8e3f2885571a966b7a"
	opensslInfo  = "314c3f306eac327748875ecf74d77b12fbba1c9080d49f0f"
	opensslOut48 = "a4f1fd406136fd46dcc732ef9c656fa8de8491f1ffa069f6d6f22327ebbf2976c354b4bac32325cd79e689cca0a9d3bb"
)
