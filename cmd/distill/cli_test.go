package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseOutput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		spec, typ, dest, err string
		file, dirOut         bool
	}{
		{spec: "type=oci,dest=" + dir + "/a.tar", typ: "oci", dest: dir + "/a.tar", file: true},
		{spec: "type=docker,dest=" + dir + "/b.tar", typ: "docker", dest: dir + "/b.tar", file: true},
		{spec: "type=oci,tar=false,dest=" + dir + "/layout", typ: "oci", dest: dir + "/layout", dirOut: true},
		{spec: "type=local,dest=" + dir + "/root", typ: "local", dest: dir + "/root", dirOut: true},
		{spec: "type=image,name=r/x:1,push=true", typ: "image"},
		{spec: "type=oci", err: "dest=FILE is required"},
		{spec: "type=oci,dest=" + dir, err: "is a directory"},
		{spec: "type=image,dest=x", err: "takes name=, not dest="},
		{spec: "dest=x", err: "type= is required"},
		{spec: "type=zip,dest=x", err: `unknown type "zip"`},
		{spec: "type=oci,dest", err: `"dest" is not KEY=VALUE`},
	} {
		o, err := parseOutput(tc.spec)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		if o.entry.Type != tc.typ || o.dest != tc.dest || (o.entry.Output != nil) != tc.file || (o.entry.OutputDir != "") != tc.dirOut {
			t.Errorf("%s: parsed %+v", tc.spec, o)
		}
		if _, ok := o.entry.Attrs["dest"]; ok {
			t.Errorf("%s: dest left in the exporter attributes", tc.spec)
		}
	}
}

// TestOutputIsAtomic checks that a file export appears only when the build
// succeeds.
func TestOutputIsAtomic(t *testing.T) {
	dir := t.TempDir()
	for _, ok := range []bool{false, true} {
		dest := filepath.Join(dir, "img.tar")
		o, err := parseOutput("type=oci,dest=" + dest)
		if err != nil {
			t.Fatal(err)
		}
		w, err := o.entry.Output(nil)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("image"))
		if err := o.finish(ok); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		if ok && (len(entries) != 1 || entries[0].Name() != "img.tar") || !ok && len(entries) != 0 {
			t.Errorf("build ok=%v left %v", ok, entries)
		}
	}
}

func TestParseBuildFlags(t *testing.T) {
	o, err := parseBuildFlags([]string{"--target", "x", "defs/distill.hcl", "--build-arg", "A=1", "-o", "type=oci,dest=x.tar", "--platform", "linux/amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if o.file != "defs/distill.hcl" || o.context != "defs" || o.target != "x" || len(o.buildArgs) != 1 || len(o.outputs) != 1 || len(o.platforms) != 1 {
		t.Errorf("parsed %+v", o)
	}
	for _, args := range [][]string{{"a.hcl", "b.hcl"}, {"-f", "a.hcl", "b.hcl"}, {"--build-arg", "NOEQUALS"}, {"--nope"}} {
		if _, err := parseBuildFlags(args); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
