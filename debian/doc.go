// Package debian is the root of distill's Debian knowledge. It holds no code;
// its subpackages each own one concept and know nothing of LLB or BuildKit:
//
//   - control: deb822 paragraphs, the one parser of Release, Packages,
//     .deb control files and apt sources;
//   - compress: the one map from a compression's extension to its decoder,
//     for Packages indexes and .deb members;
//   - version: dpkg's version order and relations;
//   - archive: the chain of trust from the archive keys through InRelease to
//     Packages indexes;
//   - resolve: the dependency closure of requested packages, as apt solves it;
//   - arch: Debian architecture names for OCI platforms;
//   - deb: reading and unpacking .deb files (the in-build helper's side).
//
// Nothing here decides what to fetch: archive fetches through a Fetcher the
// caller gives it (the frontend's goes through BuildKit, pinned by the hashes
// these packages give), the others take bytes already downloaded.
package debian
