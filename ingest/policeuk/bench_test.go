package policeuk

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkRead parses the bundled sample's street files from memory on one
// core: the Go side of a load, without inflating or storing. It reports
// the rows parsed per second and nanoseconds per row.
func BenchmarkRead(b *testing.B) {
	paths, err := filepath.Glob("../../data/police-uk/*/*-street.csv")
	if err != nil || len(paths) == 0 {
		b.Fatalf("no sample street files: %v", err)
	}
	type file struct {
		p    Partition
		body []byte
	}
	var files []file
	var size int64
	for _, path := range paths {
		body, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		p, err := ParsePartition(path)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, file{p, body})
		size += int64(len(body))
	}
	b.SetBytes(size)
	b.ResetTimer()
	var rows int64
	for range b.N {
		for _, f := range files {
			got, err := Read(sized{bytes.NewReader(f.body)}, f.p, 1, memory.DefaultAllocator)
			if err != nil {
				b.Fatal(err)
			}
			rows += got.Record.NumRows()
			got.Release()
		}
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
}

// sized gives a file's length, as a load's readers do, so that Read
// presizes its buffers as in a load.
type sized struct{ *bytes.Reader }

func (s sized) Size() int64 { return s.Reader.Size() }
