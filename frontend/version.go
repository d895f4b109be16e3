package frontend

// Version is the frontend's version, set at link time for releases.
var Version = "dev"
