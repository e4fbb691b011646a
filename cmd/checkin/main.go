// Command checkin is the check-in and access service for coworking spaces.
//
//	checkin serve            run the server (embedded SQLite in ./checkin.db by default)
//	checkin serve --demo     the same, with a demo location to try at once
//	checkin migrate          create or migrate the database schema, then exit
//	checkin admin create     create a full administrator
//	checkin backup           copy a SQLite database while the server runs
//	checkin version          print the version, the commit and the Go version
//	checkin doors pubkey     print the keys that sign the doors' allow-lists
//	checkin door-bridge      run beside a door, cards on standard input
//
// Run "checkin <command> -h" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // IANA time zones even on machines without them

	"github.com/checkin-oss/checkin/internal/version"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP server", runServe},
		{"migrate", "create or migrate the database schema, then exit", runMigrate},
		{"admin", "manage administrators: admin create --email E --password P", runAdmin},
		{"backup", "copy a SQLite database while the server runs: backup --out F", runBackup},
		{"version", "print the version, the commit and the Go version (also --version)", runVersion},
		{"doors", "the doors' allow-list signing keys: doors pubkey | doors rotate-key", runDoors},
		{"door-bridge", "run beside a door: door-bridge --server URL --key KEY, cards on standard input", runDoorBridge},
	}
}

// run runs the command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "--version" || args[0] == "-version" {
		args[0] = "version"
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdout, stderr)
			switch {
			case err == nil:
				return 0
			case errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintf(stderr, "checkin %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "checkin: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage reports bad flags, which the flag package has already explained.
var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "checkin: the check-in and access service for coworking spaces.\n\nUsage: checkin <command> [flags]\n\nCommands:")
	listCommands(w, commands())
	fmt.Fprintln(w, "\nRun 'checkin <command> -h' for a command's flags.")
}

// listCommands prints each command with its summary, one a line.
// The names are padded to 8 characters, or to the longest.
func listCommands(w io.Writer, cs []command) {
	width := 8
	for _, c := range cs {
		width = max(width, len(c.name))
	}
	for _, c := range cs {
		fmt.Fprintf(w, "  %-*s %s\n", width, c.name, c.summary)
	}
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parse(newFlagSet("version", stderr), args); err != nil {
		return err
	}
	v := version.Get()
	fmt.Fprintf(stdout, "checkin %s\ncommit  %s\ngo      %s\n", v.Version, v.Commit, v.Go)
	return nil
}
