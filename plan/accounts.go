package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/distill-build/distill/definition"

	"github.com/hashicorp/hcl/v2"
)

// applyAccounts checks an image's accounts once inheritance is done and turns
// them into what the image holds: /etc/passwd, /etc/group, the homes it
// makes, and the numeric user of the config.
func applyAccounts(img *definition.Image) hcl.Diagnostics {
	diags := resolveOwners(img)
	acc := img.Accounts
	if acc == nil {
		return diags
	}
	diags = append(diags, acc.Check(img.Name)...)
	if acc.RunAs != "" {
		if u := acc.User(acc.RunAs); u != nil {
			img.User = strconv.Itoa(u.UID)
		} else {
			diags = append(diags, errorAt(acc.RunAsRange, "Unknown user",
				fmt.Sprintf("run_as names %q, which the accounts of image %s do not declare.", acc.RunAs, img.Name)))
		}
	}
	declared := map[string]*definition.Entry{}
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
		&definition.Entry{Kind: definition.KindFile, Path: "/etc/passwd", Content: passwd(acc), Mode: 0o644, Range: acc.Range},
		&definition.Entry{Kind: definition.KindFile, Path: "/etc/group", Content: group(acc), Mode: 0o644, Range: acc.Range})
	for _, u := range acc.Users {
		// A home declared as a directory block keeps its declared mode and
		// owner; one elsewhere (/usr/sbin for daemon, /var/mail for mail)
		// belongs to the packages that ship it.
		if _, ok := declared[u.Home]; ok || !makesHome(u.Home) {
			continue
		}
		declared[u.Home] = &definition.Entry{Kind: definition.KindDirectory, Path: u.Home, Mode: 0o700, UID: u.UID, GID: u.GID, Range: u.Range}
		img.Entries = append(img.Entries, declared[u.Home])
	}
	sort.Slice(img.Entries, func(i, j int) bool { return img.Entries[i].Path < img.Entries[j].Path })
	return definition.CheckAncestors(img.Entries)
}

// makesHome says whether accounts make a user's home: /root and homes
// under /home, the places no package owns.
func makesHome(home string) bool {
	return home == "/root" || strings.HasPrefix(home, "/home/")
}

// resolveOwners sets the ids of entries whose owner is written with names,
// from the image's accounts. Entries are shared with the images they were
// inherited from, whose accounts may differ: resolved ones are copies.
func resolveOwners(img *definition.Image) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for i, e := range img.Entries {
		if e.Owner == "" {
			continue
		}
		uid, gid, err := img.Accounts.LookupOwner(e.Owner)
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

// passwd renders /etc/passwd in declaration order, as distroless writes it.
func passwd(a *definition.Accounts) []byte {
	var b strings.Builder
	for _, u := range a.Users {
		fmt.Fprintf(&b, "%s:x:%d:%d:%s:%s:%s\n", u.Name, u.UID, u.GID, u.Comment, u.Home, u.Shell)
	}
	return []byte(b.String())
}

// group renders /etc/group in declaration order.
func group(a *definition.Accounts) []byte {
	var b strings.Builder
	for _, g := range a.Groups {
		fmt.Fprintf(&b, "%s:x:%d:%s\n", g.Name, g.GID, strings.Join(g.Members, ","))
	}
	return []byte(b.String())
}
