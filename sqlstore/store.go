package sqlstore

import "github.com/checkin-oss/checkin"

// tables are the store's generic repositories, one per entity.
type tables struct {
	businesses     *table[checkin.Business]
	settings       *table[checkin.BusinessSetting]
	users          *table[checkin.User]
	coworkers      *table[checkin.Coworker]
	teams          *table[checkin.Team]
	tariffs        *table[checkin.Tariff]
	accessTokens   *table[checkin.AccessToken]
	visitors       *table[checkin.Visitor]
	checkins       *table[checkin.Checkin]
	failedCheckins *table[checkin.FailedCheckin]
	radiusClients  *table[checkin.RadiusClient]
	webhooks       *table[checkin.Webhook]
	doors          *table[checkin.Door]
}

func (db *DB) initTables() {
	db.businesses = newTable(db, checkin.Businesses, db.businessHooks())
	db.settings = newTable(db, checkin.BusinessSettings, db.settingHooks())
	db.users = newTable(db, checkin.Users, db.userHooks())
	db.coworkers = newTable(db, checkin.Coworkers, db.coworkerHooks())
	db.teams = newTable(db, checkin.Teams, hooks[checkin.Team]{})
	db.tariffs = newTable(db, checkin.Tariffs, hooks[checkin.Tariff]{written: tariffAccessEvents})
	db.accessTokens = newTable(db, checkin.AccessTokens, db.accessTokenHooks())
	db.visitors = newTable(db, checkin.Visitors, db.visitorHooks())
	db.checkins = newTable(db, checkin.Checkins, db.checkinHooks())
	db.failedCheckins = newTable(db, checkin.FailedCheckins, hooks[checkin.FailedCheckin]{})
	db.radiusClients = newTable(db, checkin.RadiusClients, db.radiusClientHooks())
	db.webhooks = newTable(db, checkin.Webhooks, db.webhookHooks())
	db.doors = newTable(db, checkin.Doors, db.doorHooks())
}

// Repositories of each entity, for the admin API.

func (db *DB) Businesses() checkin.Repository[checkin.Business] { return db.businesses }
func (db *DB) BusinessSettings() checkin.Repository[checkin.BusinessSetting] {
	return db.settings
}
func (db *DB) Users() checkin.Repository[checkin.User]               { return db.users }
func (db *DB) Coworkers() checkin.Repository[checkin.Coworker]       { return db.coworkers }
func (db *DB) Teams() checkin.Repository[checkin.Team]               { return db.teams }
func (db *DB) Tariffs() checkin.Repository[checkin.Tariff]           { return db.tariffs }
func (db *DB) AccessTokens() checkin.Repository[checkin.AccessToken] { return db.accessTokens }
func (db *DB) Visitors() checkin.Repository[checkin.Visitor]         { return db.visitors }
func (db *DB) Checkins() checkin.Repository[checkin.Checkin]         { return db.checkins }
func (db *DB) FailedCheckins() checkin.Repository[checkin.FailedCheckin] {
	return db.failedCheckins
}
func (db *DB) Webhooks() checkin.Repository[checkin.Webhook] { return db.webhooks }
