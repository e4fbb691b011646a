package sqlstore

import (
	"slices"
	"strings"

	"github.com/checkin-oss/checkin"
)

// checkPowers keeps a signed-in user who is not a full administrator from
// gaining powers through the users they manage: they may create, change,
// delete or set the password of a user only when that user holds no more
// than they do (not IsAdmin, and only roles they hold themselves). Without
// it, User-Edit could make its holder an administrator, and Coworker-Create
// could set an administrator's password. Changes made without a signed-in
// user (the command line, the demo) are not limited.
func checkPowers(tx *Tx, users ...*checkin.User) error {
	actor := checkin.UserFrom(tx.ctx)
	if actor == nil || actor.IsAdmin {
		return nil
	}
	for _, u := range users {
		if u == nil {
			continue
		}
		if u.IsAdmin {
			return checkin.Errorf(checkin.EFORBIDDEN, "Only a full administrator may create, change or delete an administrator, or set their password.")
		}
		for _, role := range u.Roles {
			entity, action, _ := strings.Cut(role, "-")
			if !actor.HasRole(entity, action) {
				return checkin.Errorf(checkin.EFORBIDDEN, "You may not give, change or take over the role %s: you do not hold it.", role)
			}
		}
		if err := checkLocations(actor, u); err != nil {
			return err
		}
	}
	return nil
}

// checkLocations keeps a user limited to some locations from managing a
// user with powers elsewhere: a user with roles must be limited to the
// actor's locations, and no user may be given a location the actor lacks.
// A member without roles may see nothing, wherever they are.
func checkLocations(actor, u *checkin.User) error {
	scope := actor.Scope()
	if scope == nil {
		return nil
	}
	if len(u.Businesses) == 0 && len(u.Roles) > 0 {
		return checkin.Errorf(checkin.EFORBIDDEN, "You may not manage a user with roles at every location: you are limited to Businesses %v.", scope)
	}
	for _, b := range u.Businesses {
		if !slices.Contains(scope, b) {
			return checkin.Errorf(checkin.EFORBIDDEN, "You may not give, change or take over Business %d: you are limited to Businesses %v.", b, scope)
		}
	}
	return nil
}

// checkPowersOver runs checkPowers on the stored user with that id.
func checkPowersOver(tx *Tx, userID int64) error {
	if actor := checkin.UserFrom(tx.ctx); actor == nil || actor.IsAdmin {
		return nil
	}
	u, err := tx.db.users.find(tx, userID, false)
	if err != nil {
		return err
	}
	return checkPowers(tx, u)
}
