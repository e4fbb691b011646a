package sqlstore

import (
	"strings"

	"github.com/checkin-oss/checkin"
)

// buildWhere turns a list's conditions into a WHERE clause over the table
// aliased t. A condition on a referenced record's field becomes a subquery.
func buildWhere(s *checkin.Schema, conds []checkin.Condition) (string, []any) {
	if len(conds) == 0 {
		return "", nil
	}
	var parts []string
	var args []any
	for _, c := range conds {
		if c.Field.Column == "" { // a credential kept beside the row
			sql, a := sideCondition(s, c)
			parts, args = append(parts, sql), append(args, a...)
			continue
		}
		if c.Via == nil {
			sql, a := condition("t."+c.Field.Column, c)
			parts, args = append(parts, sql), append(args, a...)
			continue
		}
		target := checkin.Lookup(c.Via.Ref)
		sql, a := condition("r."+c.Field.Column, c)
		parts = append(parts, "t."+c.Via.Column+" IN (SELECT r.id FROM "+target.Table+" r WHERE "+sql+")")
		args = append(args, a...)
	}
	return " WHERE " + strings.Join(parts, " AND "), args
}

func condition(col string, c checkin.Condition) (string, []any) {
	mark := "?"
	if _, ok := c.Value.(int64); ok {
		// PostgreSQL would read the value as the column's type, and an
		// INTEGER column cannot hold every int64: compare as BIGINT.
		mark = "CAST(? AS BIGINT)"
	}
	switch c.Op {
	case checkin.OpNull:
		if c.Field.Kind == checkin.KindText {
			return "(" + col + " IS NULL OR " + col + " = '')", nil
		}
		return col + " IS NULL", nil
	case checkin.OpListItem:
		return "(',' || " + col + " || ',') LIKE ? ESCAPE '\\'", []any{"%," + escapeLike(c.Value.(string)) + ",%"}
	case checkin.OpContains:
		return "lower(" + col + ") LIKE ? ESCAPE '\\'", []any{"%" + escapeLike(strings.ToLower(c.Value.(string))) + "%"}
	case checkin.OpGE:
		return col + " >= " + mark, []any{c.Value}
	case checkin.OpLE:
		return col + " <= " + mark, []any{c.Value}
	case checkin.OpLT:
		return col + " < " + mark, []any{c.Value}
	case checkin.OpIn:
		ids := c.Value.([]int64)
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		return col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
	}
	return col + " = " + mark, []any{c.Value}
}

// sideCondition filters by a field kept in a table beside the entity's:
// a user's devices.
func sideCondition(s *checkin.Schema, c checkin.Condition) (string, []any) {
	if s.Name == "User" && c.Field.Name == "Devices" {
		if c.Op == checkin.OpNull {
			return "t.id NOT IN (SELECT user_id FROM user_devices)", nil
		}
		return "t.id IN (SELECT user_id FROM user_devices WHERE mac = ?)", []any{c.Value}
	}
	panic("sqlstore: no column for the filter " + s.Name + "_" + c.Field.Name)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy sorts by the chosen field, empty values last, then by id so that
// pages never overlap.
func orderBy(q checkin.ListQuery) string {
	dir := " ASC"
	if q.Desc {
		dir = " DESC"
	}
	order := " ORDER BY t." + q.OrderBy.Column + dir
	if q.OrderBy.Nullable {
		order += " NULLS LAST"
	}
	if q.OrderBy.Column != "id" {
		order += ", t.id" + dir
	}
	return order
}
