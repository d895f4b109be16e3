package version

import "fmt"

// Relation is the operator of a versioned dependency such as
// "libc6 (>= 2.36)" (Debian policy §7.1).
type Relation uint8

const (
	// RelNone is an unversioned dependency: every version satisfies it.
	RelNone Relation = iota
	RelLT            // <<  strictly earlier
	RelLE            // <=  earlier or equal (also written "<", obsolete)
	RelEQ            // =   exactly equal
	RelGE            // >=  later or equal (also written ">", obsolete)
	RelGT            // >>  strictly later
)

// ParseRelation parses a relation operator as written in a control file:
// "<<", "<=", "=", ">=" or ">>". The obsolete "<" and ">" are accepted with
// the meaning dpkg gives them, "<=" and ">=" (not strictly earlier or later!).
// Use IsObsoleteRelation to warn about them.
func ParseRelation(s string) (Relation, error) {
	switch s {
	case "<<":
		return RelLT, nil
	case "<=", "<":
		return RelLE, nil
	case "=":
		return RelEQ, nil
	case ">=", ">":
		return RelGE, nil
	case ">>":
		return RelGT, nil
	}
	return RelNone, fmt.Errorf("invalid version relation %q: want one of <<, <=, =, >=, >>", s)
}

// IsObsoleteRelation reports whether s is one of the obsolete relation
// operators "<" and ">", which mean "<=" and ">=" and which policy forbids.
func IsObsoleteRelation(s string) bool { return s == "<" || s == ">" }

// String returns the operator as written in a control file; "" for RelNone.
func (r Relation) String() string {
	switch r {
	case RelNone:
		return ""
	case RelLT:
		return "<<"
	case RelLE:
		return "<="
	case RelEQ:
		return "="
	case RelGE:
		return ">="
	case RelGT:
		return ">>"
	}
	return fmt.Sprintf("Relation(%d)", uint8(r))
}

// Satisfies reports whether version v satisfies the dependency relation
// "op want", e.g. Satisfies(v, RelGE, 2.36) for "(>= 2.36)". Versions are
// compared in full, as dpkg does: "= 1.0" is not satisfied by 1.0-1, but is
// by 1.0-0, 1.00 and 0:1.0. RelNone is satisfied by every version; an unknown
// Relation by none.
func Satisfies(v Version, op Relation, want Version) bool {
	if op == RelNone {
		return true
	}
	c := CompareVersions(v, want)
	switch op {
	case RelLT:
		return c < 0
	case RelLE:
		return c <= 0
	case RelEQ:
		return c == 0
	case RelGE:
		return c >= 0
	case RelGT:
		return c > 0
	}
	return false
}
