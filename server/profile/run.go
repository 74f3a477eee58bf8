package profile

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hlj-opendata/portal/server/apperr"
)

// Run profiles a stored CSV file (UTF-8, with or without a byte order
// mark; the header on the first record) against the declared items.
// Blank lines are skipped; row numbers count records, the header being
// row 1, so a quoted cell spanning lines is still one row.
//
// One goroutine parses the CSV and up to GOMAXPROCS goroutines profile
// the columns, each its own share of them, batch by batch: the result is
// the same as feeding the rows to a Profiler one by one, in less time.
func Run(ctx context.Context, r io.Reader, items []Item, opt Options) (*Result, error) {
	opt.defaults()
	full := make(chan *batch, batchesInFlight)
	free := make(chan *batch, batchesInFlight)
	for range batchesInFlight {
		free <- &batch{}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		readBatches(ctx, r, &opt, full, free, stop)
	}()
	// The reader must be gone before Run returns: r belongs to the caller.
	defer func() {
		close(stop)
		<-done
	}()

	first, ok := <-full
	if !ok {
		return nil, apperr.New(apperr.Invalid, "the file is empty: the first row must name the columns")
	}
	if first.err != nil {
		return nil, first.err
	}
	p := NewProfiler(first.cells[:first.ends[0]], items, opt)
	defer p.Close()
	first.skip = 1
	cost, err := p.addTimed(first)
	if err != nil {
		return nil, err
	}
	first.reset()
	free <- first
	w := p.startWorkers(cost, free, stop)
	next, _ := <-full
	err = w.dispatch(ctx, next, full)
	if err = cmp.Or(err, w.wait()); err != nil {
		return nil, err
	}
	return p.Finish()
}

// workers profile batches in parallel: worker g owns the columns in
// groups[g] (and worker 0 the cells beyond the header), so no column is
// ever touched by two goroutines.
type workers struct {
	p      *Profiler
	groups [][]int
	in     []chan *batch
	free   chan *batch
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.Mutex // guards p.rows, p.dups and err
	err    error
}

// addTimed profiles the first batch in this goroutine, timing each
// column, so that the workers can share the columns by their cost.
func (p *Profiler) addTimed(b *batch) ([]time.Duration, error) {
	cost := make([]time.Duration, len(p.cols))
	sums := make([]uint64, len(b.ends))
	filled := make([]bool, len(b.ends))
	one := []int{0}
	for i := range p.cols {
		one[0] = i
		start, from := time.Now(), 0
		if b.skip > 0 {
			from = b.ends[b.skip-1]
		}
		for r := b.skip; r < len(b.ends); r++ {
			s, a := p.addCells(b.cells[from:b.ends[r]], one, b.first+int64(r), false)
			from = b.ends[r]
			sums[r] += s
			filled[r] = filled[r] || a
		}
		cost[i] = time.Since(start)
	}
	from := 0
	for r := 0; r < len(b.ends); r++ {
		cells := b.cells[from:b.ends[r]]
		from = b.ends[r]
		if r < b.skip {
			continue
		}
		s, a := p.addCells(cells, []int{}, 0, true) // cells beyond the header
		p.line++
		if !filled[r] && !a {
			continue
		}
		p.rows++
		if err := p.dups.add(sums[r] + s); err != nil {
			return nil, err
		}
	}
	return cost, nil
}

// startWorkers shares the columns among GOMAXPROCS workers, the costliest
// first to the least loaded (a column's cost varies tenfold with its
// type, domain and distinct values).
func (p *Profiler) startWorkers(cost []time.Duration, free chan *batch, stop chan struct{}) *workers {
	n := max(1, min(runtime.GOMAXPROCS(0), len(p.cols), 16))
	w := &workers{p: p, groups: make([][]int, n), in: make([]chan *batch, n), free: free, stop: stop}
	order := make([]int, len(p.cols))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cost[b], cost[a]) })
	load := make([]time.Duration, n)
	for _, i := range order {
		g := slices.Index(load, slices.Min(load))
		w.groups[g] = append(w.groups[g], i)
		load[g] += cost[i]
	}
	for g := range w.groups {
		slices.Sort(w.groups[g]) // addCells walks a group in column order
	}
	for g := range n {
		w.in[g] = make(chan *batch, batchesInFlight)
		w.wg.Go(func() {
			for b := range w.in[g] {
				w.work(g, b)
			}
		})
	}
	return w
}

// dispatch hands every batch to every worker until the reader is done.
func (w *workers) dispatch(ctx context.Context, b *batch, full chan *batch) error {
	for ; b != nil; b = <-full {
		if b.err != nil {
			return b.err
		}
		if err := cmp.Or(ctx.Err(), w.failed()); err != nil {
			return err
		}
		b.prepare(len(w.groups))
		for _, in := range w.in {
			in <- b
		}
	}
	return nil
}

func (w *workers) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// wait lets the workers finish what they were given.
func (w *workers) wait() error {
	for _, in := range w.in {
		close(in)
	}
	w.wg.Wait()
	return w.failed()
}

