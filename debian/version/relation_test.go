package version

import "testing"

func TestParseRelation(t *testing.T) {
	tests := []struct {
		in       string
		want     Relation
		str      string
		obsolete bool
	}{
		{"<<", RelLT, "<<", false},
		{"<=", RelLE, "<=", false},
		{"=", RelEQ, "=", false},
		{">=", RelGE, ">=", false},
		{">>", RelGT, ">>", false},
		{"<", RelLE, "<=", true}, // obsolete: "<" means "<=", as in dpkg
		{">", RelGE, ">=", true}, // obsolete: ">" means ">="
	}
	for _, tt := range tests {
		got, err := ParseRelation(tt.in)
		if err != nil {
			t.Errorf("ParseRelation(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want || got.String() != tt.str {
			t.Errorf("ParseRelation(%q) = %v (%q), want %v (%q)", tt.in, uint8(got), got, uint8(tt.want), tt.str)
		}
		if IsObsoleteRelation(tt.in) != tt.obsolete {
			t.Errorf("IsObsoleteRelation(%q) = %t, want %t", tt.in, !tt.obsolete, tt.obsolete)
		}
	}

	for _, in := range []string{"", "==", "=<", "=>", "<>", "!=", "lt", " >=", "<<<"} {
		if r, err := ParseRelation(in); err == nil {
			t.Errorf("ParseRelation(%q) = %q, want an error", in, r)
		} else if want := `invalid version relation "` + in + `": want one of <<, <=, =, >=, >>`; err.Error() != want {
			t.Errorf("ParseRelation(%q): got error %s, want %s", in, err, want)
		}
	}

	if s := RelNone.String(); s != "" {
		t.Errorf("RelNone.String() = %q, want \"\"", s)
	}
	if s := Relation(42).String(); s != "Relation(42)" {
		t.Errorf("Relation(42).String() = %q", s)
	}
}

func TestSatisfies(t *testing.T) {
	tests := []struct {
		v    string
		op   Relation
		want string
		ok   bool
	}{
		{"2.36-9+deb12u4", RelGE, "2.36", true},
		{"2.36-9+deb12u4", RelGE, "2.36-9+deb12u4", true},
		{"2.36-9+deb12u4", RelGT, "2.36-9+deb12u4", false},
		{"2.36-9+deb12u4", RelLT, "2.37~", true},
		{"2.37", RelLT, "2.37~", false},
		{"1.0-1", RelEQ, "1.0", false}, // = compares the revision too
		{"1.0-0", RelEQ, "1.0", true},  // but an absent revision is "0"
		{"1.00", RelEQ, "1.0", true},
		{"0:1.0", RelEQ, "1.0", true},
		{"1:1.0", RelEQ, "1.0", false},
		{"1.0", RelLE, "1.0", true},
		{"1.0", RelLE, "1.0~", false},
		{"1.0~", RelLE, "1.0", true},
		{"1.0", RelNone, "99", true},           // unversioned: anything goes
		{"1.0", Relation(42), "1.0", false},    // unknown: nothing does
		{"1:0", RelGT, "99999999999999", true}, // the epoch wins
	}
	for _, tt := range tests {
		v, want := MustParseVersion(tt.v), MustParseVersion(tt.want)
		if got := Satisfies(v, tt.op, want); got != tt.ok {
			t.Errorf("Satisfies(%s, %v, %s) = %t, want %t", tt.v, tt.op, tt.want, got, tt.ok)
		}
	}
}
