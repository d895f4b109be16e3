package helper

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// A daemon built into distill's own binary (distill buildkitd) serves that
// binary to builds as the in-build helper, so the CLI need not upload it:
// a source of this scheme, whose reference is the binary's Go build ID.
// The daemon's worker carries the build ID it serves under WorkerLabel; a
// frontend uses the source only when that is the build ID of the helper it
// needs, and the helper's name in the state is DaemonPath.
const (
	SourceScheme = "distill-helper"
	WorkerLabel  = "org.distill.helper.buildid"
	DaemonPath   = "/distill"
)

// BuildID reads the Go build ID of the ELF binary at path: the note the Go
// linker writes, which changes with any input of the build. A binary
// linked with an empty -buildid has none, and gets an error.
func BuildID(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("reading %s's build ID: %w", path, err)
	}
	defer f.Close()
	id, err := ELFBuildID(f)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return id, nil
}

// ELFBuildID is BuildID of an open ELF file.
func ELFBuildID(f *elf.File) (string, error) {
	s := f.Section(".note.go.buildid")
	if s == nil {
		return "", errors.New("no Go build ID note")
	}
	note, err := s.Data()
	if err != nil {
		return "", fmt.Errorf("reading the Go build ID note: %w", err)
	}
	return parseBuildIDNote(note, f.ByteOrder)
}

// parseBuildIDNote reads an ELF note of name "Go" and type 4, as the Go
// linker writes its build ID.
func parseBuildIDNote(note []byte, order binary.ByteOrder) (string, error) {
	const goBuildIDType = 4
	if len(note) < 16 {
		return "", errors.New("the Go build ID note is truncated")
	}
	namesz, descsz, typ := order.Uint32(note[0:]), order.Uint32(note[4:]), order.Uint32(note[8:])
	name := note[12:]
	if namesz != 4 || typ != goBuildIDType || !bytes.HasPrefix(name, []byte("Go\x00\x00")) {
		return "", errors.New("the note is not Go's build ID")
	}
	desc := name[4:]
	if uint32(len(desc)) < descsz || descsz == 0 {
		return "", errors.New("the Go build ID note is truncated or empty")
	}
	return string(desc[:descsz]), nil
}
