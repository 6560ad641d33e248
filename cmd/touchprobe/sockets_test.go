package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// listeningOn returns the addresses process pid listens on (TCP, IPv4 and
// IPv6), as the kernel reports them in /proc/PID/net/tcp{,6}: the sockets
// of pid's network namespace in LISTEN state whose inode pid holds open.
func listeningOn(t *testing.T, pid int) []string {
	t.Helper()
	own := socketInodes(t, pid)
	var out []string
	for _, file := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			addr, inode, ok := parseListening(line)
			if ok && own[inode] {
				out = append(out, addr.String())
			}
		}
	}
	slices.Sort(out)
	return out
}

// socketInodes are the inodes of the sockets pid has open.
func socketInodes(t *testing.T, pid int) map[string]bool {
	t.Helper()
	fds, err := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, fd := range fds {
		if target, err := os.Readlink(fd); err == nil {
			if inode, ok := strings.CutPrefix(target, "socket:["); ok {
				out[strings.TrimSuffix(inode, "]")] = true
			}
		}
	}
	return out
}

// tcpListen is the state column's value for a listening socket.
const tcpListen = "0A"

// parseListening reads one line of /proc/net/tcp or tcp6: the local
// address and the inode of a socket in LISTEN state; ok is false for any
// other line.
func parseListening(line string) (addr netip.AddrPort, inode string, ok bool) {
	f := strings.Fields(line)
	if len(f) < 10 || f[3] != tcpListen {
		return netip.AddrPort{}, "", false
	}
	hexIP, hexPort, _ := strings.Cut(f[1], ":")
	port, err := strconv.ParseUint(hexPort, 16, 16)
	if err != nil {
		return netip.AddrPort{}, "", false
	}
	ip, err := hex.DecodeString(hexIP)
	if err != nil || (len(ip) != 4 && len(ip) != 16) {
		return netip.AddrPort{}, "", false
	}
	// The kernel prints each 32-bit word of the address in host order
	// (little-endian here): turn every word around.
	for i := 0; i < len(ip); i += 4 {
		binary.BigEndian.PutUint32(ip[i:], binary.LittleEndian.Uint32(ip[i:]))
	}
	a, _ := netip.AddrFromSlice(ip)
	return netip.AddrPortFrom(a.Unmap(), uint16(port)), f[9], true
}

func TestParseListening(t *testing.T) {
	for _, c := range []struct {
		line, want, inode string
	}{
		{"   0: 0100007F:252C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0", "127.0.0.1:9516", "4242"},
		{"   1: 00000000:252C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0", "0.0.0.0:9516", "17"},
		{"   2: 00000000000000000000000000000000:252C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 18 1 0000000000000000 100 0 0 10 0", "[::]:9516", "18"},
		{"   3: 00000000000000000000000001000000:252C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19 1 0000000000000000 100 0 0 10 0", "[::1]:9516", "19"},
		{"   4: 0000000000000000FFFF00000100007F:252C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20 1 0000000000000000 100 0 0 10 0", "127.0.0.1:9516", "20"},
		{"   5: 0100007F:CDAC 0100007F:838B 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000", "", ""}, // not listening
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode", "", ""},
	} {
		addr, inode, ok := parseListening(c.line)
		if c.want == "" {
			if ok {
				t.Errorf("%q: listening on %v, want not a listening socket", c.line, addr)
			}
			continue
		}
		if !ok || addr.String() != c.want || inode != c.inode {
			t.Errorf("%q: %v %q %v; want %s inode %s", c.line, addr, inode, ok, c.want, c.inode)
		}
	}
}
