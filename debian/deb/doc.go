// Package deb reads Debian binary packages (.deb) and unpacks them the way
// distroless images are assembled: the files of data.tar.* are written into a
// root directory, no maintainer script runs, and the package is recorded for
// scanners in /var/lib/dpkg/status.d/<pkg> (the control file verbatim) and
// /var/lib/dpkg/status.d/<pkg>.md5sums.
//
// Everything is streamed: the ar container is read member by member, the
// control archive is read in memory (it is small and bounded), and the data
// archive goes straight from the decompressor to disk. The control file is
// parsed by package control (Strict rules) only to read fields: status.d gets
// its original bytes. Members are decoded by package compress.
//
// Extraction is hardened against hostile archives: members naming "..",
// device nodes, FIFOs, relative symlinks that climb above the root and hard
// links to anything but a regular file already extracted from the same
// archive are refused with an error naming the member. Absolute symlink
// targets are legitimate in a root filesystem and are kept as they are; the
// extractor never writes through a symlink into the host: a symlink met as a
// parent directory of a member is resolved inside the root, the way it would
// be inside the image (a chroot), and the last component of a path is never
// followed.
//
// The in-build helper (package helper) runs this code inside BuildKit execs;
// the package imports nothing from BuildKit.
package deb
