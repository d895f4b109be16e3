package definition

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// LookupOwner resolves "USER[:GROUP]" as chown does: a user alone also
// gives its primary group.
func (a *Accounts) LookupOwner(owner string) (uid, gid int, err error) {
	if a == nil {
		return 0, 0, fmt.Errorf("owner %q names an account, but the image has no accounts block to look it up in: declare accounts or use numeric ids", owner)
	}
	u, g, hasGroup := strings.Cut(owner, ":")
	if isDigits(u) {
		if uid, err = parseID(u); err != nil {
			return 0, 0, fmt.Errorf("owner %q: %w", owner, err)
		}
		gid = uid
	} else if usr := a.User(u); usr != nil {
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

// User returns the user called name, or nil.
func (a *Accounts) User(name string) *User {
	for _, u := range a.Users {
		if u.Name == name {
			return u
		}
	}
	return nil
}

// Check reports ids used twice, primary groups nobody declares and members
// that are not users, in the accounts of the named image (merged from the
// images it extends, so the lines may lie in those).
func (a *Accounts) Check(image string) hcl.Diagnostics {
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
			if a.User(m) == nil {
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
