package transform

import (
	"bytes"

	"github.com/safercity/safercity/transform/area"
)

func areaLoad(b []byte, code, name string) (*area.Layer, error) {
	return area.Load(bytes.NewReader(b), code, name)
}
