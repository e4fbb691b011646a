package main

import (
	"context"
	"log/slog"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/httpapi"
	"github.com/checkin-oss/checkin/sqlstore"
)

// warnAtStart warns of a configuration that starts but will not work as
// the operator expects: a --default-location that names no location, and a
// database without an administrator to sign in to the admin API. A
// database that cannot answer is not an error here: readiness reports it.
func warnAtStart(ctx context.Context, db *sqlstore.DB, cfg config, log *slog.Logger) {
	if cfg.defaultLocation != "" {
		loc, err := db.BusinessByWebAddress(ctx, cfg.defaultLocation)
		switch {
		case err != nil:
			log.Warn("could not check --default-location", "default_location", cfg.defaultLocation, "err", err)
		case loc == nil:
			log.Warn("--default-location names no location: check-ins on a Host without a location's subdomain will be refused INVALID_ACCOUNT_SUBDOMAIN until a location has this WebAddress",
				"default_location", cfg.defaultLocation)
		}
	}
	has, err := db.HasAdmin(ctx)
	switch {
	case err != nil:
		log.Warn("could not check for an administrator", "err", err)
	case !has:
		log.Warn("the database has no administrator, so no one can use the admin API: create one with 'checkin admin create --db <this database> --email E --password P', or start serve with CHECKIN_ADMIN_EMAIL and CHECKIN_ADMIN_PASSWORD set")
	}
}

// knowLocations makes each location's labelled series present at 0 in the
// metrics from the first scrape.
func knowLocations(ctx context.Context, db *sqlstore.DB, m *httpapi.Metrics, log *slog.Logger) {
	q := checkin.Businesses.DefaultListQuery()
	q.Size = checkin.MaxPageSize
	for {
		page, total, err := db.Businesses().List(ctx, q)
		if err != nil {
			log.Warn("could not list the locations for the metrics", "err", err)
			return
		}
		for _, b := range page {
			m.KnowLocation(b.WebAddress)
		}
		if len(page) == 0 || q.Offset()+len(page) >= total {
			return
		}
		q.Page++
	}
}
