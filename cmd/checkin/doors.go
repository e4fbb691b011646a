package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/checkin-oss/checkin/doorbridge"
	"github.com/checkin-oss/checkin/doors"
)

// runDoors is "checkin doors pubkey" and "checkin doors rotate-key": the
// keys that sign the doors' allow-lists.
func runDoors(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGroup(ctx, "doors", []command{
		{"pubkey", "print the public keys the doors trust: doors pubkey [--db D]",
			func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				return signingKeys(ctx, false, args, stdout, stderr)
			}},
		{"rotate-key", "sign with a new key, the old one published a day more: doors rotate-key [--db D]",
			func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
				return signingKeys(ctx, true, args, stdout, stderr)
			}},
	}, args, stdout, stderr)
}

// signingKeys prints the published signing keys, after a rotation if
// rotate is set.
func signingKeys(ctx context.Context, rotate bool, args []string, stdout, stderr io.Writer) error {
	name := "doors pubkey"
	if rotate {
		name = "doors rotate-key"
	}
	fs := newFlagSet(name, stderr)
	var dsn string
	dbFlag(fs, &dsn)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if rotate {
		k, err := db.RotateSigningKey(ctx)
		if err != nil {
			return cliError(err)
		}
		fmt.Fprintf(stdout, "Lists are now signed by key %s; the old key stays published for a day.\n", k.ID)
	}
	keys, err := db.SigningKeys(ctx)
	if err != nil {
		return cliError(err)
	}
	for i, k := range doors.Public(keys).Keys {
		state := "signing"
		if i > 0 {
			state = "retired, published until " + keys[i].RetiredOn.Add(24*time.Hour).UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "%s:%s\t%s\n", k.ID, k.X, state)
	}
	return nil
}

// runDoorBridge is "checkin door-bridge": the reference bridge beside a
// door, reading cards on standard input.
func runDoorBridge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("door-bridge", stderr)
	b := &doorbridge.Bridge{Out: stdout}
	var pins pinFlag
	fs.StringVar(&b.Server, "server", env("CHECKIN_DOOR_SERVER", ""), "the service's base URL, such as https://checkin.example.com (CHECKIN_DOOR_SERVER)")
	fs.StringVar(&b.Key, "key", env("CHECKIN_DOOR_KEY", ""), "the door's key (CHECKIN_DOOR_KEY; prefer it to the flag, which other users may see)")
	fs.StringVar(&b.Dir, "dir", env("CHECKIN_DOOR_DIR", "door-bridge"), "where the allow-list and the queue of offline events are kept (CHECKIN_DOOR_DIR)")
	fs.DurationVar(&b.Refresh, "refresh", time.Minute, "how often the allow-list is fetched and the queue uploaded")
	fs.DurationVar(&b.Timeout, "timeout", time.Second, "how long to wait for the service before deciding offline")
	fs.Var(&pins, "pubkey", "a key trusted to sign allow-lists, kid:x as 'checkin doors pubkey' prints it (repeat for several); default: the keys the service publishes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if b.Server == "" || b.Key == "" {
		fmt.Fprintln(stderr, "checkin door-bridge: --server and --key are required")
		return errUsage
	}
	b.Pinned = pins
	b.Log = slog.New(slog.NewTextHandler(stderr, nil))
	return b.Run(ctx, os.Stdin)
}

// pinFlag is the repeated --pubkey flag.
type pinFlag []doors.PublicKey

func (p *pinFlag) String() string { return fmt.Sprint(len(*p), " keys") }

func (p *pinFlag) Set(s string) error {
	kid, x, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || kid == "" || x == "" {
		return fmt.Errorf("want kid:x, as 'checkin doors pubkey' prints it")
	}
	*p = append(*p, doors.PublicKey{ID: kid, X: x})
	return nil
}

var _ flag.Value = (*pinFlag)(nil)
