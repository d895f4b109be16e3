package distill2llb

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// dumpLLB prints a marshalled definition as text that shows every field
// distill sets. BuildKit's JSON form prints some file actions (symlinks)
// as empty, which would let a golden hide a change to them.
//
// Ops are numbered as they appear in the definition, which is topological
// (inputs first); inputs name ops by number ("#3", "#3:1" for a second
// output). A file action's base and a mount's source are "scratch", an op
// input ("in0") or an earlier action's result ("action0").
func dumpLLB(def *pb.Definition) (string, error) {
	ops := make([]*pb.Op, len(def.Def))
	index := map[string]int{}
	for i, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			return "", fmt.Errorf("op %d: %w", i, err)
		}
		ops[i] = &op
		index[digest.FromBytes(dt).String()] = i
	}
	var infos []*pb.SourceInfo
	if def.Source != nil {
		infos = def.Source.Infos
	}
	var b strings.Builder
	for i, op := range ops {
		dgst := digest.FromBytes(def.Def[i]).String()
		d := dumper{b: &b, nInputs: len(op.Inputs)}
		fmt.Fprintf(&b, "#%d %s %s\n", i, opKind(op), dgst)
		for j, in := range op.Inputs {
			k, ok := index[in.Digest]
			if !ok {
				return "", fmt.Errorf("op %d: input %d names %s, which the definition lacks", i, j, in.Digest)
			}
			ref := fmt.Sprintf("#%d", k)
			if in.Index != 0 {
				ref += fmt.Sprintf(":%d", in.Index)
			}
			d.line("in%d = %s", j, ref)
		}
		if p := op.Platform; p != nil {
			d.line("platform %s", platformString(p))
		}
		if c := op.Constraints; c != nil && len(c.Filter) > 0 {
			d.line("worker filter %q", c.Filter)
		}
		d.metadata(def.Metadata[dgst])
		if def.Source != nil {
			if err := d.locations(def.Source.Locations[dgst], infos); err != nil {
				return "", fmt.Errorf("op %d: %w", i, err)
			}
		}
		switch {
		case op.GetSource() != nil:
			d.source(op.GetSource())
		case op.GetExec() != nil:
			d.exec(op.GetExec())
		case op.GetFile() != nil:
			if err := d.file(op.GetFile()); err != nil {
				return "", fmt.Errorf("op %d: %w", i, err)
			}
		case op.GetMerge() != nil:
			for _, in := range op.GetMerge().Inputs {
				d.line("layer %s", d.ref(in.Input))
			}
		case op.GetDiff() != nil:
			df := op.GetDiff()
			if df.Lower != nil {
				d.line("lower %s", d.ref(df.Lower.Input))
			}
			if df.Upper != nil {
				d.line("upper %s", d.ref(df.Upper.Input))
			}
		case op.GetBuild() != nil:
			bo := op.GetBuild()
			d.line("builder %s", d.ref(bo.Builder))
			for _, k := range slices.Sorted(maps.Keys(bo.Inputs)) {
				d.line("input %s = %s", k, d.ref(bo.Inputs[k].Input))
			}
			d.attrs(bo.Attrs)
		case op.GetPassthrough() != nil:
			d.line("id %s outputs %v", op.GetPassthrough().Id, op.GetPassthrough().Outputs)
		}
	}
	return b.String(), nil
}

// opKind names the kind of op; the last op of a definition has none and
// only names the result.
func opKind(op *pb.Op) string {
	switch op.Op.(type) {
	case *pb.Op_Source:
		return "source"
	case *pb.Op_Exec:
		return "exec"
	case *pb.Op_File:
		return "file"
	case *pb.Op_Merge:
		return "merge"
	case *pb.Op_Diff:
		return "diff"
	case *pb.Op_Build:
		return "build"
	case *pb.Op_Passthrough:
		return "passthrough"
	case nil:
		return "result"
	}
	return fmt.Sprintf("unknown %T", op.Op)
}

// dumper writes the indented lines of one op.
type dumper struct {
	b       *strings.Builder
	nInputs int
}

func (d dumper) line(format string, args ...any) {
	d.b.WriteString("  ")
	fmt.Fprintf(d.b, format, args...)
	d.b.WriteByte('\n')
}

// ref names what an input index points at: inputs come first, then the
// results of earlier file actions.
func (d dumper) ref(i int64) string {
	switch {
	case i < 0:
		return "scratch"
	case i < int64(d.nInputs):
		return fmt.Sprintf("in%d", i)
	}
	return fmt.Sprintf("action%d", i-int64(d.nInputs))
}

func (d dumper) attrs(attrs map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		d.line("attr %s = %q", k, attrs[k])
	}
}

