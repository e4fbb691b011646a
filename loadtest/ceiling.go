package loadtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/checkin-oss/checkin"
)

// The ceiling is the same load against a plain net/http handler that only
// decodes the request and encodes an answer of the size of a member's
// check-in: what this machine can do over HTTP before any check-in work.
// It runs as a process of its own (the tool started again with
// "ceiling-serve"), like the real server: in the tool's process it would
// share the load generator's scheduler and garbage collector, and flatter
// or wrong both figures.

// ceilingAnswer is a member's success answer with values of the seeded
// members' lengths.
var ceilingAnswer = checkin.Confirmation{
	WasSuccessful: true,
	Message:       "2026-06-16T00:00:00 UTC",
	Value: &checkin.Session{
		FullName: ptr("Member 0000001"), CoworkerID: ptr[int64](1234), TunnelID: ptr(""), CheckedIn: ptr(true),
		SessionExpire: "2026-06-16T00:00:00 UTC", SessionTimeOut: 43200,
	},
}

func ptr[T any](v T) *T { return &v }

// CeilingHandler decodes a check-in request with encoding/json and answers
// ceilingAnswer; it answers GET /readyz for StartProcess. With a database
// of pgbench's tables it also runs pgbench's own -N transaction for each
// request, through database/sql as the server does: the rate of the
// transaction pgbench measures, behind HTTP on the same machine.
func CeilingHandler(pgbench *sql.DB) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST "+CheckinPath, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		var req checkin.CheckinRequest
		if err != nil || json.Unmarshal(body, &req) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if pgbench != nil {
			if err := pgbenchTransaction(r.Context(), pgbench); err != nil {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(ceilingAnswer)
	})
	return mux
}

// pgbenchTransaction is pgbench -N's transaction (scale 10): an account's
// balance changed and read, and a history row added.
func pgbenchTransaction(ctx context.Context, db *sql.DB) error {
	aid, tid, bid, delta := rand.IntN(1_000_000)+1, rand.IntN(100)+1, rand.IntN(10)+1, rand.IntN(10001)-5000
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2", delta, aid); err != nil {
		return err
	}
	var balance int
	if err := tx.QueryRowContext(ctx, "SELECT abalance FROM pgbench_accounts WHERE aid = $1", aid).Scan(&balance); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)",
		tid, bid, aid, delta); err != nil {
		return err
	}
	return tx.Commit()
}

// ServeCeiling serves CeilingHandler on addr with the service's own server
// timeouts, until ctx ends; pgbenchDSN, if not "", names a database of
// pgbench's tables (see CeilingHandler).
func ServeCeiling(ctx context.Context, addr, pgbenchDSN string) error {
	var pgbench *sql.DB
	if pgbenchDSN != "" {
		var err error
		if pgbench, err = sql.Open("pgx", pgbenchDSN); err != nil {
			return err
		}
		defer pgbench.Close()
		pgbench.SetMaxOpenConns(32) // as the server's pool
		pgbench.SetMaxIdleConns(32)
	}
	srv := &http.Server{Addr: addr, Handler: CeilingHandler(pgbench), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 16 << 10}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
