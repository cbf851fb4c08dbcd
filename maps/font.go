package maps

import (
	"fmt"
	"image"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The maps are set in the Go fonts, proportional sans-serif faces that ship
// with golang.org/x/image, so the PNG needs no system font and the layout
// measures the text it draws. The SVG names Go first and falls back to
// Helvetica or Arial, whose widths are close.
const svgFontFamily = "Go, Helvetica, Arial, sans-serif"

var goFonts = sync.OnceValues(func() ([2]*sfnt.Font, error) {
	var out [2]*sfnt.Font
	for i, ttf := range [][]byte{goregular.TTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			return out, fmt.Errorf("maps: the bundled Go font does not parse: %w", err)
		}
		out[i] = f
	}
	return out, nil
})

// A typesetter measures and draws text. Its faces are not safe for
// concurrent use, so each map gets its own.
type typesetter struct {
	fonts [2]*sfnt.Font
	faces map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

func newTypesetter() (*typesetter, error) {
	fs, err := goFonts()
	if err != nil {
		return nil, err
	}
	return &typesetter{fonts: fs, faces: map[faceKey]font.Face{}}, nil
}

func (ts *typesetter) face(size float64, bold bool) font.Face {
	k := faceKey{size, bold}
	if f, ok := ts.faces[k]; ok {
		return f
	}
	f := ts.fonts[0]
	if bold {
		f = ts.fonts[1]
	}
	// NewFace never fails (its error is for future options).
	face, _ := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	ts.faces[k] = face
	return face
}

// width returns the advance of s set at size pixels.
func (ts *typesetter) width(s string, size float64, bold bool) float64 {
	return fixedToFloat(font.MeasureString(ts.face(size, bold), s))
}

// box returns the pixel rectangle a label covers: from its ascent above the
// baseline to its descent below, and its width placed by its anchor.
func (ts *typesetter) box(l *label) rect {
	w := ts.width(l.text, l.size, l.bold)
	x := l.at.x
	if l.anchor == anchorMiddle {
		x -= w / 2
	}
	return rect{point{x, l.at.y - 0.8*l.size}, point{x + w, l.at.y + 0.22*l.size}}
}

// mask returns the coverage of l's text, and where its top left goes.
func (ts *typesetter) mask(l *label) (*image.Alpha, image.Point) {
	face := ts.face(l.size, l.bold)
	b, adv := font.BoundString(face, l.text)
	x := l.at.x
	if l.anchor == anchorMiddle {
		x -= fixedToFloat(adv) / 2
	}
	r := image.Rect(b.Min.X.Floor()-1, b.Min.Y.Floor()-1, b.Max.X.Ceil()+1, b.Max.Y.Ceil()+1)
	if r.Empty() {
		return image.NewAlpha(image.Rectangle{}), image.Point{}
	}
	m := image.NewAlpha(image.Rect(0, 0, r.Dx(), r.Dy()))
	fx, fy := x-math.Floor(x), l.at.y-math.Floor(l.at.y)
	d := font.Drawer{Dst: m, Src: image.Opaque, Face: face,
		Dot: fixed.Point26_6{X: floatToFixed(fx) - fixed.I(r.Min.X), Y: floatToFixed(fy) - fixed.I(r.Min.Y)}}
	d.DrawString(l.text)
	return m, image.Pt(int(math.Floor(x))+r.Min.X, int(math.Floor(l.at.y))+r.Min.Y)
}

func fixedToFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }
func floatToFixed(v float64) fixed.Int26_6 { return fixed.Int26_6(math.Round(v * 64)) }
