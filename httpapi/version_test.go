package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/checkin-oss/checkin/httpapi/apitest"
	"github.com/checkin-oss/checkin/internal/version"
)

func TestHealthzAndMetricsNameTheBuild(t *testing.T) {
	apitest.Each(t, func(t *testing.T, a *apitest.API) {
		v := version.Get()
		health := a.Want(a.Do("GET", "/healthz", "", nil), http.StatusOK, "/healthz").Object(t)
		if health["version"] != v.Version || health["status"] != "ok" {
			t.Errorf("/healthz = %v, want status ok and version %q", health, v.Version)
		}
		metrics := string(a.Want(a.Do("GET", "/metrics", "", nil), http.StatusOK, "/metrics").Body)
		want := fmt.Sprintf(`checkin_build_info{commit=%q,goversion=%q,version=%q} 1`, v.Commit, v.Go, v.Version)
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics has no line %s", want)
		}
	})
}
