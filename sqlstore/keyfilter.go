package sqlstore

import (
	"database/sql"
	"hash/maphash"
	"sync/atomic"
)

// keyFilter is a Bloom filter holding at least every key that has a row:
// with the memo, the throttling keys (memo.keys) and the credentials rows
// hold (memo.held); on PostgreSQL, both again (keyListener). A
// key it does not hold has no row, and its lookup needs no query. It never
// forgets a key while the key's row may exist: a key is added just before
// the COMMIT that inserts its row, and memo.keys is only replaced by a
// filter built inside the writer's transaction, once that transaction has
// committed. It takes a fixed 512 KiB without a pointer, however many keys
// an attack makes; when it fills up, more lookups go to the database, as
// without it.
type keyFilter struct {
	bits []atomic.Uint64
	seed maphash.Seed
}

const (
	keyFilterBits   = 1 << 22
	keyFilterHashes = 3
)

func newKeyFilter(seed maphash.Seed) *keyFilter {
	return &keyFilter{bits: make([]atomic.Uint64, keyFilterBits/64), seed: seed}
}

// positions calls fn with each of the key's bits.
func (f *keyFilter) positions(key string, fn func(word int, bit uint64) bool) bool {
	h := maphash.String(f.seed, key)
	step := h>>32 | h<<32 | 1
	for range keyFilterHashes {
		b := h & (keyFilterBits - 1)
		if !fn(int(b/64), 1<<(b%64)) {
			return false
		}
		h += step
	}
	return true
}

func (f *keyFilter) add(key string) {
	f.positions(key, func(word int, bit uint64) bool {
		f.bits[word].Or(bit)
		return true
	})
}

// addAll adds the keys another filter of the same seed holds.
func (f *keyFilter) addAll(other *keyFilter) {
	for i := range other.bits {
		if b := other.bits[i].Load(); b != 0 {
			f.bits[i].Or(b)
		}
	}
}

// mayHold reports whether the key may have a row; false is certain.
func (f *keyFilter) mayHold(key string) bool {
	return f.positions(key, func(word int, bit uint64) bool { return f.bits[word].Load()&bit != 0 })
}

// keyFilterOf builds a key filter of the names a query returns.
func keyFilterOf(rows *sql.Rows, err error, seed maphash.Seed) (*keyFilter, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return keyFilterFrom(rows, seed)
}

// keyFilterFrom builds a key filter of the names rows hold.
func keyFilterFrom(rows rowReader, seed maphash.Seed) (*keyFilter, error) {
	f := newKeyFilter(seed)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		f.add(name)
	}
	return f, rows.Err()
}
