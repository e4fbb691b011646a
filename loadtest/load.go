package loadtest

import (
	"bytes"
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// CheckinPath is the endpoint the load drives.
const CheckinPath = "/api/public/checkin"

// A Load is one phase: a mix of requests sent by Concurrency connections,
// each sending its next request as soon as the last is answered (a closed
// loop, like wrk's). Requests answered during Warmup are not counted.
type Load struct {
	Addr string // host:port to connect to
	// MoreAddrs are further instances of the service: connection i goes to
	// the (i mod n)th of Addr and MoreAddrs.
	MoreAddrs   []string
	Host        string // the Host header: <web-address>.localhost
	Mix         Mix
	Seed        SeedConfig // the sizes of the seeded pools
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	// CheckAnswers compares each answer with the method's expected one;
	// when false only the status must be 200 (the ceiling's answers).
	CheckAnswers bool
	ServerPID    int // sampled for memory and CPU when not zero
}

// MethodResult is one method's figures in a phase. Latency (and so the
// rate) counts the expected answers only.
type MethodResult struct {
	Method     string
	Latency    *Histogram
	Errors     uint64 // transport errors and 5xx answers
	Unexpected uint64 // answers other than the expected one, 429 included
	Sample     string // the first unexpected answer or error, for the report
}

// LoadResult is what a phase measured.
type LoadResult struct {
	Methods   []*MethodResult // in the mix's order
	Total     *MethodResult   // every method together
	Elapsed   time.Duration   // the measured window
	ServerRSS int64           // the peak resident memory sampled during the window
	ServerCPU time.Duration   // the server's CPU time during the window
	ClientCPU time.Duration   // this process's CPU time during the window
	OtherCPU  time.Duration   // every other process's CPU time during the window
}

// RPS is the rate of answered requests of r during the window.
func (res *LoadResult) RPS(r *MethodResult) float64 {
	return float64(r.Latency.Count()) / res.Elapsed.Seconds()
}

// Run sends the load until its time is up.
func (l *Load) Run(ctx context.Context) *LoadResult {
	res := &LoadResult{Total: &MethodResult{Method: "all", Latency: new(Histogram)}}
	for _, m := range l.Mix.Methods {
		res.Methods = append(res.Methods, &MethodResult{Method: m.Name, Latency: new(Histogram)})
	}
	r := &run{load: l, res: res, schedule: l.Mix.schedule(), seqs: make([]atomic.Uint64, len(l.Mix.Methods))}
	r.firsts = l.Mix.walkStarts(l.Seed)
	r.start = time.Now().Add(l.Warmup)
	r.end = r.start.Add(l.Duration)
	var wg sync.WaitGroup
	addrs := append([]string{l.Addr}, l.MoreAddrs...)
	for i := range l.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.worker(ctx, addrs[i%len(addrs)])
		}()
	}
	r.measure(ctx)
	wg.Wait()
	for _, m := range res.Methods {
		res.Total.Latency.Merge(m.Latency)
		res.Total.Errors += m.Errors
		res.Total.Unexpected += m.Unexpected
		if res.Total.Sample == "" {
			res.Total.Sample = m.Sample
		}
	}
	return res
}

// run is a Load under way.
type run struct {
	load     *Load
	res      *LoadResult
	schedule []int
	next     atomic.Uint64   // the sequence of all requests
	seqs     []atomic.Uint64 // each method's own sequence
	// firsts is where each method's walk starts: method i of n at i/n of
	// its identities, so that the methods of a mix, which walk the same
	// members, do not name one member at the same moment, as no door does.
	firsts     []uint64
	start, end time.Time
	mu         sync.Mutex // guards the counters and samples of res
}

// walkStarts returns where each method's walk starts: method i of n at
// i/n of its identities.
func (mx Mix) walkStarts(s SeedConfig) []uint64 {
	firsts := make([]uint64, len(mx.Methods))
	for i, m := range mx.Methods {
		firsts[i] = uint64(i * m.identities(s) / len(mx.Methods))
	}
	return firsts
}

// measure samples the server and this process over the measured window.
func (r *run) measure(ctx context.Context) {
	wait := func(t time.Time) {
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(t)):
		}
	}
	wait(r.start)
	server0, _ := ReadProc(r.load.ServerPID)
	client0, _ := ReadProc(os.Getpid())
	busy0, busyErr := machineBusy()
	s := startSampler(r.load.ServerPID, 50*time.Millisecond)
	wait(r.end)
	r.res.ServerRSS = s.Stop()
	server1, _ := ReadProc(r.load.ServerPID)
	client1, _ := ReadProc(os.Getpid())
	busy1, _ := machineBusy()
	r.res.ServerCPU, r.res.ClientCPU = server1.CPU-server0.CPU, client1.CPU-client0.CPU
	r.res.OtherCPU = max(0, busy1-busy0-r.res.ServerCPU-r.res.ClientCPU)
	if r.load.ServerPID <= 0 || busyErr != nil {
		r.res.OtherCPU = -1 // unknown
	}
	if r.load.ServerPID <= 0 {
		r.res.ServerCPU = -1
	}
	r.res.Elapsed = r.end.Sub(r.start)
}

// worker sends requests on one connection until the window ends.
func (r *run) worker(ctx context.Context, addr string) {
	c := newConn(addr)
	defer c.close()
	var body, req []byte
	for ctx.Err() == nil {
		k := r.next.Add(1) - 1
		mi := r.schedule[k%uint64(len(r.schedule))]
		m := r.load.Mix.Methods[mi]
		id := int((r.firsts[mi] + r.seqs[mi].Add(1) - 1) % uint64(m.identities(r.load.Seed)))
		body = m.body(body[:0], id)
		req = appendRequest(req[:0], CheckinPath, r.load.Host, body)
		began := time.Now()
		status, answer, err := c.roundTrip(req)
		done := time.Now()
		if done.After(r.end) {
			return
		}
		if done.Before(r.start) {
			continue
		}
		r.count(r.res.Methods[mi], m, done.Sub(began), status, answer, err)
		if err != nil && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond) // a server that is gone: do not spin
		}
	}
}

// count records one answered (or failed) request.
func (r *run) count(mr *MethodResult, m *Method, took time.Duration, status int, answer []byte, err error) {
	verdict := classify(status, answer, err, m, r.load.CheckAnswers)
	if verdict == answerOK {
		mr.Latency.Record(took)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	switch verdict {
	case answerError:
		mr.Errors++
	case answerUnexpected:
		mr.Unexpected++
	}
	if mr.Sample == "" {
		if err != nil {
			mr.Sample = m.Name + ": " + err.Error()
		} else {
			mr.Sample = m.Name + ": " + describeAnswer(status, answer)
		}
	}
}

type verdict int

const (
	answerOK verdict = iota
	answerError
	answerUnexpected
)

// classify judges an answer: a transport error or a 5xx is an error; any
// other answer but the method's expected one (a success, or a refusal with
// its code) is unexpected, 429 included.
func classify(status int, body []byte, err error, m *Method, check bool) verdict {
	switch {
	case err != nil || status >= 500:
		return answerError
	case status != 200:
		return answerUnexpected
	case !check:
		return answerOK
	case m.refusal == "":
		if bytes.Contains(body, []byte(`"wasSuccessful":true`)) {
			return answerOK
		}
	case bytes.Contains(body, []byte(`"wasSuccessful":false`)) && bytes.Contains(body, m.refusalNeedle):
		return answerOK
	}
	return answerUnexpected
}
