// Package version tells which build of checkin is running: its version, the
// commit it was built from and the Go that built it, as the binary, /healthz,
// the checkin_build_info metric and outgoing User-Agents show them.
package version

import (
	"runtime/debug"
	"sync"
)

// override is set at link time for release builds:
//
//	go build -ldflags "-X github.com/checkin-oss/checkin/internal/version.override=1.2.0" ./cmd/checkin
var override string

// Info describes one build.
type Info struct {
	Version string `json:"version"` // v1.2.0, a pseudo-version, or "devel"
	Commit  string `json:"commit"`  // the VCS revision, "+dirty" when modified; "unknown" without VCS data
	Go      string `json:"go"`      // the Go release that built the binary
}

// Get returns the running build's information, read once.
var Get = sync.OnceValue(func() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: orDevel(override), Commit: "unknown", Go: "unknown"}
	}
	return fromBuildInfo(bi, override)
})

func fromBuildInfo(bi *debug.BuildInfo, override string) Info {
	info := Info{Version: bi.Main.Version, Commit: "unknown", Go: bi.GoVersion}
	if override != "" {
		info.Version = override
	}
	info.Version = orDevel(info.Version)
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && info.Commit != "unknown" {
		info.Commit += "+dirty"
	}
	return info
}

func orDevel(v string) string {
	if v == "" || v == "(devel)" {
		return "devel"
	}
	return v
}

// String is the version alone, as /healthz shows it.
func String() string { return Get().Version }

// UserAgent is the User-Agent of the service's outgoing requests
// (webhooks): "checkin/<version>".
func UserAgent() string { return "checkin/" + Get().Version }