func (d dumper) metadata(m *pb.OpMetadata) {
	if m == nil {
		return
	}
	// Caps are BuildKit's bookkeeping of what the client used; they change
	// with BuildKit versions, not with what distill asks for.
	for _, k := range slices.Sorted(maps.Keys(m.Description)) {
		d.line("description %s = %q", k, m.Description[k])
	}
	if m.IgnoreCache {
		d.line("ignore cache")
	}
	if m.ExportCache != nil {
		d.line("export cache %v", m.ExportCache.Value)
	}
	if g := m.ProgressGroup; g != nil {
		d.line("progress group %q %q weak=%v", g.Id, g.Name, g.Weak)
	}
}

// locations prints the definition lines an op is tied to ("at f.hcl:3-7").
func (d dumper) locations(locs *pb.Locations, infos []*pb.SourceInfo) error {
	if locs == nil {
		return nil
	}
	for _, l := range locs.Locations {
		if l.SourceIndex < 0 || int(l.SourceIndex) >= len(infos) {
			return fmt.Errorf("location names source %d of %d", l.SourceIndex, len(infos))
		}
		for _, r := range l.Ranges {
			start, end := r.GetStart().GetLine(), r.GetEnd().GetLine()
			if start == end {
				d.line("at %s:%d", infos[l.SourceIndex].Filename, start)
			} else {
				d.line("at %s:%d-%d", infos[l.SourceIndex].Filename, start, end)
			}
		}
	}
	return nil
}

func (d dumper) source(s *pb.SourceOp) {
	d.line("identifier %s", s.Identifier)
	d.attrs(s.Attrs)
}

func (d dumper) exec(e *pb.ExecOp) {
	if m := e.Meta; m != nil {
		d.line("args %q", m.Args)
		for _, v := range m.Env {
			d.line("env %q", v)
		}
		d.line("cwd %q user %q", m.Cwd, m.User)
		if m.Hostname != "" {
			d.line("hostname %q", m.Hostname)
		}
		for _, h := range m.ExtraHosts {
			d.line("extra host %s = %s", h.Host, h.IP)
		}
		for _, u := range m.Ulimit {
			d.line("ulimit %s %d:%d", u.Name, u.Soft, u.Hard)
		}
		if p := m.ProxyEnv; p != nil {
			d.line("proxy http=%q https=%q ftp=%q no=%q all=%q", p.HttpProxy, p.HttpsProxy, p.FtpProxy, p.NoProxy, p.AllProxy)
		}
		if m.CgroupParent != "" {
			d.line("cgroup parent %q", m.CgroupParent)
		}
		if len(m.ValidExitCodes) > 0 {
			d.line("valid exit codes %v", m.ValidExitCodes)
		}
		if m.RemoveMountStubsRecursive {
			d.line("remove mount stubs recursive")
		}
	}
	d.line("network %s security %s", strings.ToLower(e.Network.String()), strings.ToLower(e.Security.String()))
	for _, s := range e.Secretenv {
		d.line("secret env %s from %q optional=%v", s.Name, s.ID, s.Optional)
	}
	for _, c := range e.CdiDevices {
		d.line("cdi device %q optional=%v", c.Name, c.Optional)
	}
	for _, m := range e.Mounts {
		var w []string
		w = append(w, "mount", m.Dest, strings.ToLower(m.MountType.String()), "from", d.ref(m.Input))
		if m.Selector != "" {
			w = append(w, "selector", m.Selector)
		}
		if m.Output >= 0 {
			w = append(w, fmt.Sprintf("output %d", m.Output))
		}
		if m.Readonly {
			w = append(w, "readonly")
		}
		if c := m.CacheOpt; c != nil {
			w = append(w, fmt.Sprintf("id %q sharing %s", c.ID, strings.ToLower(c.Sharing.String())))
		}
		if t := m.TmpfsOpt; t != nil {
			w = append(w, fmt.Sprintf("size %d", t.Size))
		}
		if s := m.SecretOpt; s != nil {
			w = append(w, fmt.Sprintf("secret %q %d:%d %04o optional=%v", s.ID, s.Uid, s.Gid, s.Mode, s.Optional))
		}
		if s := m.SSHOpt; s != nil {
			w = append(w, fmt.Sprintf("ssh %q %d:%d %04o optional=%v", s.ID, s.Uid, s.Gid, s.Mode, s.Optional))
		}
		if m.ResultID != "" {
			w = append(w, "result", m.ResultID)
		}
		if m.ContentCache != pb.MountContentCache_DEFAULT {
			w = append(w, "content cache", strings.ToLower(m.ContentCache.String()))
		}
		d.line("%s", strings.Join(w, " "))
	}
}

