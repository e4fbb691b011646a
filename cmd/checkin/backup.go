package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/checkin-oss/checkin/sqlstore"
)

// runBackup is "checkin backup --db D --out F": an online, consistent copy
// of a SQLite database, taken while the server runs.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", stderr)
	var dsn, out string
	dbFlag(fs, &dsn)
	fs.StringVar(&out, "out", "", "the file to write the copy to; it must not exist yet")
	if err := parse(fs, args); err != nil {
		return err
	}
	if out == "" {
		io.WriteString(stderr, "checkin backup: --out is required, for example --out \"checkin-$(date +%Y%m%d-%H%M%S).db\"\n")
		return errUsage
	}
	if err := sqlstore.Backup(ctx, dsn, out); err != nil {
		return cliError(err)
	}
	info, err := os.Stat(out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backed up %s to %s (%d bytes, integrity ok).\n", dsn, out, info.Size())
	return nil
}
