package definition

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Accounts is an image's `accounts` block: the users and groups written to
// /etc/passwd and /etc/group, and the user the image runs as.
type Accounts struct {
	Users  []*User  // declaration order, inherited ones first
	Groups []*Group // declaration order, inherited ones first
	RunAs  string   // a user's name; the image config gets its numeric uid

	Range      hcl.Range // the block header
	RunAsRange hcl.Range
}

// User is a `user "NAME" { … }` block inside accounts.
type User struct {
	Name     string
	UID      int
	GID      int // the primary group; defaults to UID
	Home     string
	Shell    string
	Comment  string // the GECOS field; defaults to the name
	Range    hcl.Range
	GIDRange hcl.Range // of gid when written, else of the block header
}

// Group is a `group "NAME" { … }` block inside accounts.
type Group struct {
	Name         string
	GID          int
	Members      []string // supplementary members, by user name
	Range        hcl.Range
	memberRanges []hcl.Range // of each member as written
}

// NoHome is the home of accounts that have none; it is never created.
const NoHome = "/nonexistent"

var accountsSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "run_as"}},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "user", LabelNames: []string{"name"}},
		{Type: "group", LabelNames: []string{"name"}},
	},
}

var userSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "uid", Required: true}, {Name: "gid"}, {Name: "home"}, {Name: "shell"}, {Name: "comment"},
}}

var groupSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "gid", Required: true}, {Name: "members"},
}}

// namePattern is what useradd accepts by default (Debian's NAME_REGEX,
// without the trailing $ of machine accounts).
const namePattern = `[a-z_][a-z0-9_-]{0,31}`

var accountName = regexp.MustCompile(`^` + namePattern + `$`)

// maxID is the largest usable uid or gid: (uid_t)-1 means "no change".
const maxID = 1<<32 - 2

func (d *decoder) accounts(blocks hcl.Blocks) *Accounts {
	if len(blocks) == 0 {
		return nil
	}
	for _, b := range blocks[1:] {
		d.diags = append(d.diags, errorAt(b.DefRange, "Duplicate accounts block",
			fmt.Sprintf("An image has one accounts block; the first is at %s.", blocks[0].DefRange)))
	}
	b := blocks[0]
	content, diags := b.Body.Content(accountsSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	acc := &Accounts{Range: b.DefRange}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	if sub.decode("run_as", &acc.RunAs) {
		acc.RunAsRange = content.Attributes["run_as"].Expr.Range()
		if acc.RunAs == "" {
			sub.errorf("run_as", "Invalid run_as", "run_as needs the name of a user the accounts declare.")
		}
	}
	d.diags = append(d.diags, sub.diags...)

	names := map[string]hcl.Range{}
	for _, blk := range content.Blocks {
		name := blk.Labels[0]
		key := blk.Type + " " + name
		if prev, ok := names[key]; ok {
			d.diags = append(d.diags, errorAt(blk.LabelRanges[0], "Duplicate "+blk.Type,
				fmt.Sprintf("The %s %q is already declared at %s.", blk.Type, name, prev)))
			continue
		}
		names[key] = blk.DefRange
		if !accountName.MatchString(name) {
			d.diags = append(d.diags, errorAt(blk.LabelRanges[0], "Invalid "+blk.Type+" name",
				fmt.Sprintf("%q is not a valid %s name: use up to 32 lower-case letters, digits, '_' and '-', starting with a letter or '_'.", name, blk.Type)))
			continue
		}
		switch blk.Type {
		case "user":
			if u := d.user(blk); u != nil {
				acc.Users = append(acc.Users, u)
			}
		case "group":
			if g := d.group(blk); g != nil {
				acc.Groups = append(acc.Groups, g)
			}
		}
	}
	return acc
}

func (d *decoder) user(b *hcl.Block) *User {
	content, diags := b.Body.Content(userSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	name := b.Labels[0]
	u := &User{Name: name, Home: "/home/" + name, Shell: "/sbin/nologin", Comment: name, Range: b.DefRange}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	u.UID = sub.id("uid")
	u.GID, u.GIDRange = u.UID, b.DefRange
	if a, ok := content.Attributes["gid"]; ok {
		u.GID, u.GIDRange = sub.id("gid"), a.Expr.Range()
	}
	sub.decode("comment", &u.Comment)
	sub.decode("home", &u.Home)
	sub.decode("shell", &u.Shell)
	if !passwdField(u.Comment) {
		sub.errorf("comment", "Invalid comment", "A passwd field cannot contain ':' or control characters.")
	}
	for _, f := range []struct{ attr, val string }{{"home", u.Home}, {"shell", u.Shell}} {
		if !strings.HasPrefix(f.val, "/") || !passwdField(f.val) {
			sub.errorf(f.attr, "Invalid "+f.attr, "%q is not an absolute path without ':' or control characters.", f.val)
		}
	}
	if strings.HasPrefix(u.Home, "/") {
		u.Home = path.Clean(u.Home)
	}
	d.diags = append(d.diags, sub.diags...)
	return u
}

func (d *decoder) group(b *hcl.Block) *Group {
	content, diags := b.Body.Content(groupSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	g := &Group{Name: b.Labels[0], Range: b.DefRange}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	g.GID = sub.id("gid")
	sub.list("members", &g.Members)
	for i, m := range g.Members {
		g.memberRanges = append(g.memberRanges, sub.elementRange("members", i))
		if slices.Index(g.Members, m) < i {
			d.diags = append(d.diags, errorAt(g.memberRanges[i], "Duplicate member",
				fmt.Sprintf("%q is already a member of %s.", m, g.Name)))
		}
	}
	d.diags = append(d.diags, sub.diags...)
	return g
}

// passwdField accepts what can stand in a passwd or group field.
func passwdField(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return r == ':' || r < 0x20 || r == 0x7f })
}

// id decodes a uid or gid, written as a number or a numeric string.
func (d *decoder) id(name string) int {
	var s string
	before := len(d.diags)
	if !d.decode(name, &s) {
		if !d.diags[before:].HasErrors() {
			// Set to null: never read that as 0, which is root.
			d.errorf(name, "Invalid "+name, "%s is null; it needs a number from 0 to %d.", name, maxID)
		}
		return 0
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > maxID {
		d.errorf(name, "Invalid "+name, "%q is not a number from 0 to %d.", s, maxID)
		return 0
	}
	return int(n)
}
