package access_test

import (
	"net"
	"sync"
	"testing"
)

// tcpProxy forwards TCP connections to a target, and can cut them off as a
// network failure would: by refusing (no new connection is accepted and
// every open one is closed) or by blackholing (connections stay open, new
// ones are accepted, and not one byte goes through). Restoring lets bytes
// through again; what was held back is then delivered, as TCP would once
// the network is back.
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	gate  chan struct{} // while blackholed: open, closed on restore
}

type cut int

const (
	refuse cut = iota + 1
	blackhole
)

func (c cut) String() string { return map[cut]string{refuse: "refused", blackhole: "blackholed"}[c] }

// startProxy listens on a loopback port and forwards to target until the
// test ends.
func startProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.listen(ln)
	t.Cleanup(func() { p.restore(); p.closeAll(true) })
	return p
}

func (p *tcpProxy) listen(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

// cutOff cuts the connections off the way given.
func (p *tcpProxy) cutOff(how cut) {
	switch how {
	case refuse:
		p.closeAll(true)
	case blackhole:
		p.mu.Lock()
		if p.gate == nil {
			p.gate = make(chan struct{})
		}
		p.mu.Unlock()
	}
}

// restore ends a cut: bytes flow again, and new connections are accepted.
func (p *tcpProxy) restore() {
	p.mu.Lock()
	if p.gate != nil {
		close(p.gate)
		p.gate = nil
	}
	listening := p.ln != nil
	p.mu.Unlock()
	if !listening {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Errorf("listen again on %s: %v", p.addr, err)
			return
		}
		p.listen(ln)
	}
}

// closeAll closes every connection, and the listener when asked to.
func (p *tcpProxy) closeAll(listener bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if listener && p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *tcpProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil { // cut off while this connection was being set up
		c.Close()
		return false
	}
	p.conns[c] = true
	return true
}

func (p *tcpProxy) close(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// wait blocks while the proxy is blackholed.
func (p *tcpProxy) wait() {
	p.mu.Lock()
	gate := p.gate
	p.mu.Unlock()
	if gate != nil {
		<-gate
	}
}

func (p *tcpProxy) forward(client net.Conn) {
	if !p.track(client) {
		return
	}
	p.wait()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(server) {
		client.Close()
		return
	}
	go p.pipe(server, client)
	p.pipe(client, server)
}

// pipe copies from src to dst, holding each chunk while blackholed, and
// closes both when either side ends.
func (p *tcpProxy) pipe(dst, src net.Conn) {
	defer p.close(dst)
	defer p.close(src)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			p.wait()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
