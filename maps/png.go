package maps

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/vector"
)

// WritePNG writes a map of m as a PNG image width by height pixels
// (DefaultWidth by DefaultHeight when zero), laid out as WriteSVG lays out
// the same map: title, profile and month, cells filled by class over the
// boundaries, legend, scale bar, north arrow and attribution. Pages at least
// twice the default size in both directions scale text and lines up by a
// whole factor, for print.
//
// Text is set in the Go fonts, proportional faces bundled with
// golang.org/x/image, so the PNG looks the same on every machine.
func WritePNG(w io.Writer, m *Map, width, height int) error {
	p, err := layOut(m, width, height)
	if err != nil {
		return err
	}
	img := image.NewRGBA(image.Rect(0, 0, p.width, p.height))
	draw.Draw(img, img.Bounds(), image.NewUniform(white), image.Point{}, draw.Src)
	var z vector.Rasterizer
	for _, mk := range p.marks {
		switch mk := mk.(type) {
		case *shape:
			if mk.closed && mk.fill.A != 0 {
				fillPaths(img, &z, mk.paths, mk.fill)
			}
			if mk.stroke.A != 0 {
				fillPaths(img, &z, strokeOutline(mk.paths, mk.closed, mk.strokeWidth), mk.stroke)
			}
		case *label:
			drawLabel(img, p.ts, mk)
		}
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("maps: writing PNG: %w", err)
	}
	return nil
}

// fillPaths fills closed paths in c, anti-aliased. The rasteriser covers only
// the paths' bounding box, because clearing a whole page for each of
// thousands of cells would dominate the run time.
func fillPaths(dst *image.RGBA, z *vector.Rasterizer, paths [][]point, c color.NRGBA) {
	r := pixelBounds(paths).Intersect(dst.Bounds())
	if r.Empty() {
		return
	}
	z.Reset(r.Dx(), r.Dy())
	ox, oy := float32(r.Min.X), float32(r.Min.Y)
	for _, path := range paths {
		if len(path) < 2 {
			continue
		}
		z.MoveTo(float32(path[0].x)-ox, float32(path[0].y)-oy)
		for _, q := range path[1:] {
			z.LineTo(float32(q.x)-ox, float32(q.y)-oy)
		}
		z.ClosePath()
	}
	z.Draw(dst, r, image.NewUniform(c), image.Point{})
}

func pixelBounds(paths [][]point) image.Rectangle {
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, path := range paths {
		for _, q := range path {
			minX, minY = math.Min(minX, q.x), math.Min(minY, q.y)
			maxX, maxY = math.Max(maxX, q.x), math.Max(maxY, q.y)
		}
	}
	if minX > maxX {
		return image.Rectangle{}
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
}

// strokeOutline returns the outline of lines of the given width along paths
// as one rectangle per segment, extended by half the width at both ends so
// that corners are filled. The rectangles all wind the same way, so where
// they overlap the rasteriser's coverage saturates rather than cancels.
func strokeOutline(paths [][]point, closed bool, width float64) [][]point {
	var out [][]point
	hw := width / 2
	segment := func(a, b point) {
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			return
		}
		ux, uy := dx/l*hw, dy/l*hw // along the segment
		nx, ny := -uy, ux          // across it
		a = point{a.x - ux, a.y - uy}
		b = point{b.x + ux, b.y + uy}
		out = append(out, []point{{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}})
	}
	for _, path := range paths {
		for i := 1; i < len(path); i++ {
			segment(path[i-1], path[i])
		}
		if closed && len(path) > 2 {
			segment(path[len(path)-1], path[0])
		}
	}
	return out
}

// drawLabel sets l in its Go font face, with a white halo when asked.
func drawLabel(dst *image.RGBA, ts *typesetter, l *label) {
	mask, at := ts.mask(l)
	r := mask.Rect.Add(at)
	if l.halo {
		d := max(1, int(math.Round(l.size/10)))
		for _, off := range []image.Point{{-d, -d}, {0, -d}, {d, -d}, {-d, 0}, {d, 0}, {-d, d}, {0, d}, {d, d}} {
			draw.DrawMask(dst, r.Add(off), image.NewUniform(white), image.Point{}, mask, image.Point{}, draw.Over)
		}
	}
	draw.DrawMask(dst, r, image.NewUniform(l.color), image.Point{}, mask, image.Point{}, draw.Over)
}
