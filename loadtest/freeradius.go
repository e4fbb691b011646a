package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// freeRADIUSConfig is a FreeRADIUS 3.2 server doing MAC authentication as
// its documentation's authorized_macs recipe does: the files module keyed by
// the Calling-Station-Id (rewritten to AA-BB-CC-DD-EE-FF), reject when it is
// not listed, accept otherwise. It requires Message-Authenticator, as
// checkin does by default. %[1]s is the directory, %[2]d the port, %[3]s
// the secret.
const freeRADIUSConfig = `prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = ${exec_prefix}/sbin
logdir = %[1]s
raddbdir = %[1]s
radacctdir = %[1]s
name = freeradius
confdir = ${raddbdir}
modconfdir = ${confdir}
run_dir = %[1]s
db_dir = %[1]s
libdir = /usr/lib/freeradius
pidfile = %[1]s/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 65536
hostname_lookups = no
log {
	destination = stderr
	auth = no
}
security {
	allow_core_dumps = no
	max_attributes = 200
	reject_delay = 0
	status_server = yes
	require_message_authenticator = yes
}
thread pool {
	start_servers = 8
	max_servers = 32
	min_spare_servers = 4
	max_spare_servers = 16
	max_requests_per_server = 0
	auto_limit_acct = no
}
client localhost {
	ipaddr = 127.0.0.1
	secret = %[3]s
	require_message_authenticator = yes
}
modules {
	expr {
	}
	always reject {
		rcode = reject
	}
	files authorized_macs {
		key = "%%{Calling-Station-ID}"
		usersfile = ${confdir}/authorized_macs
	}
}
policy {
	mac-addr-regexp = '([0-9a-f]{2})[^0-9a-f]?([0-9a-f]{2})[^0-9a-f]?([0-9a-f]{2})[^0-9a-f]?([0-9a-f]{2})[^0-9a-f]?([0-9a-f]{2})[^0-9a-f]?([0-9a-f]{2})'
	rewrite_calling_station_id {
		if (&Calling-Station-Id && (&Calling-Station-Id =~ /^${policy.mac-addr-regexp}$/i)) {
			update request {
				&Calling-Station-Id := "%%{toupper:%%{1}-%%{2}-%%{3}-%%{4}-%%{5}-%%{6}}"
			}
		}
	}
}
server default {
	listen {
		type = auth
		ipaddr = 127.0.0.1
		port = %[2]d
	}
	authorize {
		rewrite_calling_station_id
		authorized_macs
		if (!ok) {
			reject
		}
		else {
			update control {
				&Auth-Type := Accept
			}
		}
	}
	authenticate {
	}
}
`

// StartFreeRADIUS writes a FreeRADIUS configuration holding macs into dir
// and starts freeradius on a free port of 127.0.0.1; it returns the address
// and a function that stops it.
func StartFreeRADIUS(ctx context.Context, dir, secret string, macs []string, log io.Writer) (string, *os.Process, func(), error) {
	port, err := freeUDPPort()
	if err != nil {
		return "", nil, nil, err
	}
	conf := fmt.Sprintf(freeRADIUSConfig, dir, port, secret)
	if err := os.WriteFile(filepath.Join(dir, "radiusd.conf"), []byte(conf), 0o600); err != nil {
		return "", nil, nil, err
	}
	dict, err := os.ReadFile("/etc/freeradius/3.0/dictionary")
	if err != nil {
		return "", nil, nil, fmt.Errorf("FreeRADIUS 3.2 is not installed (apt-get install -y freeradius): %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "dictionary"), dict, 0o600); err != nil {
		return "", nil, nil, err
	}
	var users strings.Builder
	for _, mac := range macs {
		fmt.Fprintf(&users, "%s\n\tReply-Message = \"Device with MAC Address %%{Calling-Station-Id} authorized for network access\"\n\n", strings.ReplaceAll(mac, ":", "-"))
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_macs"), []byte(users.String()), 0o600); err != nil {
		return "", nil, nil, err
	}
	cmd := exec.CommandContext(ctx, "freeradius", "-f", "-d", dir, "-l", "stdout")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return "", nil, nil, err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// Ready when a listed MAC is accepted.
	probe := RadiusLoad{Addr: addr, Secret: []byte(secret), MACs: macs[:1], InFlight: 1}
	for deadline := time.Now().Add(30 * time.Second); ; {
		if res, err := probe.Run(ctx); err == nil && res.Accepts == 1 {
			return addr, cmd.Process, stop, nil
		}
		select {
		case <-exited:
			return "", nil, nil, fmt.Errorf("freeradius exited (see its log)")
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, nil, fmt.Errorf("freeradius did not accept a listed MAC within 30 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
