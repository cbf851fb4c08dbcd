package maps

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/paulmach/orb"
)

func decodePNG(t *testing.T, m *Map, width, height int) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := WritePNG(&buf, m, width, height); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	return img
}

func TestWritePNG(t *testing.T) {
	m := testMap()
	img := decodePNG(t, m, 0, 0)
	if got := img.Bounds().Size(); got != (image.Point{DefaultWidth, DefaultHeight}) {
		t.Fatalf("size %v, want %dx%d", got, DefaultWidth, DefaultHeight)
	}
	p, err := layOut(m, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		centre orb.Point
		want   color.NRGBA
	}{
		{"hot spot", orb.Point{529050, 181050}, GiStarLegend().Classes[0].Color},
		{"not significant", orb.Point{529120, 181020}, notSignificantGrey},
		{"hole in not significant cell", orb.Point{529150, 181050}, white},
		{"cold spot", orb.Point{529350, 181025}, GiStarLegend().Classes[6].Color},
	} {
		q := p.toPixel(tc.centre)
		got := color.NRGBAModel.Convert(img.At(int(q.x), int(q.y)))
		if got != tc.want {
			t.Errorf("%s at pixel (%.0f, %.0f): %v, want %v", tc.name, q.x, q.y, got, tc.want)
		}
	}
	// The title is set in dark text somewhere in its first line.
	if !hasColor(img, image.Rect(margin, margin, DefaultWidth/2, margin+titleSize), textColor) {
		t.Error("no title text in the top left")
	}
}

func TestWritePNGSizes(t *testing.T) {
	for _, size := range []image.Point{{1600, 1000}, {2400, 1800}, {800, 600}} {
		img := decodePNG(t, testMap(), size.X, size.Y)
		if got := img.Bounds().Size(); got != size {
			t.Errorf("asked for %v, got %v", size, got)
		}
	}
}

func hasColor(img image.Image, r image.Rectangle, c color.NRGBA) bool {
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.NRGBAModel.Convert(img.At(x, y)) == c {
				return true
			}
		}
	}
	return false
}
