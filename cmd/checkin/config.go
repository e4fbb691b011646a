package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// config is the server's configuration: each setting comes from its flag,
// else its environment variable, else its default.
type config struct {
	addr            string
	db              string
	baseDomain      string
	defaultLocation string
	trustedDevices  string
	trustedProxies  string
	devices         []netip.Prefix // trustedDevices, parsed by parseNetworks
	proxies         []netip.Prefix // trustedProxies, parsed by parseNetworks
	corsOrigins     string
	logFormat       string
	logLevel        string
	pprofAddr       string
	radiusAuthAddr  string
	radiusAcctAddr  string
	demo            bool
	allowPrivate    string // CHECKIN_WEBHOOKS_ALLOW_PRIVATE, checked by parseEvents
	retention       string
	// webhooksAllowPrivate (--webhooks-allow-private) lets webhooks reach
	// loopback, private and link-local addresses; eventRetention is
	// --event-retention. Both are read by parseEvents.
	webhooksAllowPrivate bool
	eventRetention       time.Duration
}

// env returns the value of an environment variable, or def when it is
// unset or empty: an empty variable (CHECKIN_ADDR= in a service file) must
// not turn 127.0.0.1:8080 into every interface.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("checkin "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parse parses args, turning the flag package's errors into errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func dbFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "db", env("CHECKIN_DB", "checkin.db"), "a SQLite file path or a postgres:// URL (CHECKIN_DB)")
}

func (c *config) flags(fs *flag.FlagSet) {
	fs.StringVar(&c.addr, "addr", env("CHECKIN_ADDR", "127.0.0.1:8080"), "where the HTTP server listens (CHECKIN_ADDR)")
	dbFlag(fs, &c.db)
	fs.StringVar(&c.baseDomain, "base-domain", env("CHECKIN_BASE_DOMAIN", "localhost"), "the domain under which locations are subdomains (CHECKIN_BASE_DOMAIN)")
	fs.StringVar(&c.defaultLocation, "default-location", env("CHECKIN_DEFAULT_LOCATION", ""), "WebAddress used when the Host has no subdomain (CHECKIN_DEFAULT_LOCATION)")
	fs.StringVar(&c.trustedDevices, "trusted-devices", env("CHECKIN_TRUSTED_DEVICES", ""), "comma-separated addresses or CIDR ranges of integrations that speak for many people (CHECKIN_TRUSTED_DEVICES)")
	fs.StringVar(&c.trustedProxies, "trusted-proxies", env("CHECKIN_TRUSTED_PROXIES", ""), "addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (CHECKIN_TRUSTED_PROXIES)")
	fs.StringVar(&c.corsOrigins, "cors-origins", env("CHECKIN_CORS_ORIGINS", ""), "comma-separated exact origins (https://desk.example.com) whose browser pages may call the API; empty: no CORS (CHECKIN_CORS_ORIGINS)")
	fs.StringVar(&c.logFormat, "log-format", env("CHECKIN_LOG_FORMAT", "text"), "log format: text or json (CHECKIN_LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", env("CHECKIN_LOG_LEVEL", "info"), "log level: debug, info, warn or error (CHECKIN_LOG_LEVEL)")
	fs.StringVar(&c.radiusAuthAddr, "radius-auth-addr", env("CHECKIN_RADIUS_AUTH_ADDR", ""), "if set, the UDP address for RADIUS Access-Request and Status-Server, e.g. :1812 (CHECKIN_RADIUS_AUTH_ADDR)")
	fs.StringVar(&c.radiusAcctAddr, "radius-acct-addr", env("CHECKIN_RADIUS_ACCT_ADDR", ""), "if set, the UDP address for RADIUS Accounting-Request, e.g. :1813 (CHECKIN_RADIUS_ACCT_ADDR)")
	fs.StringVar(&c.pprofAddr, "pprof-addr", env("CHECKIN_PPROF_ADDR", ""), "if set, serve Go's /debug/pprof profiles on this separate address, e.g. 127.0.0.1:6060 (CHECKIN_PPROF_ADDR)")
	fs.BoolVar(&c.demo, "demo", false, "seed a demo location on an empty database and print how to try it")
	c.allowPrivate = env("CHECKIN_WEBHOOKS_ALLOW_PRIVATE", "false")
	allow, _ := strconv.ParseBool(c.allowPrivate) // a bad value is reported by parseEvents
	fs.BoolVar(&c.webhooksAllowPrivate, "webhooks-allow-private", allow, "let webhooks reach loopback, private and link-local addresses (CHECKIN_WEBHOOKS_ALLOW_PRIVATE=true)")
	fs.StringVar(&c.retention, "event-retention", env("CHECKIN_EVENT_RETENTION", "7d"), "how long events are kept after their last delivery, such as 7d or 36h (CHECKIN_EVENT_RETENTION)")
}

