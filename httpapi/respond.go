package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/checkin-oss/checkin"
)

// statusOf maps each application error code to its HTTP status.
var statusOf = map[string]int{
	checkin.EINVALID:      http.StatusBadRequest,
	checkin.EUNAUTHORIZED: http.StatusUnauthorized,
	checkin.EFORBIDDEN:    http.StatusForbidden,
	checkin.ENOTFOUND:     http.StatusNotFound,
	checkin.ENOTALLOWED:   http.StatusMethodNotAllowed,
	checkin.ECONFLICT:     http.StatusConflict,
	checkin.EUNAVAILABLE:  http.StatusServiceUnavailable,
	checkin.EMEDIATYPE:    http.StatusUnsupportedMediaType,
	checkin.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	checkin.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is Nexudus's shape of a failed request.
type errorBody struct {
	Message       string        `json:"Message"`
	Value         any           `json:"Value"`
	WasSuccessful bool          `json:"WasSuccessful"`
	Errors        []errorDetail `json:"Errors"`
}

type errorDetail struct {
	AttemptedValue any    `json:"AttemptedValue"`
	Message        string `json:"Message"`
	PropertyName   string `json:"PropertyName"`
}

// writeError answers with an application error's status and message. Other
// errors are logged and answered 500 without their text.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := checkin.ErrorCode(err)
	status := statusOf[code]
	if status >= http.StatusInternalServerError && r.Context().Err() != nil {
		s.Log.Info("request not answered: the client went away", "method", r.Method, "path", r.URL.Path)
		writeJSON(w, statusClientClosed, errorBody{Message: "The client went away before its answer."})
		return
	}
	if code == checkin.EINTERNAL {
		s.Log.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	body := errorBody{Message: checkin.ErrorMessage(err)}
	var appErr *checkin.Error
	if errors.As(err, &appErr) {
		for _, f := range appErr.Fields {
			body.Errors = append(body.Errors, errorDetail{AttemptedValue: f.Value, Message: f.Message, PropertyName: f.Field})
		}
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="checkin"`)
		w.Header().Add("WWW-Authenticate", `Basic realm="checkin"`)
	}
	if status == http.StatusServiceUnavailable {
		s.unavailable(w, r, err)
	}
	writeJSON(w, status, body)
}

// updateBody is Nexudus's answer to a create, replace or delete.
type updateBody struct {
	Status        int           `json:"Status"`
	Message       string        `json:"Message"`
	Value         any           `json:"Value"`
	WasSuccessful bool          `json:"WasSuccessful"`
	Errors        []errorDetail `json:"Errors"`
}

func writeUpdate(w http.ResponseWriter, message string, id int64) {
	writeJSON(w, http.StatusOK, updateBody{Status: http.StatusOK, Message: message, Value: map[string]int64{"Id": id}, WasSuccessful: true})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
