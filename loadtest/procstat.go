package loadtest

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// ProcStat is what /proc says about a process.
type ProcStat struct {
	RSS int64         // resident memory now, in bytes (VmRSS)
	HWM int64         // peak resident memory since it started (VmHWM)
	CPU time.Duration // user and system time used since it started
}

// clockTicks is the unit of /proc/<pid>/stat's CPU times: USER_HZ, which
// Linux fixes at 100 on every architecture Go runs on.
const clockTicks = 100

// ReadProc reads the memory and CPU time of a process from /proc.
func ReadProc(pid int) (ProcStat, error) {
	var s ProcStat
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	s.RSS, s.HWM = statusKB(status, "VmRSS:")*1024, statusKB(status, "VmHWM:")*1024
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	s.CPU, err = statCPU(stat)
	return s, err
}

// statusKB reads a "Name:   123 kB" line of /proc/<pid>/status.
func statusKB(status []byte, name string) int64 {
	i := bytes.Index(status, []byte(name))
	if i < 0 {
		return 0
	}
	fields := bytes.Fields(status[i+len(name):])
	if len(fields) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(string(fields[0]), 10, 64)
	return n
}

// statCPU reads utime and stime, the 14th and 15th fields of
// /proc/<pid>/stat, counted after the command name in parentheses.
func statCPU(stat []byte) (time.Duration, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("/proc stat: no command name")
	}
	fields := bytes.Fields(stat[end+1:]) // fields[0] is the 3rd field, state
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc stat: too few fields")
	}
	utime, err1 := strconv.ParseInt(string(fields[11]), 10, 64)
	stime, err2 := strconv.ParseInt(string(fields[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: bad CPU times")
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// sampler watches a process's resident memory while a phase runs and keeps
// its peak. Peaks shorter than the sampling interval may be missed; VmHWM,
// read at the end, catches them for the process's whole life.
type sampler struct {
	pid  int
	peak atomic.Int64
	stop chan struct{}
	done sync.WaitGroup
}

func startSampler(pid int, every time.Duration) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{})}
	if pid <= 0 {
		return s
	}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			if st, err := ReadProc(s.pid); err == nil && st.RSS > s.peak.Load() {
				s.peak.Store(st.RSS)
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Stop ends the sampling and returns the peak resident memory seen.
func (s *sampler) Stop() int64 {
	close(s.stop)
	s.done.Wait()
	return s.peak.Load()
}

// machineBusy reads the CPU time every core of the machine has spent busy
// (user, nice, system, irq, softirq, steal) from the first line of
// /proc/stat, so that a phase can tell how much other processes used.
func machineBusy() (time.Duration, error) {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	return parseMachineBusy(stat)
}

func parseMachineBusy(stat []byte) (time.Duration, error) {
	line, _, _ := bytes.Cut(stat, []byte("\n"))
	fields := bytes.Fields(line)
	if len(fields) < 9 || string(fields[0]) != "cpu" {
		return 0, fmt.Errorf("/proc/stat: no cpu line")
	}
	var busy int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system (idle iowait) irq softirq steal
		n, err := strconv.ParseInt(string(fields[i]), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat: %w", err)
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}
