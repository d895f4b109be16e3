// Package control reads deb822 control data: the paragraphs of Release
// files, Packages indexes, .deb control files and apt's deb822 sources.
// It is the one parser of that format in distill.
//
// ControlReader streams the paragraphs of a large file (an index of tens of
// megabytes) without holding it; ParseParagraph reads one paragraph held in
// memory (a .deb's control file) without copying it. Both follow deb822(5),
// folded fields included; Syntax chooses between the Lenient rules of
// indexes and sources (comments allowed) and the Strict ones dpkg holds a
// binary package's control file to.
package control