// parseEvents reads --webhooks-allow-private and --event-retention.
func (c *config) parseEvents() error {
	var err error
	if _, err = strconv.ParseBool(c.allowPrivate); err != nil {
		return fmt.Errorf("CHECKIN_WEBHOOKS_ALLOW_PRIVATE: %q is not true or false", c.allowPrivate)
	}
	if c.eventRetention, err = parseRetention(c.retention); err != nil {
		return fmt.Errorf("--event-retention: %w", err)
	}
	return nil
}

// parseRetention reads a retention: a number of days (7d) or a Go
// duration (36h), at least one hour.
func parseRetention(v string) (time.Duration, error) {
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(strings.TrimSpace(v), "d"); ok {
		var n int
		n, err = strconv.Atoi(days)
		d = time.Duration(n) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(strings.TrimSpace(v))
	}
	if err != nil || d < time.Hour {
		return 0, fmt.Errorf("%q is not a retention such as 7d or 36h (at least 1h)", v)
	}
	return d, nil
}

// parseNetworks reads --trusted-devices and --trusted-proxies.
func (c *config) parseNetworks() error {
	var err error
	if c.devices, err = parsePrefixes("--trusted-devices", c.trustedDevices); err != nil {
		return err
	}
	c.proxies, err = parsePrefixes("--trusted-proxies", c.trustedProxies)
	return err
}

// parsePrefixes reads a comma-separated list of addresses (10.0.0.7, ::1)
// and CIDR ranges (10.0.0.0/8); an address is a range of one.
func parsePrefixes(flag, list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range checkin.SplitList(list) {
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is neither an IP address nor a CIDR range such as 10.0.0.0/8", flag, item)
		}
		a = a.Unmap().WithZone("")
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// logger builds the process's logger from the configuration.
func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", c.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", c.logFormat)
}

func openStore(ctx context.Context, dsn string, log *slog.Logger) (*sqlstore.DB, error) {
	return sqlstore.Open(ctx, dsn, checkin.SystemClock{}, log)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", stderr)
	var dsn string
	dbFlag(fs, &dsn)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, dsn, nil) // Open migrates
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(stdout, "The database schema is up to date.")
	return nil
}

// adminCommands are the subcommands of checkin admin.
func adminCommands() []command {
	return []command{
		{"create", "create a full administrator: admin create --email E --password P [--db D]", runAdminCreate},
	}
}

func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runGroup(ctx, "admin", adminCommands(), args, stdout, stderr)
}

// runGroup runs a command with subcommands: "checkin <name> <subcommand>".
// Without one, or with an unknown one, it prints the subcommands; with
// -h, --help or help too, but as an answer, not an error.
func runGroup(ctx context.Context, name string, cs []command, args []string, stdout, stderr io.Writer) error {
	help := len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help")
	if len(args) > 0 && !help {
		for _, c := range cs {
			if c.name == args[0] {
				return c.run(ctx, args[1:], stdout, stderr)
			}
		}
		fmt.Fprintf(stderr, "checkin %s: unknown subcommand %q\n\n", name, args[0])
	}
	fmt.Fprintf(stderr, "usage: checkin %s <subcommand> [flags]\n\nSubcommands:\n", name)
	listCommands(stderr, cs)
	fmt.Fprintf(stderr, "\nRun 'checkin %s <subcommand> -h' for its flags.\n", name)
	if help {
		return nil
	}
	return errUsage
}

func runAdminCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin create", stderr)
	var dsn, email, password string
	dbFlag(fs, &dsn)
	fs.StringVar(&email, "email", "", "the administrator's email")
	fs.StringVar(&password, "password", "", "the administrator's password (at least 8 characters)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openStore(ctx, dsn, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	created, err := db.EnsureAdmin(ctx, email, password)
	if err != nil {
		return cliError(err)
	}
	if created {
		fmt.Fprintf(stdout, "Created the administrator %s.\n", checkin.NormalizeEmail(email))
	} else {
		fmt.Fprintf(stdout, "A user with the email %s already exists; nothing was changed.\n", checkin.NormalizeEmail(email))
	}
	return nil
}

// cliError shows an application error by its message and anything else in
// full: the command line is the operator's own.
func cliError(err error) error {
	if checkin.ErrorCode(err) == checkin.EINTERNAL {
		return err
	}
	return errors.New(checkin.ErrorMessage(err))
}
