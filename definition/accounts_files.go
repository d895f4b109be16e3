package definition

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// applyAccounts checks an image's accounts once inheritance is done and turns
// them into what the image holds: /etc/passwd, /etc/group, the homes it
// makes, and the numeric user of the config.
func applyAccounts(img *Image) hcl.Diagnostics {
	diags := resolveOwners(img)
	acc := img.Accounts
	if acc == nil {
		return diags
	}
	diags = append(diags, acc.check(img.Name)...)
	if acc.RunAs != "" {
		if u := acc.user(acc.RunAs); u != nil {
			img.User = strconv.Itoa(u.UID)
		} else {
			diags = append(diags, errorAt(acc.RunAsRange, "Unknown user",
				fmt.Sprintf("run_as names %q, which the accounts of image %s do not declare.", acc.RunAs, img.Name)))
		}
	}
	declared := map[string]*Entry{}
	for _, e := range img.Entries {
		declared[e.Path] = e
	}
	for _, p := range []string{"/etc/passwd", "/etc/group"} {
		if e, ok := declared[p]; ok {
			diags = append(diags, errorAt(e.Range, "Conflicting accounts",
				fmt.Sprintf("%s is written from the accounts block at %s; declare the accounts there, not as a file.", p, acc.Range)))
		}
	}
	if diags.HasErrors() {
		return diags
	}

	img.Entries = append(img.Entries,
		&Entry{Kind: KindFile, Path: "/etc/passwd", Content: acc.passwd(), Mode: 0o644, Range: acc.Range},
		&Entry{Kind: KindFile, Path: "/etc/group", Content: acc.group(), Mode: 0o644, Range: acc.Range})
	for _, u := range acc.Users {
		// A home declared as a directory block keeps its declared mode and
		// owner; one elsewhere (/usr/sbin for daemon, /var/mail for mail)
		// belongs to the packages that ship it.
		if _, ok := declared[u.Home]; ok || !makesHome(u.Home) {
			continue
		}
		declared[u.Home] = &Entry{Kind: KindDirectory, Path: u.Home, Mode: 0o700, UID: u.UID, GID: u.GID, Range: u.Range}
		img.Entries = append(img.Entries, declared[u.Home])
	}
	sort.Slice(img.Entries, func(i, j int) bool { return img.Entries[i].Path < img.Entries[j].Path })
	return checkAncestors(img.Entries)
}

// makesHome says whether accounts make a user's home: /root and homes
// under /home, the places no package owns.
func makesHome(home string) bool {
	return home == "/root" || strings.HasPrefix(home, "/home/")
}

// resolveOwners sets the ids of entries whose owner is written with names,
// from the image's accounts. Entries are shared with the images they were
// inherited from, whose accounts may differ: resolved ones are copies.
func resolveOwners(img *Image) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, e := range img.Entries {
		if e.Owner == "" {
			continue
		}
		uid, gid, err := img.Accounts.lookupOwner(e.Owner)
		if err != nil {
			diags = append(diags, errorAt(e.OwnerRange, "Unknown owner", err.Error()))
			continue
		}
		c := *e
		c.UID, c.GID, c.Owner = uid, gid, ""
		img.Entries[i] = &c
	}
	return diags
}

// lookupOwner resolves "USER[:GROUP]" as chown does: a user alone also
// gives its primary group.
func (a *Accounts) lookupOwner(owner string) (uid, gid int, err error) {
	if a == nil {
		return 0, 0, fmt.Errorf("owner %q names an account, but the image has no accounts block to look it up in: declare accounts or use numeric ids", owner)
	}
	u, g, hasGroup := strings.Cut(owner, ":")
	if isDigits(u) {
		if uid, err = parseID(u); err != nil {
			return 0, 0, fmt.Errorf("owner %q: %w", owner, err)
		}
		gid = uid
	} else if usr := a.user(u); usr != nil {
		uid, gid = usr.UID, usr.GID
	} else {
		return 0, 0, fmt.Errorf("owner %q: the accounts declare no user %q", owner, u)
	}
	if !hasGroup {
		return uid, gid, nil
	}
	if isDigits(g) {
		if gid, err = parseID(g); err != nil {
			return 0, 0, fmt.Errorf("owner %q: %w", owner, err)
		}
		return uid, gid, nil
	}
	for _, grp := range a.Groups {
		if grp.Name == g {
			return uid, grp.GID, nil
		}
	}
	return 0, 0, fmt.Errorf("owner %q: the accounts declare no group %q", owner, g)
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func (a *Accounts) user(name string) *User {
	for _, u := range a.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// check reports ids used twice, primary groups nobody declares and members
// that are not users, in the accounts of the named image (merged from the
// images it extends, so the lines may lie in those).
func (a *Accounts) check(image string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	uids := map[int]*User{}
	for _, u := range a.Users {
		if prev, ok := uids[u.UID]; ok {
			diags = append(diags, errorAt(u.Range, "Duplicate uid",
				fmt.Sprintf("In image %s, users %s and %s (at %s) both have uid %d.", image, u.Name, prev.Name, prev.Range, u.UID)))
		}
		uids[u.UID] = u
	}
	gids := map[int]*Group{}
	for _, g := range a.Groups {
		if prev, ok := gids[g.GID]; ok {
			diags = append(diags, errorAt(g.Range, "Duplicate gid",
				fmt.Sprintf("In image %s, groups %s and %s (at %s) both have gid %d.", image, g.Name, prev.Name, prev.Range, g.GID)))
		}
		gids[g.GID] = g
		for i, m := range g.Members {
			if a.user(m) == nil {
				diags = append(diags, errorAt(g.memberRanges[i], "Unknown group member",
					fmt.Sprintf("Group %s lists %q, which the accounts of image %s do not declare as a user.", g.Name, m, image)))
			}
		}
	}
	for _, u := range a.Users {
		if _, ok := gids[u.GID]; !ok {
			diags = append(diags, errorAt(u.GIDRange, "Unknown primary group",
				fmt.Sprintf("In image %s, user %s's primary group is %d, which no group block declares.", image, u.Name, u.GID)))
		}
	}
	return diags
}

// passwd renders /etc/passwd in declaration order, as distroless writes it.
func (a *Accounts) passwd() []byte {
	var b strings.Builder
	for _, u := range a.Users {
		fmt.Fprintf(&b, "%s:x:%d:%d:%s:%s:%s\n", u.Name, u.UID, u.GID, u.Comment, u.Home, u.Shell)
	}
	return []byte(b.String())
}

func (a *Accounts) group() []byte {
	var b strings.Builder
	for _, g := range a.Groups {
		fmt.Fprintf(&b, "%s:x:%d:%s\n", g.Name, g.GID, strings.Join(g.Members, ","))
	}
	return []byte(b.String())
}
