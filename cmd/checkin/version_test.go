package main

import (
	"fmt"
	"testing"

	"github.com/checkin-oss/checkin/internal/version"
)

func TestVersionPrintsTheBuild(t *testing.T) {
	v := version.Get()
	want := fmt.Sprintf("checkin %s\ncommit  %s\ngo      %s\n", v.Version, v.Commit, v.Go)
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		code, stdout, stderr := runCommand(args...)
		if code != 0 || stdout != want || stderr != "" {
			t.Errorf("checkin %v: exit %d, %q %q; want 0 and %q", args, code, stdout, stderr, want)
		}
	}
	if code, _, _ := runCommand("version", "--bogus"); code != 2 {
		t.Errorf("checkin version --bogus: exit %d, want 2", code)
	}
}
