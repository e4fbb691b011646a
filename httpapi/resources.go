package httpapi

import "github.com/checkin-oss/checkin"

// Repositories gives the repository of every entity; the SQL store is one.
type Repositories interface {
	Businesses() checkin.Repository[checkin.Business]
	BusinessSettings() checkin.Repository[checkin.BusinessSetting]
	Users() checkin.Repository[checkin.User]
	Coworkers() checkin.Repository[checkin.Coworker]
	Teams() checkin.Repository[checkin.Team]
	Tariffs() checkin.Repository[checkin.Tariff]
	AccessTokens() checkin.Repository[checkin.AccessToken]
	Visitors() checkin.Repository[checkin.Visitor]
	RadiusClients() checkin.Repository[checkin.RadiusClient]
	Checkins() checkin.Repository[checkin.Checkin]
	FailedCheckins() checkin.Repository[checkin.FailedCheckin]
	Webhooks() checkin.Repository[checkin.Webhook]
	Doors() checkin.Repository[checkin.Door]
}

// AdminResources returns the admin API: every entity's routes.
func AdminResources(r Repositories) []Resource {
	return []Resource{
		NewResource(checkin.Businesses, r.Businesses()),
		NewResource(checkin.BusinessSettings, r.BusinessSettings()),
		NewResource(checkin.Users, r.Users()),
		NewResource(checkin.Coworkers, r.Coworkers()),
		NewResource(checkin.Teams, r.Teams()),
		NewResource(checkin.Tariffs, r.Tariffs()),
		NewResource(checkin.AccessTokens, r.AccessTokens()),
		NewResource(checkin.Visitors, r.Visitors()),
		NewResource(checkin.Checkins, r.Checkins()),
		NewResource(checkin.FailedCheckins, r.FailedCheckins()),
		NewResource(checkin.RadiusClients, r.RadiusClients()),
		NewResource(checkin.Webhooks, r.Webhooks()),
		NewResource(checkin.Doors, r.Doors()),
	}
}
