package archive

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// The Debian archive signing keys distill trusts by default: the public
// keyrings of Debian's debian-archive-keyring package (archive, security
// archive and stable release keys of bookworm and trixie), shipped as data.
//
//go:embed keys/*.gpg
var debianKeys embed.FS

// Keyring is a set of OpenPGP public keys trusted to sign archive indexes.
type Keyring struct {
	entities openpgp.EntityList
	names    []string // where the keys came from, for messages
}

var debianKeyring = sync.OnceValues(func() (*Keyring, error) {
	files, err := fs.Glob(debianKeys, "keys/*.gpg")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	kr := &Keyring{}
	for _, f := range files {
		data, err := debianKeys.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := kr.add(data, path.Base(f)); err != nil {
			return nil, err
		}
	}
	kr.names = []string{"distill's built-in Debian archive keys (bookworm, trixie)"}
	return kr, nil
})

// DebianKeyring returns the keyring of Debian's archive keys that distill
// ships (bookworm and trixie: archive, security and release keys).
func DebianKeyring() (*Keyring, error) { return debianKeyring() }

// ParseKeyring reads OpenPGP public keys, binary (a .gpg keyring as apt uses)
// or ASCII-armored (.asc). name labels the keys in messages.
func ParseKeyring(data []byte, name string) (*Keyring, error) {
	kr := &Keyring{}
	if err := kr.add(data, name); err != nil {
		return nil, err
	}
	return kr, nil
}

func (kr *Keyring) add(data []byte, name string) error {
	var (
		el  openpgp.EntityList
		err error
	)
	if bytes.Contains(data[:min(len(data), 1024)], []byte("-----BEGIN PGP")) {
		var blk *armor.Block
		blk, err = armor.Decode(bytes.NewReader(data))
		if err == nil {
			el, err = openpgp.ReadKeyRing(blk.Body)
		}
	} else {
		el, err = openpgp.ReadKeyRing(bytes.NewReader(data))
	}
	if err != nil {
		return fmt.Errorf("reading keyring %s: %w", name, err)
	}
	if len(el) == 0 {
		return fmt.Errorf("keyring %s holds no keys", name)
	}
	kr.entities = append(kr.entities, el...)
	kr.names = append(kr.names, name)
	return nil
}

// Merge returns a keyring trusting the keys of kr and of others.
func (kr *Keyring) Merge(others ...*Keyring) *Keyring {
	out := &Keyring{}
	for _, k := range append([]*Keyring{kr}, others...) {
		out.entities = append(out.entities, k.entities...)
		out.names = append(out.names, k.names...)
	}
	return out
}

// KeyInfo describes one key of a keyring.
type KeyInfo struct {
	Fingerprint string // upper-case hex
	UserIDs     []string
}

// Keys lists the keyring's primary keys.
func (kr *Keyring) Keys() []KeyInfo {
	var out []KeyInfo
	for _, e := range kr.entities {
		ki := KeyInfo{Fingerprint: strings.ToUpper(fmt.Sprintf("%x", e.PrimaryKey.Fingerprint))}
		for id := range e.Identities {
			ki.UserIDs = append(ki.UserIDs, id)
		}
		sort.Strings(ki.UserIDs)
		out = append(out, ki)
	}
	return out
}

// String names the keyring's sources.
func (kr *Keyring) String() string { return strings.Join(kr.names, ", ") }

// armorDecode returns the body of an ASCII-armored block.
func armorDecode(data []byte) ([]byte, error) {
	blk, err := armor.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(blk.Body)
}
