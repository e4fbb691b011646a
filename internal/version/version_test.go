package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bi       debug.BuildInfo
		override string
		want     Info
	}{
		{"local build", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"", Info{Version: "devel", Commit: "unknown", Go: "go1.26.8"}},
		{"go install at a tag", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"}},
			"", Info{Version: "v1.2.0", Commit: "unknown", Go: "go1.26.8"}},
		{"from a checkout", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261201-abcdef"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef0123"}, {Key: "vcs.modified", Value: "false"}}},
			"", Info{Version: "v0.0.0-20261201-abcdef", Commit: "abcdef0123", Go: "go1.26.8"}},
		{"modified checkout", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abcdef0123"}, {Key: "vcs.modified", Value: "true"}}},
			"", Info{Version: "devel", Commit: "abcdef0123+dirty", Go: "go1.26.8"}},
		{"release by ldflags", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"1.3.0", Info{Version: "1.3.0", Commit: "unknown", Go: "go1.26.8"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fromBuildInfo(&tc.bi, tc.override); got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := UserAgent(), "checkin/"+String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if String() == "" || Get().Go == "" {
		t.Errorf("empty build info: %+v", Get())
	}
}
