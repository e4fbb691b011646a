package doors_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/checkin-oss/checkin"
	"github.com/checkin-oss/checkin/doors"
	"github.com/checkin-oss/checkin/httpapi/apitest"
)

func TestDoorsUnseenGauge(t *testing.T) {
	each(t, func(t *testing.T, a *apitest.API) {
		loc := a.NewLocation()
		addr := a.Get(a.AdminToken(), fmt.Sprintf("%s/%d", checkin.Businesses.Path, loc))["WebAddress"].(string)
		gauge := func() string {
			t.Helper()
			body := string(a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "metrics").Body)
			for line := range strings.SplitSeq(body, "\n") {
				if strings.HasPrefix(line, `checkin_doors_unseen{location="`+addr+`"}`) {
					return strings.Fields(line)[1]
				}
			}
			return "absent"
		}
		seen := newDoor(t, a, loc)
		newDoor(t, a, loc)
		if got := gauge(); got != "2" {
			t.Errorf("two doors never seen: gauge = %s, want 2", got)
		}
		a.Want(a.Do("GET", doors.AllowlistPath, seen.Key, nil), http.StatusOK, "a call")
		if got := gauge(); got != "1" {
			t.Errorf("one door just seen: gauge = %s, want 1", got)
		}
		a.Clock.Advance(doors.UnseenAfter + time.Second)
		if got := gauge(); got != "2" {
			t.Errorf("5 minutes later: gauge = %s, want 2", got)
		}
	})
}
