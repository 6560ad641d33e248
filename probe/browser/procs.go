package browser

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ProcStats describes a Chromium process tree at one moment.
type ProcStats struct {
	Count    int   // live processes (zombies excluded)
	Zombies  int   // exited but not reaped
	RSSBytes int64 // sum of resident set sizes (double-counts shared pages)
	PSSBytes int64 // sum of proportional set sizes (shared pages split)
	// CPUSeconds: user and system time of the live processes and of their
	// children that exited and were reaped (a visit's renderers end with
	// its tab; the zygote, in the group, reaps them).
	CPUSeconds float64
}

// GroupStats describes the processes of one process group, e.g. a browser
// that is gone (ProcessGroup before Close) to prove nothing is left.
func GroupStats(pgid int) ProcStats { return groupStats(pgid) }

// groupStats sums the processes whose process group is pgid. Chromium is
// started in a group of its own, so this finds its whole tree even after a
// child was re-parented to PID 1.
func groupStats(pgid int) ProcStats {
	var st ProcStats
	if pgid <= 0 {
		return st
	}
	for _, pid := range groupPIDs(pgid) {
		f := statFields(pid)
		if len(f) < 15 || f[0] == "" {
			continue
		}
		if f[0][0] == 'Z' {
			st.Zombies++
			continue
		}
		st.Count++
		for _, ticks := range f[11:15] { // utime, stime, cutime, cstime
			v, _ := strconv.ParseFloat(ticks, 64)
			st.CPUSeconds += v / clockTicks
		}
		rss, pss := procMemory(pid)
		st.RSSBytes += rss
		st.PSSBytes += pss
	}
	return st
}

// clockTicks is USER_HZ, the unit of /proc's CPU times (100 on Linux).
const clockTicks = 100.0

// groupPIDs lists the processes in process group pgid.
func groupPIDs(pgid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if g, ok := procPGID(pid); ok && g == pgid {
			pids = append(pids, pid)
		}
	}
	return pids
}

// statFields returns the fields of /proc/pid/stat after the command name,
// which may itself contain spaces and parentheses.
func statFields(pid int) []string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 > len(b) {
		return nil
	}
	return strings.Fields(string(b[i+2:]))
}

func procState(pid int) (byte, bool) {
	f := statFields(pid)
	if len(f) < 1 || f[0] == "" {
		return 0, false
	}
	return f[0][0], true
}

func procPGID(pid int) (int, bool) {
	f := statFields(pid)
	if len(f) < 3 {
		return 0, false
	}
	g, err := strconv.Atoi(f[2])
	return g, err == nil
}

// procMemory reads RSS and PSS in bytes from smaps_rollup.
func procMemory(pid int) (rss, pss int64) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		var dst *int64
		switch {
		case strings.HasPrefix(line, "Rss:"):
			dst = &rss
		case strings.HasPrefix(line, "Pss:"):
			dst = &pss
		default:
			continue
		}
		fs := strings.Fields(line)
		if len(fs) >= 2 {
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			*dst = kb * 1024
		}
	}
	return rss, pss
}

// WaitGroupGone waits, up to limit, until process group pgid has no live
// process left, and returns what is left then (Count 0: gone). Tests use it
// to prove a browser left nothing behind.
func WaitGroupGone(pgid int, limit time.Duration) ProcStats {
	deadline := time.Now().Add(limit)
	for {
		st := groupStats(pgid)
		if st.Count == 0 || time.Now().After(deadline) {
			return st
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// killGroup sends SIGKILL to every process of group pgid and waits, up to
// limit, until none is left alive. Zombies of our own child are reaped by
// chromedp's Wait; zombies re-parented to PID 1 are init's to reap.
func killGroup(pgid int, limit time.Duration) bool {
	if pgid <= 0 {
		return true
	}
	deadline := time.Now().Add(limit)
	for {
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		if st := groupStats(pgid); st.Count == 0 {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ChromiumProcesses counts every live process on the host that runs a
// Chromium binary, whoever started it: what a leak check must see.
func ChromiumProcesses() int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil {
			continue
		}
		base := exe[strings.LastIndexByte(exe, '/')+1:]
		if strings.HasPrefix(base, "chrom") || base == "chrome" || strings.HasPrefix(base, "chrome_") {
			if s, ok := procState(pid); ok && s != 'Z' {
				n++
			}
		}
	}
	return n
}

// OwnBrowserGroups lists the process groups of the Chromium browsers this
// process started (each browser is our child and leads its own group), so
// that tests and benchmarks count their own browsers and not the others on
// the machine.
func OwnBrowserGroups() []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	me := os.Getpid()
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		exe, err := os.Readlink("/proc/" + e.Name() + "/exe")
		if err != nil || !strings.HasPrefix(exe[strings.LastIndexByte(exe, '/')+1:], "chrom") {
			continue
		}
		f := statFields(pid) // state ppid pgrp ...
		if len(f) < 3 || f[0] == "Z" {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		pgid, _ := strconv.Atoi(f[2])
		if ppid == me && pgid == pid {
			out = append(out, pgid)
		}
	}
	return out
}
