package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/cmd/checkin/wire"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/internal/version"
	"github.com/checkin-oss/checkin/sqlstore"
	"github.com/checkin-oss/checkin/webhook"
)

// shutdownGrace is how long requests in flight may take to finish after
// SIGTERM or SIGINT.
const shutdownGrace = 20 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config
	fs := newFlagSet("serve", stderr)
	cfg.flags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := cfg.logger(stderr)
	if err != nil {
		return err
	}
	if err := cfg.parseNetworks(); err != nil {
		return err
	}
	if err := cfg.parseEvents(); err != nil {
		return err
	}
	limitMemory()
	db, err := openStore(ctx, cfg.db, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := bootstrapAdmin(ctx, db, log); err != nil {
		return err
	}
	if _, err := db.SigningKeys(ctx); err != nil { // the doors' signing key, made on first start
		return fmt.Errorf("door signing key: %w", err)
	}
	if cfg.demo {
		if cfg.defaultLocation == "" {
			cfg.defaultLocation = demoLocation
		}
		if err := seedDemo(ctx, db, cfg, stdout); err != nil {
			return fmt.Errorf("demo: %w", cliError(err))
		}
	}
	warnAtStart(ctx, db, cfg, log)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	go sweep(ctx, db, log)
	if cfg.pprofAddr != "" {
		go servePprof(cfg.pprofAddr, log)
	}
	s := newServer(ctx, db, cfg, log)
	radius, err := startRADIUS(ctx, db, s, cfg, log)
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer startWebhooks(ctx, db, cfg, log, s.Metrics)()
	defer stop() // runs first: the worker stops, then the deferred wait above ends
	srv := newHTTPServer(s.Handler())
	log.Info("listening", "addr", ln.Addr().String(), "db", dbKind(db), "base_domain", cfg.baseDomain, "default_location", cfg.defaultLocation,
		"trusted_devices", cfg.devices, "trusted_proxies", cfg.proxies)
	err = serveUntilDone(ctx, srv, ln, log)
	if radius != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		if rerr := radius.Shutdown(shutdownCtx); rerr != nil && err == nil {
			err = fmt.Errorf("radius shutdown: %w", rerr)
		}
	}
	return err
}

// defaultMemoryLimit is the heap size past which the garbage collector
// works harder, unless GOMEMLIMIT says otherwise. Each password hash takes
// 7 MiB for a moment (argon2id), and a burst of password check-ins makes
// them without pause; the limit keeps the heap from growing with that
// garbage, and the server under 100 MB.
const defaultMemoryLimit = 64 << 20

func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// bootstrapAdmin creates the administrator named by CHECKIN_ADMIN_EMAIL and
// CHECKIN_ADMIN_PASSWORD, if both are set and no user has that email.
func bootstrapAdmin(ctx context.Context, db *sqlstore.DB, log *slog.Logger) error {
	email, password := env("CHECKIN_ADMIN_EMAIL", ""), env("CHECKIN_ADMIN_PASSWORD", "")
	if email == "" || password == "" {
		return nil
	}
	created, err := db.EnsureAdmin(ctx, email, password)
	if err != nil {
		return fmt.Errorf("CHECKIN_ADMIN_EMAIL: %w", cliError(err))
	}
	if created {
		log.Info("created the administrator from CHECKIN_ADMIN_EMAIL", "email", checkin.NormalizeEmail(email))
	}
	return nil
}

func dbKind(db *sqlstore.DB) string {
	if db.IsSQLite() {
		return "sqlite"
	}
	return "postgres"
}

// newHandler wires the store into the HTTP layer and the pages.
func newHandler(ctx context.Context, db *sqlstore.DB, cfg config, log *slog.Logger) http.Handler {
	return newServer(ctx, db, cfg, log).Handler()
}

func newServer(ctx context.Context, db *sqlstore.DB, cfg config, log *slog.Logger) *httpapi.Server {
	// The live streams, the API's and the console's, end when ctx does
	// (SIGTERM), so that the server can shut down.
	s := wire.Server(db, log, ctx.Done())
	s.BaseDomain, s.DefaultLocation = cfg.baseDomain, cfg.defaultLocation
	s.CORSOrigins = checkin.SplitList(cfg.corsOrigins)
	s.TrustedDevices, s.TrustedProxies = cfg.devices, cfg.proxies
	knowLocations(ctx, db, s.Metrics, log)
	db.CheckWebhookURL = webhookGuard(cfg).CheckURL
	return s
}

func webhookGuard(cfg config) *webhook.Guard {
	return &webhook.Guard{AllowPrivate: cfg.webhooksAllowPrivate}
}

// startWebhooks runs the webhook worker until ctx ends; the function it
// returns waits for the worker's attempts in flight.
func startWebhooks(ctx context.Context, db *sqlstore.DB, cfg config, log *slog.Logger, m *httpapi.Metrics) func() {
	w := &webhook.Worker{Store: db, Log: log, Retention: cfg.eventRetention,
		Client:  webhook.NewClient(webhookGuard(cfg), 0, version.String()),
		Metrics: webhook.NewMetrics(m.Registry)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	return func() { <-done }
}

// newHTTPServer bounds how long a client may take to send headers and body
// and to read the answer, and how large its headers may be.
func newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
}

// serveUntilDone serves until ctx ends (SIGTERM or SIGINT), then stops
// accepting connections and lets requests in flight finish.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "grace_ms", shutdownGrace.Milliseconds())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// servePprof serves Go's profiles on their own address, never on the
// service's: they are for the operator, not for clients.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	log.Info("serving profiles", "addr", addr)
	if err := http.ListenAndServe(addr, mux); err != nil {
		log.Error("profiles", "err", err)
	}
}
