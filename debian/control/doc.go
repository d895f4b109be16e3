// Package control reads deb822 control data: the paragraphs of Release
// files, Packages indexes, .deb control files and apt's deb822 sources.
// It is the one parser of that format in distill.
package control
