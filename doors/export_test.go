package doors

import (
	"context"

	"github.com/checkin-oss/checkin"
)

// BuildForBenchmark makes a door's list afresh and returns its number of
// entries.
func BuildForBenchmark(ctx context.Context, h *Handler, d *checkin.Door) (int, error) {
	door, loc, err := h.Store.DoorByKey(ctx, d.Key)
	if err != nil {
		return 0, err
	}
	l, err := h.list(ctx, door, loc)
	if err != nil {
		return 0, err
	}
	return l.entries, nil
}
