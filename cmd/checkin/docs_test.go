package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// demoMarker precedes each shell block of the docs that runs as pasted
// against checkin serve --demo.
const demoMarker = "<!-- demo: cmd/checkin/docs_test.go runs this block against the demo -->"

// demoBlocks returns the marked shell blocks of a Markdown file, in order.
func demoBlocks(t *testing.T, path string) []string {
	t.Helper()
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	parts := strings.Split(string(doc), demoMarker+"\n")
	for _, p := range parts[1:] {
		body, ok := strings.CutPrefix(p, "```sh\n")
		end := strings.Index(body, "\n```")
		if !ok || end < 0 {
			t.Fatalf("%s: a demo marker is not followed by a ```sh block", path)
		}
		blocks = append(blocks, body[:end+1])
	}
	return blocks
}

// TestTheDocsCommandsWorkAsPasted runs the marked blocks of the README and
// of docs/operations.md, each file's blocks in one shell, against a fresh
// demo server; curl fails on any answer of 400 or more.
func TestTheDocsCommandsWorkAsPasted(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run the docs' commands (.ci/run installs it): %v", tool, err)
		}
	}
	for _, doc := range []string{"../../README.md", "../../docs/operations.md"} {
		t.Run(filepath.Base(doc), func(t *testing.T) {
			blocks := demoBlocks(t, doc)
			if len(blocks) < 5 {
				t.Fatalf("%s has %d demo blocks; the test reads too few", doc, len(blocks))
			}
			addr := freeAddr(t)
			dir := t.TempDir()
			s := startServe(t, addr, "serve", "--demo", "--addr", addr, "--db", filepath.Join(dir, "checkin.db"))
			script := "set -euo pipefail\ncurl() { command curl --fail-with-body \"$@\"; }\n" +
				strings.ReplaceAll(strings.Join(blocks, ""), "http://127.0.0.1:8080", s.url)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", script)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the commands of %s fail: %v\n%s\n--- the script:\n%s", doc, err, out, script)
			}

			if strings.Contains(string(out), `"WasSuccessful":false`) {
				t.Errorf("an admin call of %s was refused:\n%s", doc, out)
			}
		})
	}
}
