package loadtest

import (
	"os"
	"testing"
	"time"
)

func TestStatusKB(t *testing.T) {
	status := []byte("Name:\tcheckin\nVmPeak:\t 2000000 kB\nVmHWM:\t   81234 kB\nVmRSS:\t   60000 kB\n")
	tests := []struct {
		name string
		want int64
	}{
		{"VmRSS:", 60000}, {"VmHWM:", 81234}, {"VmSwap:", 0},
	}
	for _, tt := range tests {
		if got := statusKB(status, tt.name); got != tt.want {
			t.Errorf("statusKB(%s) = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestStatCPU(t *testing.T) {
	tests := []struct {
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"1234 (checkin) S 1 1234 1234 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 9 0 100 0 0", 3 * time.Second, false},
		{"1234 (odd) name) R 1 1 1 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1 0 0", 100 * time.Millisecond, false},
		{"1234 (short) S 1", 0, true},
		{"no parenthesis", 0, true},
	}
	for _, tt := range tests {
		got, err := statCPU([]byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("statCPU(%q) = %v, %v; want %v (error %v)", tt.stat, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestReadProcOfThisProcess(t *testing.T) {
	st, err := ReadProc(os.Getpid())
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	if st.RSS <= 0 || st.HWM < st.RSS {
		t.Errorf("this process: VmRSS %d, VmHWM %d; want 0 < VmRSS <= VmHWM", st.RSS, st.HWM)
	}
}

func TestParseMachineBusy(t *testing.T) {
	tests := []struct {
		stat    string
		want    time.Duration
		wantErr bool
	}{
		{"cpu  100 5 50 9999 77 3 2 1 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n", (100 + 5 + 50 + 3 + 2 + 1) * 10 * time.Millisecond, false},
		{"cpu0 1 2 3 4 5 6 7 8 9\n", 0, true},
		{"cpu 1 2 3\n", 0, true},
		{"cpu 1 2 x 4 5 6 7 8 9\n", 0, true},
	}
	for _, tt := range tests {
		got, err := parseMachineBusy([]byte(tt.stat))
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseMachineBusy(%q) = %v, %v; want %v (error %v)", tt.stat, got, err, tt.want, tt.wantErr)
		}
	}
}
