package sqlstore

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// A signed-in user limited to some locations (User.Businesses) lists, reads
// and writes only records of those locations: another location's record is
// not found on read, update and delete, and forbidden on create and as the
// target of an update. The field that places a record is its BusinessId, or
// a Business's own Id; users and other records without one are outside the
// rule. Changes made without a signed-in user (the check-in endpoint, the
// command line) are not limited.

// scopeField is the field that places the entity's records at a location,
// or nil.
func (t *table[T]) scopeField() *checkin.Field {
	if t.entity.Name == checkin.Businesses.Name {
		return t.entity.Field("Id")
	}
	return t.entity.Field("BusinessId")
}

// scope returns the locations the request's user is limited to, for this
// entity; nil when not limited.
func (t *table[T]) scope(ctx context.Context) []int64 {
	if t.scopeField() == nil {
		return nil
	}
	return checkin.UserFrom(ctx).Scope()
}

// visible reports whether the request's user may see rec.
func (t *table[T]) visible(ctx context.Context, rec *T) bool {
	f := t.scopeField()
	return f == nil || checkin.UserFrom(ctx).InScope(f.Value(rec).(int64))
}

// scoped adds the user's locations to a list's conditions.
func (t *table[T]) scoped(ctx context.Context, q checkin.ListQuery) checkin.ListQuery {
	if scope := t.scope(ctx); scope != nil {
		q.Where = append(q.Where[:len(q.Where):len(q.Where)], checkin.Condition{Field: t.scopeField(), Op: checkin.OpIn, Value: scope})
	}
	return q
}

// mayWrite refuses a record the request's user may not place where it is.
func (t *table[T]) mayWrite(ctx context.Context, rec *T) error {
	if t.visible(ctx, rec) {
		return nil
	}
	return checkin.Errorf(checkin.EFORBIDDEN, "You are limited to Businesses %v: this %s belongs to another location.", t.scope(ctx), t.entity.Name)
}
