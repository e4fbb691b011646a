package loadtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// conn is one keep-alive HTTP/1.1 connection that sends pre-built requests
// and reads their answers into a reused buffer. It is the load's client:
// net/http's would cost the shared CPUs a goroutine pair per connection and
// several allocations per request; this one costs none once warm.
type conn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
	body []byte
}

func newConn(addr string) *conn { return &conn{addr: addr, body: make([]byte, 0, 4096)} }

// errMalformed is an answer that is not HTTP/1.1 as this client reads it.
var errMalformed = errors.New("malformed HTTP answer")

// roundTrip sends req (a whole HTTP/1.1 request) and returns the answer's
// status and body. The body is valid until the next call. After an error
// the connection is closed and the next call dials again.
func (c *conn) roundTrip(req []byte) (int, []byte, error) {
	if c.c == nil {
		nc, err := net.DialTimeout("tcp", c.addr, 5*time.Second)
		if err != nil {
			return 0, nil, err
		}
		c.c = nc
		if c.r == nil {
			c.r = bufio.NewReaderSize(nc, 16<<10)
		} else {
			c.r.Reset(nc)
		}
	}
	status, body, keep, err := c.exchange(req)
	if err != nil || !keep {
		c.close()
	}
	return status, body, err
}

func (c *conn) exchange(req []byte) (status int, body []byte, keepAlive bool, err error) {
	if _, err = c.c.Write(req); err != nil {
		return 0, nil, false, err
	}
	status, length, chunked, keepAlive, err := c.readHead()
	if err != nil {
		return 0, nil, false, err
	}
	switch {
	case chunked:
		body, err = c.readChunked()
	case length >= 0:
		body, err = c.readN(c.body[:0], length)
	default: // no length: the body runs to the end of the connection
		var buf bytes.Buffer
		_, err = io.Copy(&buf, c.r)
		body, keepAlive = buf.Bytes(), false
	}
	return status, body, keepAlive, err
}

// readHead reads the status line and the headers this client needs.
func (c *conn) readHead() (status, length int, chunked, keepAlive bool, err error) {
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, 0, false, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, 0, false, false, errMalformed
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, 0, false, false, errMalformed
	}
	length, keepAlive = -1, line[7] == '1'
	for {
		line, err = c.r.ReadSlice('\n')
		if err != nil {
			return 0, 0, false, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			return status, length, chunked, keepAlive, nil
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return 0, 0, false, false, errMalformed
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return 0, 0, false, false, errMalformed
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			keepAlive = !bytes.EqualFold(value, []byte("close"))
		}
	}
}

// readN appends n bytes of the body to dst.
func (c *conn) readN(dst []byte, n int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	_, err := io.ReadFull(c.r, dst[start:])
	c.body = dst[:0]
	return dst, err
}

// readChunked reads a body sent with Transfer-Encoding: chunked.
func (c *conn) readChunked() ([]byte, error) {
	body := c.body[:0]
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		sizeText, _, _ := bytes.Cut(bytes.TrimRight(line, "\r\n"), []byte(";"))
		size, err := strconv.ParseInt(string(bytes.TrimSpace(sizeText)), 16, 32)
		if err != nil || size < 0 {
			return nil, errMalformed
		}
		if size == 0 { // the last chunk; skip any trailers up to the blank line
			for {
				line, err := c.r.ReadSlice('\n')
				if err != nil {
					return nil, err
				}
				if len(bytes.TrimRight(line, "\r\n")) == 0 {
					return body, nil
				}
			}
		}
		if body, err = c.readN(body, int(size)); err != nil {
			return nil, err
		}
		if _, err := c.r.Discard(2); err != nil { // the chunk's CRLF
			return nil, err
		}
	}
}

func (c *conn) close() {
	if c.c != nil {
		c.c.Close()
		c.c = nil
	}
}

// appendRequest appends a POST of a JSON body to path with that Host.
func appendRequest(b []byte, path, host string, body []byte) []byte {
	b = append(b, "POST "...)
	b = append(b, path...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, host...)
	b = append(b, "\r\nContent-Type: application/json\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	b = append(b, "\r\n\r\n"...)
	return append(b, body...)
}

// describeAnswer shortens an answer for a report line.
func describeAnswer(status int, body []byte) string {
	const most = 200
	body = bytes.TrimSpace(body)
	if len(body) > most {
		body = append(body[:most:most], "..."...)
	}
	return fmt.Sprintf("%d %s", status, body)
}
