package checkin

// MaxJSONDepth bounds the nesting of a request body's objects and arrays:
// no record and no check-in request nests deeper than an array in an object,
// so anything deeper only costs the decoder work.
const MaxJSONDepth = 8

// TooDeep reports whether JSON text nests objects and arrays deeper than
// max. It scans the bytes without decoding them, so a body built to be
// expensive is refused cheaply; text that is not JSON is left to the
// decoder to refuse.
func TooDeep(body []byte, max int) bool {
	depth := 0
	inString, escaped := false, false
	for _, c := range body {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > max {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}
