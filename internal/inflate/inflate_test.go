//go:build libdeflate

package inflate

import (
	"bytes"
	"errors"
	"os"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

func deflate(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := kflate.NewWriter(&buf, kflate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// TestDecompressMatchesStreaming inflates a real police.uk file as the
// streaming inflater does, and refuses a wrong size or damaged data.
func TestDecompressMatchesStreaming(t *testing.T) {
	body, err := os.ReadFile("../../data/police-uk/2020-07/2020-07-city-of-london-street.csv")
	if err != nil {
		t.Fatal(err)
	}
	raw := deflate(t, body)
	out := make([]byte, len(body))
	if err := Decompress(raw, out); err != nil || !bytes.Equal(out, body) {
		t.Fatalf("inflated %d bytes differ from the file (%v)", len(out), err)
	}
	for _, n := range []int{len(body) - 1, len(body) + 1} {
		if err := Decompress(raw, make([]byte, n)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("into %d bytes of a %d-byte file: %v, want ErrCorrupt", n, len(body), err)
		}
	}
	bad := bytes.Clone(raw)
	bad[len(bad)/2] ^= 0xff
	if err := Decompress(bad, out); err == nil && bytes.Equal(out, body) {
		t.Error("damaged data inflated to the file")
	}
	if err := Decompress(raw[:len(raw)/2], out); !errors.Is(err, ErrCorrupt) {
		t.Errorf("half the data: %v, want ErrCorrupt", err)
	}
}
