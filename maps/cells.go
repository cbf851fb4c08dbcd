package maps

import (
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// minCellPixels is the smallest side a cell is drawn at; smaller cells are
// merged into display blocks, which a reader can see and a printer can
// render.
const minCellPixels = 2

// outlinePixels is the smallest side at which a cell gets a white outline,
// which on smaller cells would wash out their colour.
const outlinePixels = 8

// addCells draws the features, merging square cells into blocks when a cell
// would be under minCellPixels wide, and returns a note saying so.
func (p *page) addCells(d *drawing) []string {
	size := d.m.CellSize
	if size > 0 && size/p.metresPerPixel < minCellPixels {
		return []string{p.addBlocks(d)}
	}
	px := math.Inf(1)
	if size > 0 {
		px = size / p.metresPerPixel
	}
	for i, mp := range d.cells {
		if d.far[i] {
			continue // off the map, and counted in a note
		}
		s := &shape{group: "cells", closed: true, fill: d.m.Legend.Classes[d.classes[i]].Color,
			tooltip: cellTooltip(&d.m.Features[i])}
		for _, poly := range mp {
			for _, r := range poly {
				s.paths = append(s.paths, p.pixelPath(r))
			}
		}
		if px >= outlinePixels {
			s.stroke, s.strokeWidth = white, 0.5*p.u
		} else if size > 0 && len(s.paths) == 1 && len(s.paths[0]) == 5 {
			s.paths[0] = seamless(s.paths[0]) // a square cell
		}
		p.add(s)
	}
	return nil
}

// blockFactor returns the number of cells along a display block's side: the
// smallest of 2, 5, 10, 20, 50, … that makes a block at least minCellPixels
// wide, so that blocks are round lengths (100 m cells: 200 m, 500 m, 1 km …).
func blockFactor(cellPixels float64) int {
	for decade := 1; ; decade *= 10 {
		for _, k := range []int{2, 5, 10} {
			if float64(k*decade)*cellPixels >= minCellPixels {
				return k * decade
			}
		}
	}
}

// addBlocks draws the cells merged into square blocks of k by k cells, each
// in the colour of its highest-ranked cell, so that a hot spot never
// disappears into its surroundings at a small scale.
func (p *page) addBlocks(d *drawing) string {
	size := d.m.CellSize
	k := blockFactor(size / p.metresPerPixel)
	side := float64(k) * size
	type block struct{ x, y int64 }
	best := map[block]int{}
	var order []block
	classes := d.m.Legend.Classes
	for i, mp := range d.cells {
		if d.far[i] {
			continue
		}
		c := mp.Bound().Center()
		b := block{int64(math.Floor(c[0] / side)), int64(math.Floor(c[1] / side))}
		cur, seen := best[b]
		if !seen {
			order = append(order, b)
			best[b] = d.classes[i]
		} else if classes[d.classes[i]].Rank > classes[cur].Rank {
			best[b] = d.classes[i]
		}
	}
	for _, b := range order {
		x, y := float64(b.x)*side, float64(b.y)*side
		r := orb.Ring{{x, y}, {x + side, y}, {x + side, y + side}, {x, y + side}}
		p.add(&shape{group: "cells", closed: true, fill: classes[best[b]].Color, paths: [][]point{seamless(p.pixelPath(r))}})
	}
	return fmt.Sprintf("Each square shows %d × %d cells (%s) in the colour of its highest-ranked cell: %s cells would be under %d px; the legend counts cells.",
		k, k, scaleLabel(side), scaleLabel(size), minCellPixels)
}

// seamless grows a square's pixel outline by a quarter pixel on each side,
// so that anti-aliasing leaves no pale seam between neighbouring squares.
func seamless(sq []point) []point {
	lo, hi := sq[0], sq[0]
	for _, q := range sq {
		lo = point{math.Min(lo.x, q.x), math.Min(lo.y, q.y)}
		hi = point{math.Max(hi.x, q.x), math.Max(hi.y, q.y)}
	}
	const d = 0.25
	return rect{point{lo.x - d, lo.y - d}, point{hi.x + d, hi.y + d}}.ring()
}
