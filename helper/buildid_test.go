package helper

import (
	"encoding/binary"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// note builds an ELF note as the Go linker writes its build ID.
func note(name string, typ uint32, desc string) []byte {
	b := binary.LittleEndian.AppendUint32(nil, uint32(len(name)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(desc)))
	b = binary.LittleEndian.AppendUint32(b, typ)
	return append(append(b, name...), desc...)
}

func TestParseBuildIDNote(t *testing.T) {
	for _, tc := range []struct {
		name    string
		note    []byte
		want    string
		wantErr string
	}{
		{"go build ID", note("Go\x00\x00", 4, "abc/def/ghi/jkl"), "abc/def/ghi/jkl", ""},
		{"padded", append(note("Go\x00\x00", 4, "abc/def"), 0, 0), "abc/def", ""},
		{"other vendor", note("GNU\x00", 4, "abc"), "", "not Go's build ID"},
		{"other type", note("Go\x00\x00", 3, "abc"), "", "not Go's build ID"},
		{"empty", note("Go\x00\x00", 4, ""), "", "truncated or empty"},
		{"truncated desc", note("Go\x00\x00", 4, "abcdef")[:18], "", "truncated or empty"},
		{"truncated header", []byte{4, 0, 0}, "", "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseBuildIDNote(tc.note, binary.LittleEndian)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestBuildID reads this test binary's build ID as the go command reports it.
func TestBuildID(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	got, err := BuildID(exe)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "tool", "buildid", exe).Output()
	if err != nil {
		t.Fatalf("go tool buildid: %v", err)
	}
	if want := strings.TrimSpace(string(out)); got != want {
		t.Errorf("BuildID = %q, go tool buildid says %q", got, want)
	}
	if _, err := BuildID("/dev/null"); err == nil {
		t.Error("BuildID of a file that is no ELF binary: no error")
	}
}
