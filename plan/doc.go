// Package plan lowers a definition as written to what is to be built, and
// decides what the definition leaves open, each decision in one place:
//
//   - Lower applies inheritance (from), turns accounts into /etc/passwd,
//     /etc/group, homes and a numeric user, and resolves owners named by
//     account; the decoded definition stays as the user wrote it;
//   - Target picks the image (the last one by default) and Platforms what it
//     is built for (the requested platforms, the image's own, or the
//     worker's);
//   - Packages solves an image's packages from verified indexes, or takes
//     them from the lockfile without fetching anything, and groups them for
//     unpacking along the image's lineage; Lock solves every image.
//
// It fetches through an archive.Fetcher (the frontend's is llb.HTTP) and
// knows neither LLB nor the gateway.
package plan
