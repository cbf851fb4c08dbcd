package hotspots

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/safercity/safercity/hotspots/spatstat"
)

// minTrendMonths is the shortest series classified into emerging hot spot
// categories; ArcGIS recommends ten or more time steps.
const minTrendMonths = 6

// Options tune one hotspot run. Zero values take the documented defaults.
type Options struct {
	Profile   Profile
	Month     time.Time
	Force     string  // one force; "" for each force with the profile's crime that month
	CellSize  float64 // metres; default 100
	Band      float64 // Gi* distance band, metres; default spatstat.ChooseBand on the study area
	Bandwidth float64 // KDE bandwidth, metres; default spatstat.DefaultBandwidth
	Window    int     // months of emerging hot spot analysis; default 12
	Alpha     float64 // significance after FDR; default 0.05
	TopShare  float64 // share of study-area cells in the KDE hotspot set; default 0.05
	Inputs    int     // months before t that back-test hotspot sets are built from; default 3
	// TimeStep is the neighbourhood time step of the space-time Gi* of
	// emerging hot spot analysis (ArcGIS's default 1); SpatialOnly runs
	// each month's Gi* alone instead.
	TimeStep    int
	SpatialOnly bool
	// LisaPermutations, when above 0, judges Local Moran's I by that many
	// conditional permutations per cell (seeded by the month, so a rerun
	// gives the same answer) instead of its analytic z.
	LisaPermutations int
	// Boundaries names, per force, a boundary layer whose cells (centre
	// inside) make the study area instead of the crime footprint.
	Boundaries map[string]string
	// Shared, when set, lets runs of several profiles reuse each force's
	// study area (see Shared).
	Shared *Shared
}

// DefaultWindow is the emerging hot spot window, in months, when Options
// leaves it 0.
const DefaultWindow = 12

// windowFrom is the first month of the emerging window that ends at the
// month.
func (o Options) windowFrom() time.Time { return o.Month.AddDate(0, -(o.Window - 1), 0) }

func (o *Options) defaults() {
	if o.CellSize == 0 {
		o.CellSize = 100
	}
	if o.Window == 0 {
		o.Window = DefaultWindow
	}
	if o.Alpha == 0 {
		o.Alpha = spatstat.DefaultAlpha
	}
	if o.TopShare == 0 {
		o.TopShare = 0.05
	}
	if o.Inputs == 0 {
		o.Inputs = 3
	}
	if o.TimeStep == 0 {
		o.TimeStep = 1
	}
}

// emerging names the emerging hot spot variant the options run.
func (o Options) emerging() (name string, step int) {
	if o.SpatialOnly {
		return "spatial", 0
	}
	return "space-time", o.TimeStep
}

