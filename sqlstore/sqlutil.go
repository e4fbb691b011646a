package sqlstore

import "strings"

// marks returns a parenthesised list of n placeholders: (?, ?, ?).
func marks(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// rowsOf returns the VALUES list of n rows of width placeholders each.
func rowsOf(width, n int) string {
	return strings.TrimSuffix(strings.Repeat(marks(width)+", ", n), ", ")
}

// ids returns ids as query arguments.
func ids(list []int64) []any {
	args := make([]any, len(list))
	for i, id := range list {
		args[i] = id
	}
	return args
}

// queryPairs runs a query that returns (id, text) rows and hands each to fn.
func queryPairs(tx *Tx, query string, args []any, fn func(int64, string)) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return err
		}
		fn(id, s)
	}
	return rows.Err()
}

// queryIDPairs runs a query that returns (id, id) rows and hands each to fn.
func queryIDPairs(tx *Tx, query string, args []any, fn func(int64, int64)) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

// queryIDs runs a query that returns one id per row and appends them to out.
func queryIDs(tx *Tx, query string, out *[]int64, args ...any) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		*out = append(*out, id)
	}
	return rows.Err()
}