func (w *workers) work(g int, b *batch) {
	sums, filled := b.sums[g], b.filled[g]
	start := 0
	if b.skip > 0 {
		start = b.ends[b.skip-1]
	}
	for r := b.skip; r < len(b.ends); r++ {
		cells := b.cells[start:b.ends[r]]
		start = b.ends[r]
		sums[r], filled[r] = w.p.addCells(cells, w.groups[g], b.first+int64(r), g == 0)
	}
	if b.pending.Add(-1) > 0 {
		return
	}
	// The last worker done with the batch counts its rows.
	w.mu.Lock()
	for r := b.skip; r < len(b.ends); r++ {
		var sum uint64
		nonBlank := false
		for g := range b.sums {
			sum += b.sums[g][r]
			nonBlank = nonBlank || b.filled[g][r]
		}
		w.p.line++
		if !nonBlank || w.err != nil {
			continue
		}
		w.p.rows++
		if err := w.p.dups.add(sum); err != nil {
			w.err = err
		}
	}
	w.mu.Unlock()
	b.reset()
	select {
	case w.free <- b:
	case <-w.stop:
	}
}

// batchesInFlight × batchBytes bounds the CSV text held between the
// reading goroutine and the profile (plus one record each).
const (
	batchesInFlight = 4
	batchBytes      = 256 << 10
	batchRows       = 1024
)

// batch is a run of records: record i is cells[ends[i-1]:ends[i]]. The
// cells point into strings encoding/csv allocated for each record, so
// they stay valid after the reader moves on.
type batch struct {
	cells []string
	ends  []int
	first int64 // record number of the first record (the header is 1)
	skip  int   // records already used (the header)
	err   error // the reading failed after the records before it

	// Filled by the workers: per worker and record, its share of the row
	// hash and whether its cells were not all blank.
	sums    [][]uint64
	filled  [][]bool
	pending atomic.Int32
}

func (b *batch) prepare(groups int) {
	for len(b.sums) < groups {
		b.sums, b.filled = append(b.sums, nil), append(b.filled, nil)
	}
	b.sums, b.filled = b.sums[:groups], b.filled[:groups]
	for g := range groups {
		b.sums[g] = slices.Grow(b.sums[g][:0], len(b.ends))[:len(b.ends)]
		b.filled[g] = slices.Grow(b.filled[g][:0], len(b.ends))[:len(b.ends)]
	}
	b.pending.Store(int32(groups))
}

func (b *batch) reset() {
	clear(b.cells) // let the records' strings go
	b.cells, b.ends, b.err, b.skip = b.cells[:0], b.ends[:0], nil, 0
}

func readBatches(ctx context.Context, r io.Reader, opt *Options, full, free chan *batch, stop chan struct{}) {
	defer close(full)
	// The limit sits under the buffer, which encoding/csv uses as it is:
	// the file's bytes are copied once.
	lr := &lineLimitReader{r: r, max: opt.MaxRecordBytes, line: 1}
	br := bufio.NewReaderSize(lr, 256<<10)
	bom, err := br.Peek(3)
	if bytes.Equal(bom, []byte("\uFEFF")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.LazyQuotes = true
	b := <-free
	if err != nil && !errors.Is(err, io.EOF) {
		b.err = readError(err, lr)
		select {
		case full <- b:
		case <-stop:
		}
		return
	}
	send := func() bool {
		select {
		case full <- b:
		case <-stop:
			return false
		}
		select {
		case b = <-free:
			return true
		case <-stop:
			return false
		}
	}
	var offset int64
	for n := int64(1); ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			b.err = ctx.Err()
			send()
			return
		}
		rec, err := cr.Read()
		if err == io.EOF {
			if len(b.ends) > 0 {
				send()
			}
			return
		}
		if err == nil && len(rec) > opt.MaxColumns {
			err = apperr.New(apperr.Invalid, "row %d has %d columns, more than %d", n, len(rec), opt.MaxColumns)
		}
		if err != nil {
			b.err = readError(err, lr)
			send()
			return
		}
		if len(b.ends) == 0 {
			b.first = n
		}
		b.cells = append(b.cells, rec...)
		b.ends = append(b.ends, len(b.cells))
		if len(b.ends) >= batchRows || cr.InputOffset()-offset >= batchBytes {
			offset = cr.InputOffset()
			if !send() {
				return
			}
		}
	}
}

func readError(err error, lr *lineLimitReader) error {
	if errors.Is(err, errRecordTooLong) {
		return apperr.New(apperr.Invalid, "line %d is longer than %d bytes", lr.line, lr.max)
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return apperr.Wrap(apperr.Invalid, err, "the CSV cannot be read at line %d", pe.Line)
	}
	return apperr.Internalf(err, "read CSV")
}

var errRecordTooLong = errors.New("profile: CSV line too long")

// lineLimitReader fails when a line grows past max bytes, as
// upload.lineLimitReader does: encoding/csv holds a whole record in
// memory. It looks for newlines with bytes.IndexByte rather than byte by
// byte, which matters at a gigabyte.
type lineLimitReader struct {
	r    io.Reader
	max  int
	cur  int
	line int // of the file, from 1: where a line was too long
}

func (l *lineLimitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	rest := p[:n]
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			l.cur += len(rest)
			break
		}
		if l.cur+i > l.max {
			return 0, errRecordTooLong
		}
		l.cur, rest = 0, rest[i+1:]
		l.line++
	}
	if l.cur > l.max {
		return 0, errRecordTooLong
	}
	return n, err
}