// Result is a stored run with what a problem profile shows.
type Result struct {
	Profile    string  `json:"profile"`
	Force      string  `json:"force"`
	Month      string  `json:"month"`
	Measure    string  `json:"measure"`
	CellSize   float64 `json:"cell_size"`
	StudyArea  string  `json:"study_area"` // footprint | boundary:<layer>
	Cells      int     `json:"cells"`      // study-area cells, every one analysed and stored
	Band       float64 `json:"band"`
	BandMethod string  `json:"band_method"` // peak | knn | given
	// BandK is the neighbour count of the knn band; BandCapped says it was
	// cut to one standard distance.
	BandK      int            `json:"band_k,omitempty"`
	BandCapped bool           `json:"band_capped,omitempty"`
	Isolated   int            `json:"isolated_cells"` // cells with no other cell within the band
	Bandwidth  float64        `json:"bandwidth"`
	Window     int            `json:"window"`
	Emerging   string         `json:"emerging"`            // space-time | spatial
	TimeStep   int            `json:"time_step,omitempty"` // of the space-time Gi*
	Crimes     int64          `json:"crimes"`
	Incidents  int64          `json:"incidents"` // partner incidents in the night windows, in the study area
	Outside    int64          `json:"outside"`   // crimes and incidents of the month outside the study area
	Total      float64        `json:"measure_total"`
	HotCells   int            `json:"hot_cells"` // Gi* hot at 95% or more after FDR
	Top        []TopCell      `json:"top"`
	Backtest   []Accuracy     `json:"backtest"`
	Trends     map[string]int `json:"trends"` // emerging categories and their cell counts
	Lisa       *LisaSummary   `json:"lisa"`   // null when Local Moran's I is undefined (see the notes)
	// Concentration is null when the month has partner incidents only.
	Concentration *Concentration `json:"concentration"`
	// Forecast is null when too few months are loaded (see the notes).
	Forecast *Forecast `json:"forecast"`
	// Rates are the crime rates per LSOA and district of the force (null
	// when the bundled geography gives it no district; see the notes).
	Rates []AreaRates `json:"rates"`
	// Changes compare the month with the same month last year and the
	// three months before, per LSOA and district.
	Changes []AreaChanges `json:"changes"`
	// NearRepeat is the Knox test of the window's partner incidents; null
	// without two of them (see the notes).
	NearRepeat *NearRepeat `json:"near_repeat"`
	NoTrend    int         `json:"cells_without_crime_in_window"`
	Notes      []string    `json:"notes,omitempty"`
}

// LisaSummary counts the study-area cells whose Local Moran's I is
// significant after FDR, by quadrant, and lists the high-crime outliers.
type LisaSummary struct {
	Permutations int `json:"permutations"` // 0: analytic z (conditional moments)
	HH           int `json:"hh"`
	LL           int `json:"ll"`
	HL           int `json:"hl"`
	LH           int `json:"lh"`
	// Outliers are the significant HL cells — high among low, the cell a
	// licensing officer looks for — with the most crime first.
	Outliers []TopCell `json:"hl_cells"`
}

// TopCell is one line of a problem profile.
type TopCell struct {
	GridRef   string  `json:"grid_ref"`
	CellX     int64   `json:"cell_x"`
	CellY     int64   `json:"cell_y"`
	Location  string  `json:"location"`
	Crimes    int     `json:"crimes"`
	Incidents int     `json:"incidents"`
	Share     float64 `json:"share"` // of the profile's crime in the month
	Measure   float64 `json:"measure"`
	Z         Float   `json:"z"` // null when the month's values do not vary (see the run's notes)
	Bin       int8    `json:"bin"`
	Trend     string  `json:"trend"`
	LisaZ     Float   `json:"lisa_z"`
	LisaPFDR  Float   `json:"lisa_p_fdr"`
}

// Accuracy is a back-test of one hotspot set for one month.
type Accuracy struct {
	Profile string `json:"profile"`
	Force   string `json:"force"`
	Month   string `json:"month"`
	Method  string `json:"method"` // kde | gistar | forecast (next month's forecast made from the months before)
	// Set says how the method's cells were chosen: "top 1%" and "top 5%"
	// of the study area's cells (equal area, comparable across methods and
	// forces), "top N%" for the configured KDE share, "hot 95%" for Gi*
	// cells hot at 95% or more after FDR.
	Set       string  `json:"set"`
	Inputs    int     `json:"input_months"`
	Cells     int     `json:"cells"`
	AreaShare float64 `json:"area_share"` // of the study area
	Hits      float64 `json:"hits"`
	Total     float64 `json:"total"`
	HitRate   Float   `json:"hit_rate"`
	PAI       Float   `json:"pai"`
	RRI       Float   `json:"rri"`
	// Undefined says why a null index has no value.
	Undefined map[string]string `json:"undefined,omitempty"`
}

// Float is a number that is written to JSON as null when it is NaN or
// infinite, which encoding/json refuses; the record carrying it says why.
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler: null reads back as NaN.
func (f *Float) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = Float(math.NaN())
		return nil
	}
	var v float64
	err := json.Unmarshal(b, &v)
	*f = Float(v)
	return err
}
