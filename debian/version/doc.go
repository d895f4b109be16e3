// Package version orders Debian versions exactly as dpkg does and evaluates
// the relations (<<, <=, =, >=, >>) of dependency fields. Its tests compare
// thousands of pairs with dpkg --compare-versions.
package version
