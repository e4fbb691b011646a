package httpapi

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/checkin-oss/checkin"
)

// Resource is one entity's set of admin routes.
type Resource interface {
	// Schema is the entity the routes serve.
	Schema() *checkin.Schema
	register(mux *routeMux, s *Server)
}

// NewResource serves an entity's get, list, create, replace and delete
// routes from its schema and repository, each behind its role.
func NewResource[T any](e *checkin.Entity[T], repo checkin.Repository[T]) Resource {
	return &resource[T]{entity: e, repo: repo}
}

type resource[T any] struct {
	entity *checkin.Entity[T]
	repo   checkin.Repository[T]
}

func (res *resource[T]) Schema() *checkin.Schema { return res.entity.Schema }

func (res *resource[T]) register(mux *routeMux, s *Server) {
	p, name := res.entity.Path, res.entity.Name
	mux.Handle("GET "+p+"/{id}", s.authorize(name, checkin.ActionRead, res.get))
	mux.Handle("GET "+p, s.authorize(name, checkin.ActionList, res.list))
	if res.entity.ReadOnly {
		notAllowed := s.authenticated(func(s *Server, w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			s.writeError(w, r, checkin.Errorf(checkin.ENOTALLOWED, "%s records are read-only: they are written by the check-in endpoint only.", name))
		})
		for _, route := range []string{"POST " + p, "PUT " + p, "PUT " + p + "/{id}", "PATCH " + p + "/{id}", "DELETE " + p + "/{id}"} {
			mux.Handle(route, notAllowed)
		}
		return
	}
	mux.Handle("POST "+p, s.authorize(name, checkin.ActionCreate, res.create))
	mux.Handle("PUT "+p, s.authorize(name, checkin.ActionEdit, res.replace))
	mux.Handle("PATCH "+p+"/{id}", s.authorize(name, checkin.ActionEdit, res.patch))
	mux.Handle("DELETE "+p+"/{id}", s.authorize(name, checkin.ActionDelete, res.delete))
}

// PathID is the record id in a request's path ({id}), a positive whole
// number.
func PathID(r *http.Request) (int64, error) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		return 0, checkin.Invalid("Id", raw, "must be a positive whole number")
	}
	return id, nil
}

func (res *resource[T]) get(s *Server, w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := res.repo.Find(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rec)
}

func (res *resource[T]) list(s *Server, w http.ResponseWriter, r *http.Request) {
	q, asCSV, err := res.listQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if export, ok := res.repo.(checkin.Exporter[T]); ok && asCSV {
		WriteCSV(s, w, r, res.entity.Name, export, q)
		return
	}
	recs, total, err := res.repo.List(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, checkin.NewPage(q, recs, total))
}

// listQuery reads a list request: its query, and whether it asks for CSV.
// A filter by a field of a referenced record (Checkin_Coworker_FullName)
// needs the List role of that entity too: it reads that entity's records.
func (res *resource[T]) listQuery(r *http.Request) (checkin.ListQuery, bool, error) {
	values, err := queryValues(r.URL.RawQuery)
	if err != nil {
		return checkin.ListQuery{}, false, err
	}
	asCSV, err := wantsCSV(r, values)
	if err != nil {
		return checkin.ListQuery{}, false, err
	}
	q, err := res.entity.ParseListQuery(values)
	if err != nil {
		return q, false, err
	}
	u := checkin.UserFrom(r.Context())
	for _, c := range q.Where {
		if c.Via != nil && !u.HasRole(c.Via.Ref, checkin.ActionList) {
			return q, false, checkin.Errorf(checkin.EFORBIDDEN, "Filtering by a field of %s (%s_%s_%s) needs the role %s-List too.",
				c.Via.Ref, res.entity.Name, c.Via.FilterName(), c.Field.Name, c.Via.Ref)
		}
	}
	return q, asCSV, nil
}

// queryValues parses a query string. Unlike r.URL.Query, which silently
// drops a parameter that is not valid URL encoding, it refuses it by name.
func queryValues(raw string) (url.Values, error) {
	values, err := url.ParseQuery(raw)
	if err == nil {
		return values, nil
	}
	for pair := range strings.SplitSeq(raw, "&") {
		if _, err := url.ParseQuery(pair); err != nil {
			name, _, _ := strings.Cut(pair, "=")
			if unescaped, err := url.QueryUnescape(name); err == nil {
				name = unescaped
			}
			return nil, checkin.Invalid(name, pair, "is not valid URL encoding: write %% as %%25 and ; as %%3B")
		}
	}
	return nil, checkin.Errorf(checkin.EINVALID, "The query string is not valid URL encoding.")
}

