package ingest

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress draws a one-line progress bar for a long load. A nil *Progress
// draws nothing, which is what callers use when output is not a terminal.
type Progress struct {
	w       io.Writer
	total   int
	files   atomic.Int64
	rows    atomic.Int64
	started time.Time
	done    chan struct{}
	wg      sync.WaitGroup
}

// NewProgress returns a progress bar that redraws itself on w.
func NewProgress(w io.Writer) *Progress { return &Progress{w: w} }

func (p *Progress) start(total int) {
	if p == nil {
		return
	}
	p.total, p.started, p.done = total, time.Now(), make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.done:
				p.draw()
				fmt.Fprintln(p.w)
				return
			}
		}
	}()
}

func (p *Progress) file(rows int64) {
	if p == nil {
		return
	}
	p.files.Add(1)
	p.rows.Add(rows)
}

func (p *Progress) stop() {
	if p == nil || p.done == nil {
		return
	}
	close(p.done)
	p.wg.Wait()
}

func (p *Progress) draw() {
	const width = 30
	files, rows := p.files.Load(), p.rows.Load()
	filled := 0
	if p.total > 0 {
		filled = int(files) * width / p.total
	}
	secs := time.Since(p.started).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(rows) / secs
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d files  %d rows  %.0f rows/s  %s ",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled),
		files, p.total, rows, rate, time.Since(p.started).Round(time.Second))
}
