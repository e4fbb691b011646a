// Command pgcheck exits 0 when the PostgreSQL database at the URL given as
// its argument answers, and 1 (saying why) when it does not: CI runs it
// before the tests so that they fail, rather than skip, without PostgreSQL.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pgcheck postgres://...")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sql.Open("pgx", os.Args[1])
	if err == nil {
		err = db.PingContext(ctx)
		db.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "PostgreSQL does not answer: %v\n", err)
		os.Exit(1)
	}
}
