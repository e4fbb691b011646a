package sqlstore

import (
	"context"
	"crypto/rand"
	"time"
)

// probeBytes is how much the write probe stores: a few pages, so that a
// database that cannot grow by that much fails it, as check-ins would.
// The bytes are random, so that PostgreSQL cannot compress them away.
const probeBytes = 16 << 10

// WriteProbe reports whether the database stores changes: it writes a row
// of probeBytes and deletes it in one committed transaction, within 2
// seconds. A full disk, an I/O error or a read-only file system or
// database fails it (a checkin.StorageError), as an unreachable database
// does, where a SELECT 1 would still answer.
func (db *DB) WriteProbe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	payload := make([]byte, probeBytes)
	rand.Read(payload)
	return db.write(ctx, func(tx *Tx) error {
		id, err := tx.insert("INSERT INTO health_probe (payload) VALUES (?)", payload)
		if err != nil {
			return err
		}
		_, err = tx.Exec("DELETE FROM health_probe WHERE id = ?", id)
		return err
	})
}