func (d dumper) file(f *pb.FileOp) error {
	for i, a := range f.Actions {
		var w []string
		switch {
		case a.GetMkdir() != nil:
			m := a.GetMkdir()
			w = append(w, "mkdir", m.Path, mode(m.Mode), d.owner(m.Owner), stamp(m.Timestamp))
			if m.MakeParents {
				w = append(w, "parents")
			}
		case a.GetMkfile() != nil:
			m := a.GetMkfile()
			// The bytes may be large or binary: their digest stands for them.
			w = append(w, "mkfile", m.Path, mode(m.Mode), d.owner(m.Owner), stamp(m.Timestamp),
				fmt.Sprintf("data %s %d bytes", digest.FromBytes(m.Data), len(m.Data)))
		case a.GetSymlink() != nil:
			s := a.GetSymlink()
			w = append(w, "symlink", s.Newpath, "->", s.Oldpath, d.owner(s.Owner), stamp(s.Timestamp))
		case a.GetRm() != nil:
			r := a.GetRm()
			w = append(w, "rm", r.Path)
			w = appendFlags(w, map[string]bool{"allow-not-found": r.AllowNotFound, "allow-wildcard": r.AllowWildcard})
		case a.GetCopy() != nil:
			c := a.GetCopy()
			w = append(w, "copy", d.ref(a.SecondaryInput)+":"+c.Src, "to", c.Dest, d.owner(c.Owner), stamp(c.Timestamp))
			if c.Mode >= 0 {
				w = append(w, mode(c.Mode))
			}
			if c.ModeStr != "" {
				w = append(w, "mode "+c.ModeStr)
			}
			w = appendFlags(w, map[string]bool{
				"follow-symlink":       c.FollowSymlink,
				"dir-contents":         c.DirCopyContents,
				"unpack":               c.AttemptUnpackDockerCompatibility,
				"create-dest-path":     c.CreateDestPath,
				"allow-wildcard":       c.AllowWildcard,
				"allow-empty-wildcard": c.AllowEmptyWildcard,
				"replace-existing":     c.AlwaysReplaceExistingDestPaths,
			})
			for _, p := range c.IncludePatterns {
				w = append(w, "include "+p)
			}
			for _, p := range c.ExcludePatterns {
				w = append(w, "exclude "+p)
			}
			for _, p := range c.RequiredPaths {
				w = append(w, "require "+p)
			}
		default:
			return fmt.Errorf("file action %d: unknown kind %T", i, a.Action)
		}
		w = append(w, "on", d.ref(a.Input))
		if a.Output >= 0 {
			w = append(w, fmt.Sprintf("-> output %d", a.Output))
		}
		d.line("action%d: %s", i, strings.Join(slices.DeleteFunc(w, func(s string) bool { return s == "" }), " "))
	}
	return nil
}

// appendFlags appends the names of the flags that are set, sorted.
func appendFlags(w []string, flags map[string]bool) []string {
	for _, k := range slices.Sorted(maps.Keys(flags)) {
		if flags[k] {
			w = append(w, k)
		}
	}
	return w
}

// mode prints permission bits as chmod takes them, with the special bits
// that a copy applies.
func mode(m int32) string { return fmt.Sprintf("mode %04o", m) }

// owner prints a ChownOpt as user:group, "-" for a part it leaves unset,
// and "" when the action sets none.
func (d dumper) owner(o *pb.ChownOpt) string {
	if o == nil {
		return ""
	}
	return "owner " + d.userOpt(o.User) + ":" + d.userOpt(o.Group)
}

// userOpt prints an id, or a name with the input whose /etc/passwd or
// /etc/group resolves it.
func (d dumper) userOpt(u *pb.UserOpt) string {
	switch v := u.GetUser().(type) {
	case *pb.UserOpt_ByID:
		return fmt.Sprint(v.ByID)
	case *pb.UserOpt_ByName:
		if v.ByName.Input < 0 {
			return v.ByName.Name
		}
		return v.ByName.Name + "@" + d.ref(v.ByName.Input)
	}
	return "-"
}

