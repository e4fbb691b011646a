package httpapi

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/checkin-oss/checkin"
)

// MaxCSVRows is the most rows one CSV export writes.
const MaxCSVRows = 1_000_000

// csvFlushEvery is how many rows are written between flushes to the client.
const csvFlushEvery = 500

// wantsCSV reports whether a list request asks for CSV: ?format=csv, or an
// Accept header that names text/csv. It removes format from values, which
// is not a filter; a format other than csv or json is refused.
func wantsCSV(r *http.Request, values url.Values) (bool, error) {
	for key := range values {
		if !strings.EqualFold(key, "format") {
			continue
		}
		format := strings.ToLower(strings.TrimSpace(values.Get(key)))
		delete(values, key)
		switch format {
		case "csv":
			return true, nil
		case "json", "":
			return false, nil
		default:
			return false, checkin.Invalid("format", format, "must be csv or json")
		}
	}
	return AcceptsCSV(r.Header.Get("Accept")), nil
}

// AcceptsCSV reports whether an Accept header names text/csv (with a
// quality above zero).
func AcceptsCSV(accept string) bool {
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || !strings.EqualFold(mt, "text/csv") {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q <= 0 {
			continue
		}
		return true
	}
	return false
}

// csvColumns are the columns of an entity's CSV: the fields of its list, in
// the list's order. They are the fields an empty record's JSON shows, and
// its collections (left out of that JSON when empty); write-only fields
// such as Password never are.
func csvColumns[T any](schema *checkin.Schema) []string {
	b, _ := json.Marshal(new(T))
	keys, _ := objectKeys(b)
	shown := map[string]bool{}
	for _, k := range keys {
		shown[k] = true
	}
	var columns []string
	for _, f := range schema.Fields {
		if shown[f.Name] || f.Kind == checkin.KindList {
			columns = append(columns, f.Name)
			delete(shown, f.Name)
		}
	}
	for _, k := range keys {
		if shown[k] {
			columns = append(columns, k)
		}
	}
	return columns
}

// objectKeys returns the keys of a JSON object, in order.
func objectKeys(b []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// WriteCSV streams every record of q as CSV: a header row, then one row per
// record, flushed every csvFlushEvery rows. A failure once rows have gone
// out ends the connection, so that the client sees an error, never a file
// that looks whole.
func WriteCSV[T any](s *Server, w http.ResponseWriter, r *http.Request, name string, export checkin.Exporter[T], q checkin.ListQuery) {
	columns := csvColumns[T](checkin.Lookup(name))
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+strings.ToLower(name)+`s.csv"`)
	buf := bufio.NewWriterSize(w, 32<<10)
	out := csv.NewWriter(buf)
	out.UseCRLF = true // RFC 4180
	started := false
	rows := 0
	row := make([]string, len(columns))
	flush := func() error {
		out.Flush()
		if err := buf.Flush(); err != nil {
			return err
		}
		_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		return rc.Flush()
	}
	write := func(rec *T) error {
		if !started {
			started = true
			_ = out.Write(columns)
		}
		if rows++; rows > MaxCSVRows {
			return errCSVFull
		}
		if err := csvRow(row, columns, rec); err != nil {
			return err
		}
		if err := out.Write(row); err != nil {
			return err
		}
		if rows%csvFlushEvery == 0 {
			return flush()
		}
		return nil
	}
	err := export.Each(r.Context(), q, write)
	switch {
	case err == nil || err == errCSVFull:
		if !started {
			_ = out.Write(columns)
		}
		_ = flush()
	case !started:
		s.writeError(w, r, err)
	default:
		if r.Context().Err() == nil {
			s.Log.Error("CSV export cut short", "path", r.URL.Path, "rows", rows, "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

var errCSVFull = checkin.Errorf(checkin.EINVALID, "A CSV export holds at most %d rows.", MaxCSVRows)

// csvRow fills row with rec's fields named by columns, as its JSON writes
// them: text as is, numbers and booleans as written, null as empty, a list
// joined by commas.
func csvRow(row, columns []string, rec any) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	for i, c := range columns {
		row[i] = CSVCell(csvValue(fields[c]))
	}
	return nil
}

func csvValue(raw json.RawMessage) string {
	switch {
	case len(raw) == 0 || string(raw) == "null":
		return ""
	case raw[0] == '"':
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case raw[0] == '[':
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) == nil {
			parts := make([]string, len(items))
			for i, it := range items {
				parts[i] = csvValue(it)
			}
			return strings.Join(parts, ",")
		}
	}
	return string(raw)
}

// CSVCell guards a cell against formula injection: one that begins with =,
// +, - or @ is written with a leading ' so that a spreadsheet shows it as
// text instead of running it.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
