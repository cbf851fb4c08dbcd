package policeapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// encodePoly writes a polygon as the API's poly parameter,
// lat,lng:lat,lng:…, to 6 decimals: about 0.1 m, the precision of the API's
// own coordinates, and short enough to keep most areas within a GET.
func encodePoly(poly []LatLng) string {
	var b strings.Builder
	for i, p := range poly {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.FormatFloat(p.Lat, 'f', 6, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p.Lng, 'f', 6, 64))
	}
	return b.String()
}

// box is a latitude/longitude rectangle.
type box struct{ minLat, minLng, maxLat, maxLng float64 }

func bounds(poly []LatLng) box {
	b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range poly {
		b.minLat, b.maxLat = min(b.minLat, p.Lat), max(b.maxLat, p.Lat)
		b.minLng, b.maxLng = min(b.minLng, p.Lng), max(b.maxLng, p.Lng)
	}
	return b
}

// quarters cuts b through its middle. The cut lines are rounded to the 6
// decimals that encodePoly writes, so that both sides of a cut send the same
// line and no strip between them is left out.
func (b box) quarters() [4]box {
	midLat := math.Round((b.minLat+b.maxLat)/2*1e6) / 1e6
	midLng := math.Round((b.minLng+b.maxLng)/2*1e6) / 1e6
	return [4]box{
		{b.minLat, b.minLng, midLat, midLng},
		{b.minLat, midLng, midLat, b.maxLng},
		{midLat, b.minLng, b.maxLat, midLng},
		{midLat, midLng, b.maxLat, b.maxLng},
	}
}

// clip returns the part of poly inside b (Sutherland–Hodgman). For a
// concave polygon the part may come back as one ring joined along b's edge
// by zero-width slivers, which covers the same points as the separate parts
// would.
func clip(poly []LatLng, b box) []LatLng {
	edges := []struct {
		inside func(LatLng) bool
		cross  func(p, q LatLng) LatLng
	}{
		{func(p LatLng) bool { return p.Lat >= b.minLat }, func(p, q LatLng) LatLng { return atLat(p, q, b.minLat) }},
		{func(p LatLng) bool { return p.Lat <= b.maxLat }, func(p, q LatLng) LatLng { return atLat(p, q, b.maxLat) }},
		{func(p LatLng) bool { return p.Lng >= b.minLng }, func(p, q LatLng) LatLng { return atLng(p, q, b.minLng) }},
		{func(p LatLng) bool { return p.Lng <= b.maxLng }, func(p, q LatLng) LatLng { return atLng(p, q, b.maxLng) }},
	}
	out := poly
	for _, e := range edges {
		in := out
		out = nil
		for i, q := range in {
			p := in[(i+len(in)-1)%len(in)]
			switch {
			case e.inside(q) && e.inside(p):
				out = append(out, q)
			case e.inside(q):
				out = append(out, e.cross(p, q), q)
			case e.inside(p):
				out = append(out, e.cross(p, q))
			}
		}
	}
	return out
}

func atLat(p, q LatLng, lat float64) LatLng {
	t := (lat - p.Lat) / (q.Lat - p.Lat)
	return LatLng{lat, p.Lng + t*(q.Lng-p.Lng)}
}

func atLng(p, q LatLng, lng float64) LatLng {
	t := (lng - p.Lng) / (q.Lng - p.Lng)
	return LatLng{p.Lat + t*(q.Lat-p.Lat), lng}
}

// area is the polygon's area in square degrees (shoelace formula), only to
// tell a real piece from a sliver left on a cut line.
func area(poly []LatLng) float64 {
	s := 0.0
	for i, p := range poly {
		q := poly[(i+1)%len(poly)]
		s += p.Lng*q.Lat - q.Lng*p.Lat
	}
	return math.Abs(s) / 2
}

// minPieceArea is about 1 m²: a piece smaller than that is a sliver of a
// cut, not part of the area.
const minPieceArea = 1e-10

// spawnArea fetches an area endpoint (crimes-street/all-crime,
// outcomes-at-location, stops-street) for poly in month and passes each
// answer to keep. An area the API refuses as over 10,000 results is cut into
// quarters, each fetched the same way; the quarters are tasks of g, so they
// run in parallel with the rest of the fetch.
func (c *Client) spawnArea(g *fanout, spool, path, month string, poly []LatLng, depth int, keep func([]byte)) {
	g.spawn(func(ctx context.Context) error {
		r := request{path: path, params: url.Values{"date": {month}, "poly": {encodePoly(poly)}}}
		body, err := c.get(ctx, spool, r)
		if errors.Is(err, errTooMany) {
			maxDepth := orDefault(c.MaxSplitDepth, 6)
			if depth >= maxDepth {
				b := bounds(poly)
				return fmt.Errorf("%s %s: the area %.6f,%.6f–%.6f,%.6f still holds more than 10,000 results after %d cuts into quarters: raise Client.MaxSplitDepth; if every area request fails with 503 the API is down, so run again later",
					path, month, b.minLat, b.minLng, b.maxLat, b.maxLng, depth)
			}
			c.logger().Info("police.uk area holds more than 10,000 results; cutting it into quarters", "endpoint", path, "month", month, "depth", depth+1)
			for _, q := range bounds(poly).quarters() {
				if piece := clip(poly, q); len(piece) >= 3 && area(piece) > minPieceArea {
					c.spawnArea(g, spool, path, month, piece, depth+1, keep)
				}
			}
			return nil
		}
		if err != nil {
			return err
		}
		keep(body)
		return nil
	})
}

// fanout runs tasks that may start more tasks, and cancels them all at the
// first error. Tasks never wait for each other, so a task that starts more
// holds no request slot while they run.
type fanout struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
}

func newFanout(ctx context.Context) *fanout {
	ctx, cancel := context.WithCancelCause(ctx)
	return &fanout{ctx: ctx, cancel: cancel}
}

func (g *fanout) spawn(task func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := task(g.ctx); err != nil {
			g.cancel(err)
		}
	}()
}

// wait waits for every task and returns the first error, or the cause of
// the parent context's end.
func (g *fanout) wait() error {
	g.wg.Wait()
	err := context.Cause(g.ctx)
	g.cancel(nil)
	return err
}

// pieceAnswers gathers the answers of an area's pieces from parallel tasks.
type pieceAnswers struct {
	mu      sync.Mutex
	answers [][]byte
}

func (p *pieceAnswers) keep(b []byte) {
	p.mu.Lock()
	p.answers = append(p.answers, b)
	p.mu.Unlock()
}
