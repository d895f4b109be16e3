package archive

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// testKey makes a signing key created at created, valid for lifetime (0: no
// expiry).
func testKey(t testing.TB, name string, created time.Time, lifetime time.Duration) *openpgp.Entity {
	t.Helper()
	cfg := &packet.Config{
		Algorithm:       packet.PubKeyAlgoEdDSA,
		Time:            func() time.Time { return created },
		KeyLifetimeSecs: uint32(lifetime / time.Second),
	}
	e, err := openpgp.NewEntity(name, "test", name+"@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// publicKeyring returns the public part of the entities as a binary keyring.
func publicKeyring(t testing.TB, es ...*openpgp.Entity) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, e := range es {
		if err := e.Serialize(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// clearsignWith signs text with each entity, at time at.
func clearsignWith(t testing.TB, text string, at time.Time, es ...*openpgp.Entity) []byte {
	t.Helper()
	var keys []*packet.PrivateKey
	for _, e := range es {
		keys = append(keys, e.PrivateKey)
	}
	var b bytes.Buffer
	w, err := clearsign.EncodeMulti(&b, keys, &packet.Config{Time: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(text)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestVerifyInRelease(t *testing.T) {
	now := time.Date(2025, 5, 20, 12, 0, 0, 0, time.UTC)
	created := now.Add(-24 * time.Hour)
	archive := testKey(t, "archive", created, 0)
	release := testKey(t, "release", created, 0)
	stranger := testKey(t, "stranger", created, 0)
	kr, err := ParseKeyring(publicKeyring(t, archive, release), "test keys")
	if err != nil {
		t.Fatal(err)
	}
	c := compressed(t)
	text := releaseText(map[string][]byte{"main/binary-amd64/Packages.xz": c[".xz"]}, "")
	signed := clearsignWith(t, text, now.Add(-time.Hour), archive, stranger, release)

	r, err := VerifyInReleaseAt(signed, kr, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.SignedBy) != 2 || !strings.Contains(r.SignedBy[0]+r.SignedBy[1], "archive@example.org") || !strings.Contains(r.SignedBy[0]+r.SignedBy[1], "release@example.org") {
		t.Errorf("SignedBy = %q", r.SignedBy)
	}
	if r.Codename != "bookworm" || r.Files["main/binary-amd64/Packages.xz"].SHA256 != sha256Hex(c[".xz"]) {
		t.Errorf("Release %+v", r)
	}
	// The signed text, verified, gives the same Release as parsing it.
	plain, err := ParseRelease([]byte(text))
	if err != nil || plain.Files["main/binary-amd64/Packages.xz"] != r.Files["main/binary-amd64/Packages.xz"] {
		t.Errorf("ParseRelease differs: %v", err)
	}

	// An ASCII-armored keyring works too.
	var armored bytes.Buffer
	aw, err := armorEncode(&armored)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := aw.Write(publicKeyring(t, archive)); err != nil {
		t.Fatal(err)
	}
	if err := aw.Close(); err != nil {
		t.Fatal(err)
	}
	akr, err := ParseKeyring(armored.Bytes(), "armored")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyInReleaseAt(signed, akr, now); err != nil {
		t.Errorf("armored keyring: %v", err)
	}

	fail := func(name string, data []byte, kr *Keyring, at time.Time, want string) {
		t.Helper()
		_, err := VerifyInReleaseAt(data, kr, at)
		var se *SignatureError
		if !errors.As(err, &se) {
			t.Errorf("%s: error %v, want a SignatureError", name, err)
			return
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q, want it to contain %q", name, err, want)
		}
	}

	tampered := bytes.Replace(signed, []byte("Version: 12.5"), []byte("Version: 12.6"), 1)
	fail("changed text", tampered, kr, now, "invalid signature")
	tamperedHash := bytes.Replace(signed, []byte(sha256Hex(c[".xz"])[:8]), []byte("00000000"), 1)
	fail("changed hash", tamperedHash, kr, now, "invalid signature")

	strangerOnly := clearsignWith(t, text, now, stranger)
	fail("unknown key", strangerOnly, kr, now, "key not in the keyring")
	fail("not signed", []byte(text), kr, now, "not an OpenPGP clearsigned message")
	fail("prefix", append([]byte("Suite: evil\n"), signed...), kr, now, "not an OpenPGP clearsigned message")
	fail("suffix", append(append([]byte{}, signed...), []byte("\nSHA256:\n evil\n")...), kr, now, "data after the signature")
	fail("two messages", append(append([]byte{}, signed...), signed...), kr, now, "data after the signature")
	fail("truncated", signed[:len(signed)-60], kr, now, "malformed clearsigned message")

	// Keys that expire: good before, refused after.
	short := testKey(t, "short", created, 48*time.Hour)
	skr, _ := ParseKeyring(publicKeyring(t, short), "short-lived")
	ssigned := clearsignWith(t, text, now, short)
	if _, err := VerifyInReleaseAt(ssigned, skr, now); err != nil {
		t.Errorf("before expiry: %v", err)
	}
	fail("expired key", ssigned, skr, now.Add(72*time.Hour), "expired")
	// An expired key next to a good signature does not matter.
	both := clearsignWith(t, text, now, short, archive)
	if _, err := VerifyInReleaseAt(both, skr.Merge(kr), now.Add(72*time.Hour)); err != nil {
		t.Errorf("expired and good signatures: %v", err)
	}
}

func TestVerifyRelease(t *testing.T) {
	now := time.Date(2025, 5, 20, 12, 0, 0, 0, time.UTC)
	key := testKey(t, "archive", now.Add(-time.Hour), 0)
	kr, _ := ParseKeyring(publicKeyring(t, key), "test")
	text := []byte(releaseText(map[string][]byte{"main/binary-amd64/Packages": []byte("x")}, ""))
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, key, bytes.NewReader(text), &packet.Config{Time: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	r, err := VerifyRelease(text, sig.Bytes(), kr, now)
	if err != nil || len(r.SignedBy) != 1 {
		t.Fatalf("VerifyRelease: %v", err)
	}
	text[10] ^= 1
	if _, err := VerifyRelease(text, sig.Bytes(), kr, now); err == nil || !strings.Contains(err.Error(), "Release.gpg") {
		t.Errorf("changed Release: %v", err)
	}
}

func TestDebianKeyring(t *testing.T) {
	kr, err := DebianKeyring()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8": "Debian Archive Automatic Signing Key (12/bookworm)",
		"05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0": "Debian Security Archive Automatic Signing Key (12/bookworm)",
		"4D64FEC119C2029067D6E791F8D2585B8783D481": "Debian Stable Release Key (12/bookworm)",
		"04B54C3CDCA79751B16BC6B5225629DF75B188BD": "Debian Archive Automatic Signing Key (13/trixie)",
		"5E04A1E3223A19A20706E20F9904613D4CCE68C6": "Debian Security Archive Automatic Signing Key (13/trixie)",
		"41587F7DB8C774BCCF131416762F67A0B2C39DE4": "Debian Stable Release Key (13/trixie)",
	}
	keys := kr.Keys()
	if len(keys) != len(want) {
		t.Fatalf("%d keys, want %d", len(keys), len(want))
	}
	for _, k := range keys {
		// The user IDs end in an e-mail address: compare the names.
		if name, _, _ := strings.Cut(k.UserIDs[0], " <"); len(k.UserIDs) != 1 || want[k.Fingerprint] != name {
			t.Errorf("unexpected key %s %q", k.Fingerprint, k.UserIDs)
		}
	}
	if !strings.Contains(kr.String(), "built-in Debian archive keys") {
		t.Errorf("String() = %q", kr.String())
	}
}

func TestParseKeyringErrors(t *testing.T) {
	if _, err := ParseKeyring([]byte("garbage"), "bad.gpg"); err == nil || !strings.Contains(err.Error(), "bad.gpg") {
		t.Errorf("garbage keyring: %v", err)
	}
	if _, err := ParseKeyring(nil, "empty.gpg"); err == nil {
		t.Error("empty keyring accepted")
	}
}

func armorEncode(w *bytes.Buffer) (interface {
	Write([]byte) (int, error)
	Close() error
}, error) {
	return armor.Encode(w, openpgp.PublicKeyType, nil)
}
