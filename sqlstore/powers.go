package sqlstore

import (
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
