package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// SignatureError reports an InRelease (or Release.gpg) without a good
// signature from a trusted key.
type SignatureError struct {
	File    string   // e.g. "dists/bookworm/InRelease"; may be "InRelease"
	Keyring string   // where the trusted keys came from
	Reasons []string // one per signature found, or why none could be read
}

func (e *SignatureError) Error() string {
	return fmt.Sprintf("%s: no good signature from a trusted key (keyring %s): %s",
		e.File, e.Keyring, strings.Join(e.Reasons, "; "))
}

// VerifyInRelease checks the OpenPGP clearsigned InRelease file data against
// the keyring, at the current time, and returns the Release it signs.
//
// At least one signature must be good and made by a key of the keyring;
// signatures by unknown keys are ignored (Debian signs with the keys of
// several releases), as are signatures by trusted keys that have expired when
// another signature is good; a signature by a trusted key that does not
// verify fails, as it does for apt. Only the signed text is parsed: data
// before the signed message or after its signature is an error, not ignored.
func VerifyInRelease(data []byte, kr *Keyring) (*Release, error) {
	return VerifyInReleaseAt(data, kr, time.Now())
}

// VerifyInReleaseAt is VerifyInRelease with the time at which keys and
// signatures must be valid (for pinned snapshots checked after a key expired).
func VerifyInReleaseAt(data []byte, kr *Keyring, now time.Time) (*Release, error) {
	const file = "InRelease"
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("-----BEGIN PGP SIGNED MESSAGE-----")) {
		return nil, &SignatureError{File: file, Keyring: kr.String(), Reasons: []string{"not an OpenPGP clearsigned message"}}
	}
	b, rest := clearsign.Decode(trimmed)
	if b == nil {
		return nil, &SignatureError{File: file, Keyring: kr.String(), Reasons: []string{"malformed clearsigned message"}}
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, &SignatureError{File: file, Keyring: kr.String(), Reasons: []string{"data after the signature"}}
	}
	sigs, err := io.ReadAll(b.ArmoredSignature.Body)
	if err != nil {
		return nil, &SignatureError{File: file, Keyring: kr.String(), Reasons: []string{"reading the signature: " + err.Error()}}
	}
	signers, err := verifyDetached(file, b.Bytes, sigs, kr, now)
	if err != nil {
		return nil, err
	}
	r, err := ParseRelease(b.Plaintext)
	if err != nil {
		return nil, err
	}
	r.SignedBy = signers
	return r, nil
}

// VerifyRelease checks a Release file against its detached signature
// Release.gpg (armored or binary), for archives that publish no InRelease.
func VerifyRelease(release, signature []byte, kr *Keyring, now time.Time) (*Release, error) {
	sig := signature
	if bytes.Contains(signature, []byte("-----BEGIN PGP SIGNATURE-----")) {
		blk, err := armorDecode(signature)
		if err != nil {
			return nil, &SignatureError{File: "Release.gpg", Keyring: kr.String(), Reasons: []string{err.Error()}}
		}
		sig = blk
	}
	signers, err := verifyDetached("Release.gpg", release, sig, kr, now)
	if err != nil {
		return nil, err
	}
	r, err := ParseRelease(release)
	if err != nil {
		return nil, err
	}
	r.SignedBy = signers
	return r, nil
}

// verifyDetached checks every signature packet in sigs over signed and
// returns the good signers; the error, if any, is a *SignatureError naming
// file.
func verifyDetached(file string, signed, sigs []byte, kr *Keyring, now time.Time) ([]string, error) {
	cfg := &packet.Config{Time: func() time.Time { return now }}
	var (
		good, reasons []string
		bad           bool
	)
	or := packet.NewOpaqueReader(bytes.NewReader(sigs))
	for n := 0; ; n++ {
		op, err := or.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			reasons = append(reasons, "reading signature packets: "+err.Error())
			bad = true
			break
		}
		var one bytes.Buffer
		if err := op.Serialize(&one); err != nil {
			reasons = append(reasons, err.Error())
			bad = true
			continue
		}
		raw := one.Bytes()
		sig, signer, err := openpgp.VerifyDetachedSignature(kr.entities, bytes.NewReader(signed), bytes.NewReader(raw), cfg)
		who := describeIssuer(sig, signer, raw)
		switch {
		case err == nil:
			good = append(good, who)
		case errors.Is(err, pgperrors.ErrUnknownIssuer):
			reasons = append(reasons, fmt.Sprintf("signature %d by %s: key not in the keyring", n+1, who))
		case errors.Is(err, pgperrors.ErrKeyExpired), errors.Is(err, pgperrors.ErrSignatureExpired):
			reasons = append(reasons, fmt.Sprintf("signature %d by %s: %v at %s", n+1, who, err, now.UTC().Format(time.RFC3339)))
		default:
			reasons = append(reasons, fmt.Sprintf("signature %d by %s: %v", n+1, who, err))
			bad = true
		}
	}
	if len(good) == 0 || bad {
		if len(reasons) == 0 {
			reasons = []string{"no signatures"}
		}
		return nil, &SignatureError{File: file, Keyring: kr.String(), Reasons: reasons}
	}
	sort.Strings(good)
	return good, nil
}

// describeIssuer names the key that made a signature, as well as it is known.
func describeIssuer(sig *packet.Signature, signer *openpgp.Entity, raw []byte) string {
	if signer != nil {
		name := ""
		for id := range signer.Identities {
			if name == "" || id < name {
				name = id
			}
		}
		return fmt.Sprintf("%X (%s)", signer.PrimaryKey.Fingerprint, name)
	}
	if sig == nil {
		// VerifyDetachedSignature returns no packet for unknown issuers:
		// parse it again to name the key.
		if p, err := packet.Read(bytes.NewReader(raw)); err == nil {
			sig, _ = p.(*packet.Signature)
		}
	}
	if sig != nil {
		if sig.IssuerFingerprint != nil {
			return fmt.Sprintf("key %X", sig.IssuerFingerprint)
		}
		if sig.IssuerKeyId != nil {
			return fmt.Sprintf("key %016X", *sig.IssuerKeyId)
		}
	}
	return "an unknown key"
}