// stamp prints a timestamp in nanoseconds; -1 and 0 mean none.
func stamp(ns int64) string {
	if ns <= 0 {
		return ""
	}
	return "time " + time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

func platformString(p *pb.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	if p.OSVersion != "" {
		s += " os.version " + p.OSVersion
	}
	if len(p.OSFeatures) > 0 {
		s += fmt.Sprintf(" os.features %q", p.OSFeatures)
	}
	return s
}

// TestDumpGolden lowers each testdata definition, with its source map, for
// two platforms and compares the dump with testdata/<name>.dump.golden.
func TestDumpGolden(t *testing.T) {
	goldens(t, ".dump.golden", func(t *testing.T, img *definition.Image, platform string, sm *llb.SourceMap) string {
		def, _ := lowerGolden(t, img, platform, sm)
		dump, err := dumpLLB(def.ToPB())
		if err != nil {
			t.Fatal(err)
		}
		return dump
	})
}

// TestDumpLLB checks the dump of the ops and file actions the goldens do not
// make: each line is found in the dump of a small state.
func TestDumpLLB(t *testing.T) {
	epoch := time.Unix(1700000000, 0)
	base := llb.Image("busybox")
	for _, tc := range []struct {
		name  string
		state llb.State
		want  []string
	}{
		{
			name:  "symlink",
			state: llb.Scratch().File(llb.Symlink("usr/bin", "/bin", llb.WithUIDGID(1, 2), llb.WithCreatedTime(epoch))),
			want:  []string{"action0: symlink /bin -> usr/bin owner 1:2 time 2023-11-14T22:13:20Z on scratch -> output 0"},
		},
		{
			name: "rm, mkdir with parents, mkfile",
			state: base.File(llb.Rm("/etc/*", llb.WithAllowWildcard(true), llb.WithAllowNotFound(true)).
				Mkdir("/a/b", 0o750, llb.WithParents(true), llb.WithUser("app")).
				Mkfile("/a/b/c", 0o600, []byte("hello\n"))),
			want: []string{
				"in0 = #0",
				"action0: rm /etc/* allow-not-found allow-wildcard on in0",
				"action1: mkdir /a/b mode 0750 owner app@in0:- parents on action0",
				"action2: mkfile /a/b/c mode 0600 data " + digest.FromString("hello\n").String() + " 6 bytes on action1 -> output 0",
			},
		},
		{
			name: "copy",
			state: llb.Scratch().File(llb.Copy(base, "/bin/*", "/out/", &llb.CopyInfo{
				Mode: &llb.ChmodOpt{Mode: 0o4755}, FollowSymlinks: true, CopyDirContentsOnly: true, AllowWildcard: true,
				CreateDestPath: true, IncludePatterns: []string{"sh"}, ExcludePatterns: []string{"ls"}, CreatedTime: &epoch,
			})),
			want: []string{"action0: copy in0:/bin/* to /out/ time 2023-11-14T22:13:20Z mode 4755 allow-wildcard create-dest-path dir-contents follow-symlink include sh exclude ls on scratch -> output 0"},
		},
		{
			name: "exec with mounts",
			state: base.Run(llb.Args([]string{"sh", "-c", "true"}), llb.AddEnv("B", "2"), llb.AddEnv("A", "1"),
				llb.Network(llb.NetModeNone), llb.Security(llb.SecurityModeInsecure),
				llb.AddMount("/cache", llb.Scratch(), llb.AsPersistentCacheDir("cc", llb.CacheMountLocked)),
				llb.AddMount("/tmp", llb.Scratch(), llb.Tmpfs(llb.TmpfsSize(1<<20))),
				llb.AddSecret("/run/s", llb.SecretID("tok")),
				llb.WithCustomName("run it")).Root(),
			want: []string{
				`args ["sh" "-c" "true"]`,
				`env "B=2"`,
				`env "A=1"`,
				`description llb.customname = "run it"`,
				"network none security insecure",
				"mount / bind from in0 output 0",
				`mount /cache cache from scratch id "cc" sharing locked`,
				"mount /tmp tmpfs from scratch size 1048576",
				`mount /run/s secret from scratch output 0 secret "tok" 0:0 0400 optional=false`,
			},
		},
		{
			name:  "merge and diff",
			state: llb.Merge([]llb.State{base, llb.Diff(base, base.File(llb.Mkdir("/x", 0o755)))}),
			want:  []string{"#0 source", "identifier docker-image://docker.io/library/busybox:latest", "lower in0", "upper in1", "layer in0", "layer in1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, err := tc.state.Marshal(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			got, err := dumpLLB(def.ToPB())
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(got, "\n")
			for _, w := range tc.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), w) }) {
					t.Errorf("no line %q in:\n%s", w, got)
				}
			}
			again, err := dumpLLB(def.ToPB())
			if err != nil || again != got {
				t.Errorf("a second dump differs (%v)", err)
			}
		})
	}
}

// TestDumpLLBErrors: a definition whose inputs or locations point nowhere is
// refused, not printed half.
func TestDumpLLBErrors(t *testing.T) {
	st := llb.Scratch().File(llb.Copy(llb.Image("busybox"), "/a", "/b"))
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(*pb.Definition)
		want   string
	}{
		{"missing input", func(d *pb.Definition) { d.Def = d.Def[1:] }, "which the definition lacks"},
		{"bad source index", func(d *pb.Definition) {
			d.Source = &pb.Source{Locations: map[string]*pb.Locations{
				digest.FromBytes(d.Def[0]).String(): {Locations: []*pb.Location{{SourceIndex: 3}}},
			}}
		}, "location names source 3 of 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := def.ToPB()
			tc.mutate(d)
			if _, err := dumpLLB(d); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