func (res *resource[T]) create(s *Server, w http.ResponseWriter, r *http.Request) {
	rec := res.entity.New()
	if _, err := res.decode(r, rec); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := res.repo.Create(r.Context(), rec)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if o, ok := any(rec).(oneTimeSecret); ok {
		name, value := o.OneTimeSecret()
		writeJSON(w, http.StatusOK, updateBody{Status: http.StatusOK, Message: res.entity.Name + " was successfully created.",
			Value: map[string]any{"Id": id, name: value}, WasSuccessful: true})
		return
	}
	writeUpdate(w, res.entity.Name+" was successfully created.", id)
}

// oneTimeSecret is a record with a secret made on create and shown once,
// in the create answer's Value (a door's key).
type oneTimeSecret interface{ OneTimeSecret() (name, value string) }

func (res *resource[T]) replace(s *Server, w http.ResponseWriter, r *http.Request) {
	rec := new(T) // fields left out are cleared: no defaults on a replace
	id, err := res.decode(r, rec)
	if err == nil && id <= 0 {
		err = checkin.Invalid("Id", id, "is required: PUT replaces the record whose Id is in the body")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	any(rec).(interface{ Base() *checkin.Record }).Base().ID = id
	if err := res.repo.Replace(r.Context(), rec); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeUpdate(w, res.entity.Name+" was successfully updated.", id)
}

// patch is PATCH /path/{id}: a JSON merge patch (RFC 7396), or a form,
// that changes only the fields it names, then saved as a replace would be:
// the same roles, validation and answer.
func (res *resource[T]) patch(s *Server, w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := readBody(r, bodyTypes...)
	if err == nil {
		err = res.repo.Update(r.Context(), id, func(rec *T) error {
			bodyID, err := res.decodeBody(r, body, rec)
			if err == nil && bodyID != 0 && bodyID != id {
				err = checkin.Invalid("Id", bodyID, "must be the Id of the path (%d), or left out", id)
			}
			return err
		})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeUpdate(w, res.entity.Name+" was successfully updated.", id)
}

func (res *resource[T]) delete(s *Server, w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := res.repo.Delete(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeUpdate(w, res.entity.Name+" was successfully deleted.", id)
}

// decode reads a request body, JSON or form-encoded, into rec and returns
// its Id.
func (res *resource[T]) decode(r *http.Request, rec *T) (int64, error) {
	body, err := readBody(r, bodyTypes...)
	if err != nil {
		return 0, err
	}
	return res.decodeBody(r, body, rec)
}

// decodeBody reads a body already read, JSON or form-encoded as the
// request says, into rec and returns its Id.
func (res *resource[T]) decodeBody(r *http.Request, body []byte, rec *T) (int64, error) {
	if hasMediaType(r.Header.Get("Content-Type"), formType) {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return 0, checkin.Errorf(checkin.EINVALID, "The body is not valid form encoding (application/x-www-form-urlencoded).")
		}
		return res.entity.DecodeForm(form, rec)
	}
	return res.entity.Decode(body, rec)
}

// jsonTypes are the content types read as JSON (and, by hasMediaType, any
// +json type such as application/merge-patch+json).
var jsonTypes = []string{"application/json", "text/json"}

// formType is the content type of a form post.
const formType = "application/x-www-form-urlencoded"

// bodyTypes are the content types of admin bodies.
var bodyTypes = append(append([]string{}, jsonTypes...), formType)

// readBody reads a request body of at most maxBodyBytes (limitBody has
// already refused a larger one), whose content type, when given, must be
// one of want.
func readBody(r *http.Request, want ...string) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !hasMediaType(ct, want...) {
		return nil, checkin.Errorf(checkin.EMEDIATYPE, "Content-Type must be %s.", want[0])
	}
	if h, ok := r.Body.(*heldBody); ok && h.Len() == len(h.b) {
		return h.b, nil // unread, and already bounded
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return nil, checkin.Errorf(checkin.EINVALID, "The request body could not be read.")
	}
	if len(body) > maxBodyBytes {
		return nil, errTooLarge
	}
	return body, nil
}
