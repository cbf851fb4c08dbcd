package maps

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strings"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/inconsolata"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// WritePNG writes a map of m as a PNG image width by height pixels
// (DefaultWidth by DefaultHeight when zero), laid out as WriteSVG lays out
// the same map: title, profile and month, cells filled by class over the
// boundaries, legend, scale bar, north arrow and attribution. Pages at least
// twice the default size in both directions scale text and lines up by a
// whole factor, for print.
//
// Text is set in Inconsolata, a bitmap font in golang.org/x/image that covers
// Latin-1; other characters are left out, except dashes, which become
// hyphens.
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
			drawLabel(img, mk)
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

// pngDashes maps the dashes titles often contain, which Inconsolata's bitmap
// faces lack, to hyphens.
var pngDashes = strings.NewReplacer("\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-")

// drawLabel sets l in Inconsolata at 16 px, enlarged by a whole factor for
// bigger sizes.
func drawLabel(dst *image.RGBA, l *label) {
	face := inconsolata.Regular8x16
	if l.bold {
		face = inconsolata.Bold8x16
	}
	mask := textMask(face, pngDashes.Replace(l.text))
	if k := int(math.Round(l.size / textSize)); k > 1 {
		big := image.NewAlpha(image.Rect(0, 0, mask.Rect.Dx()*k, mask.Rect.Dy()*k))
		xdraw.CatmullRom.Scale(big, big.Rect, mask, mask.Rect, xdraw.Src, nil)
		mask = big
	}
	scale := float64(mask.Rect.Dy()) / float64(face.Ascent+face.Descent)
	x := int(math.Round(l.at.x))
	if l.anchor == anchorMiddle {
		x -= mask.Rect.Dx() / 2
	}
	y := int(math.Round(l.at.y - float64(face.Ascent)*scale))
	r := image.Rect(x, y, x+mask.Rect.Dx(), y+mask.Rect.Dy())
	if l.halo {
		d := max(1, int(math.Round(scale)))
		for _, off := range []image.Point{{-d, -d}, {0, -d}, {d, -d}, {-d, 0}, {d, 0}, {-d, d}, {0, d}, {d, d}} {
			draw.DrawMask(dst, r.Add(off), image.NewUniform(white), image.Point{}, mask, image.Point{}, draw.Over)
		}
	}
	draw.DrawMask(dst, r, image.NewUniform(l.color), image.Point{}, mask, image.Point{}, draw.Over)
}

// textMask returns the coverage of s set in face, with the baseline at the
// face's ascent.
func textMask(face *basicfont.Face, s string) *image.Alpha {
	d := font.Drawer{Face: face, Src: image.Opaque}
	width := d.MeasureString(s).Ceil() + face.Width - face.Advance
	mask := image.NewAlpha(image.Rect(0, 0, max(width, 1), face.Ascent+face.Descent))
	d.Dst = mask
	d.Dot = fixed.P(0, face.Ascent)
	d.DrawString(s)
	return mask
}
