package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/sqlstore"
)

// Events returns the events after afterSeq once there are at least n of
// them. On PostgreSQL an event is read once every older transaction of the
// server has ended (sqlstore.DB.EventsAfter), and other tests share the
// server, so it waits for them, up to ten seconds.
func Events(t testing.TB, db *sqlstore.DB, afterSeq int64, n int) []checkin.Event {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events, err := db.EventsAfter(context.Background(), afterSeq, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) >= n || time.Now().After(deadline) {
			return events
		}
		time.Sleep(5 * time.Millisecond)
	}
}
