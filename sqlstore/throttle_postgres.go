package sqlstore

import "strings"

// notifyKeys, in a PostgreSQL transaction that counts failures against
// keys, adds them to this instance's filter at once and has PostgreSQL
// tell every listener at the COMMIT (listen_postgres.go). Keys are joined
// by newlines, which none holds (throttle keys are short: kinds, addresses
// and hashes).
func (tx *Tx) notifyKeys(keys []string) error {
	l := tx.db.listener
	if l == nil || len(keys) == 0 {
		return nil
	}
	l.add(&l.keys, keys...)
	for len(keys) > 0 {
		n, size := 0, 0
		for n < len(keys) && (n == 0 || size+1+len(keys[n]) <= maxNotify) {
			size += 1 + len(keys[n])
			n++
		}
		if err := tx.notify(strings.Join(keys[:n], "\n")); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// notifyPurge, in the transaction of a purge, has every listener read the
// table again at the COMMIT, so that their filters forget the keys purged.
func (tx *Tx) notifyPurge() error {
	if tx.db.listener == nil {
		return nil
	}
	return tx.notify("")
}

// notify sends a payload on the schema's channel of throttling keys.
func (tx *Tx) notify(payload string) error {
	_, err := tx.Exec(notifyQuery, keysChannel, payload)
	return err
}
