// Command gen writes the sample partner feeds in data/feeds: the REAL ONS
// population rows (copied line for line from ../shared) and the
// ILLUSTRATIVE premises, incident logs, workday population and city
// indicators, constructed here from a fixed seed so that running it again
// writes the same bytes.
//
// The illustrative rows are placed at real City of London street locations:
// the "On or near …" points of the bundled police.uk street files. Nothing
// else in them is real: premises, names, times and values are invented.
//
// `go generate ./...` runs it (see data/generate.go); gen_test.go fails when
// the committed feeds differ from what it writes. By hand, from the
// repository root:
//
//	go run ./data/feeds/gen
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/safercity/safercity/bng"
)

func main() {
	out := flag.String("out", "data/feeds", "folder to write the feeds to")
	police := flag.String("police", "data/police-uk", "bundled police.uk folder, for real street locations")
	shared := flag.String("shared", sharedDefault(), "the shared data folder, for the real ONS population file (skipped when absent)")
	flag.Parse()
	generate(*out, *police, *shared)
}

// generate writes every sample feed under out; shared is the shared data
// folder holding the real ONS file (its subset is skipped when absent).
func generate(out, police, shared string) {
	places, points := streetPlaces(police)
	rng := rand.New(rand.NewPCG(2019, 12))
	prem := premises(rng, places)
	write(filepath.Join(out, "premises/col-premises-ILLUSTRATIVE.geojson"), premisesGeoJSON(prem[:28]))
	write(filepath.Join(out, "premises/col-premises-legacy-ILLUSTRATIVE-cp1252.csv"), premisesLegacyCSV(prem[28:]))
	g := &incidentGen{rng: rng, prem: prem, points: points}
	write(filepath.Join(out, "incidents/col-cad-ILLUSTRATIVE.csv"), g.cad(1392))
	write(filepath.Join(out, "incidents/ambulance-assaults-ILLUSTRATIVE.json"), g.ambulance(400))
	for month, b := range g.asb(200) {
		write(filepath.Join(out, "incidents/asb-inbox/asb-cases-ILLUSTRATIVE-"+month+".csv"), b)
	}
	write(filepath.Join(out, "indicators/resilience-indicators-ILLUSTRATIVE.csv"), indicators(rng))
	write(filepath.Join(out, "population/workday-population-2019-ILLUSTRATIVE.json"), workday())
	ons := filepath.Join(shared, "data/partner/population/ons-mid-2019-lsoa-population-england-wales.csv")
	if b, err := os.ReadFile(ons); err == nil {
		write(filepath.Join(out, "population/ons-mid-2019-lsoa-population-col-leics.csv"), onsSubset(b))
	} else {
		log.Printf("not rewriting the ONS population subset: %v", err)
	}
}

func sharedDefault() string {
	if d := os.Getenv("SAFERCITY_SHARED"); d != "" {
		return d
	}
	return "../shared"
}

func write(path string, b []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d bytes)", path, len(b))
}

// place is a real street location from the police.uk street files.
type place struct {
	street   string
	lon, lat float64
	n        int
}

var cityLSOAs = []string{"E01000001", "E01000002", "E01000003", "E01000005", "E01032739", "E01032740"}

// Place types police.uk uses instead of street names; premises are put on
// streets.
var placeTypes = regexp.MustCompile(`/|^(Supermarket|Parking Area|Police Station|Pedestrian Subway|Shopping Area|Hospital|Nightclub|Ferry Terminal|Blackfriars Underpass|[AB]\d+)$`)

// streetPlaces returns the City of London streets of the bundled street
// files, most often recorded first, each at its most often recorded point,
// and every located City point.
func streetPlaces(dir string) ([]place, [][2]float64) {
	files, _ := filepath.Glob(filepath.Join(dir, "*/*-city-of-london-street.csv")) // the pattern is well formed, Glob's only error
	sort.Strings(files)
	if len(files) == 0 {
		log.Fatalf("no City of London street files in %s; run from the repository root", dir)
	}
	type key struct {
		street   string
		lon, lat float64
	}
	counts := map[key]int{}
	var points [][2]float64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			log.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			log.Fatalf("%s: %v", f, err)
		}
		for i, r := range rows[1:] {
			if !slices.Contains(cityLSOAs, r[7]) || r[4] == "" {
				continue
			}
			var lon, lat float64
			if _, err := fmt.Sscan(r[4], &lon); err != nil {
				log.Fatalf("%s:%d: longitude %q: %v", f, i+2, r[4], err)
			}
			if _, err := fmt.Sscan(r[5], &lat); err != nil {
				log.Fatalf("%s:%d: latitude %q: %v", f, i+2, r[5], err)
			}
			points = append(points, [2]float64{lon, lat})
			street, ok := strings.CutPrefix(r[6], "On or near ")
			if !ok || placeTypes.MatchString(street) {
				continue
			}
			counts[key{strings.ReplaceAll(street, "'S ", "'s "), lon, lat}]++
		}
	}
	best := map[string]place{}
	total := map[string]int{}
	for k, n := range counts {
		total[k.street] += n
		b, ok := best[k.street]
		if !ok || n > b.n || n == b.n && (k.lon < b.lon || k.lon == b.lon && k.lat < b.lat) {
			best[k.street] = place{k.street, k.lon, k.lat, n}
		}
	}
	var places []place
	for s, p := range best {
		p.n = total[s]
		places = append(places, p)
	}
	sort.Slice(places, func(i, j int) bool {
		if places[i].n != places[j].n {
			return places[i].n > places[j].n
		}
		return places[i].street < places[j].street
	})
	return places, points
}

// premise is one invented licensed premises.
type premise struct {
	id, name, licence, holder string
	number                    int
	place                     place
	close                     [7]string // Mon … Sun, HH:MM or closed
	weight                    float64   // share of night-time incidents near it
}

var (
	premisesNames = []string{
		"The Lamplighter", "The Wren and Quill", "Copper Beech Bar", "The Cordwainer", "Night Owl Club",
		"The Gilded Lantern", "Bell Yard Tavern", "The Counting House Bar", "Ledger and Last", "The Silver Kettle",
		"Cellar Forty", "The Mercer's Rest", "Vault Nine", "The Tallow Chandler", "Midnight Kitchen",
		"The Drapers' Arms", "Blue Moon Lounge", "The Watchman", "Noodle Lane", "The Old Weighhouse",
		"Pepper and Salt", "The Fishmonger's Bell", "Lantern Club", "The Quayside", "Twelve Bells",
		"The Scrivener", "Ember Grill", "The Pewter Pot", "Late Larder", "The Exchange Cellars",
		"Le Petit Café Noir", "St Mary’s Wine Bar", "The Crown & Sceptre", "Café Équinoxe", "The Bishop’s Mitre",
		"Pâtisserie de Nuit", "The Guildhall Tap", "Moorgate Social", "Club Soirée", "The Tower Royal Inn",
	}
	firstNames = []string{"Imogen", "Tobias", "Priya", "Declan", "Hannah", "Marcus", "Yasmin", "Oliver", "Chloe", "Rhys"}
	surnames   = []string{"Ashdown", "Beckwith", "Carraway", "Delacourt", "Ellery", "Fairweather", "Galloway", "Hartwell", "Ingleby", "Jessop"}
	// licence types as the register writes them; feeds.yaml maps them
	licences = []string{"PUB - Public house", "BAR - Bar", "NC - Nightclub", "LNR - Late night refreshment", "REST - Restaurant"}
)

func premises(rng *rand.Rand, places []place) []premise {
	if len(places) < len(premisesNames) {
		log.Fatalf("only %d streets found", len(places))
	}
	var ps []premise
	for i, name := range premisesNames {
		lic := licences[pick(rng, []float64{0.3, 0.25, 0.12, 0.18, 0.15})]
		switch {
		case strings.Contains(name, "Club"):
			lic = licences[2]
		case strings.Contains(name, "Kitchen"), strings.Contains(name, "Larder"), strings.Contains(name, "Noodle"):
			lic = licences[3]
		}
		p := premise{
			id:      fmt.Sprintf("COL/PL/%04d", 101+i*7),
			name:    name,
			licence: lic,
			holder:  firstNames[i%10] + " " + surnames[(i*3+i/10)%10],
			number:  1 + rng.IntN(120),
			place:   places[i],
		}
		p.close, p.weight = hours(rng, lic)
		ps = append(ps, p)
	}
	return ps
}

// hours invents a week of latest closing times for a licence type.
func hours(rng *rand.Rand, lic string) ([7]string, float64) {
	var base [7]string
	weight := 1.0
	switch lic[:3] {
	case "PUB":
		base = [7]string{"23:00", "23:00", "23:00", "23:30", "00:30", "00:30", "22:30"}
	case "BAR":
		base = [7]string{"23:30", "23:30", "00:00", "01:00", "02:00", "02:00", "23:00"}
		weight = 1.5
	case "NC ":
		base = [7]string{"closed", "closed", "closed", "03:00", "04:00", "04:00", "closed"}
		weight = 3
	case "LNR":
		base = [7]string{"01:00", "01:00", "01:00", "02:00", "04:00", "04:00", "01:00"}
		weight = 1.2
	default:
		base = [7]string{"23:00", "23:00", "23:00", "23:00", "23:30", "23:30", "22:30"}
		weight = 0.5
	}
	for d := range base {
		if base[d] != "closed" && rng.IntN(4) == 0 {
			t, _ := time.Parse("15:04", base[d])
			base[d] = t.Add(30 * time.Minute).Format("15:04")
		}
	}
	return base, weight
}

func premisesGeoJSON(ps []premise) []byte {
	type feature struct {
		Type     string         `json:"type"`
		Geometry map[string]any `json:"geometry"`
		Props    map[string]any `json:"properties"`
	}
	var fs []feature
	days := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	for _, p := range ps {
		props := map[string]any{
			"licence_ref":    p.id,
			"premises_name":  p.name,
			"address":        fmt.Sprintf("%d %s, London", p.number, p.place.street),
			"licence_type":   p.licence,
			"licence_holder": p.holder,
		}
		for d, t := range p.close {
			props["latest_close_"+days[d]] = t
		}
		fs = append(fs, feature{"Feature", map[string]any{"type": "Point", "coordinates": []float64{p.place.lon, p.place.lat}}, props})
	}
	b, err := json.MarshalIndent(map[string]any{
		"type":        "FeatureCollection",
		"name":        "ILLUSTRATIVE late-licensed premises register (constructed for SaferCity; not a real register)",
		"description": "Invented premises, names and hours at real City of London street locations (police.uk 'On or near' points). licence_holder holds invented personal names that the feed contract does not declare.",
		"features":    fs,
	}, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	return append(b, '\n')
}

// premisesLegacyCSV writes the older licensing system's export: CRLF,
// Windows-1252, British National Grid, closing times as HHMM.
func premisesLegacyCSV(ps []premise) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"Licence No", "Premises", "Address", "Type", "Easting", "Northing", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Premises Licence Holder", "Conditions"})
	for i, p := range ps {
		e, n := bng.ToBNG(p.place.lon, p.place.lat)
		row := []string{p.id, p.name, fmt.Sprintf("%d %s", p.number, p.place.street), p.licence,
			fmt.Sprintf("%.0f", e), fmt.Sprintf("%.0f", n)}
		for _, t := range p.close {
			row = append(row, strings.ReplaceAll(t, ":", ""))
		}
		row = append(row, p.holder, fmt.Sprintf("Annual fee £%d; door supervisors after 22:00", 180+40*i))
		w.Write(row)
	}
	w.Flush()
	return toCP1252(buf.Bytes())
}

func toCP1252(b []byte) []byte {
	repl := map[rune]byte{'€': 0x80, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97}
	var out []byte
	for _, r := range string(b) {
		switch c, ok := repl[r]; {
		case ok:
			out = append(out, c)
		case r < 0x100:
			out = append(out, byte(r))
		default:
			log.Fatalf("%q has no Windows-1252 byte", r)
		}
	}
	return out
}

// incidentGen invents incidents near the premises, weighted to evenings,
// nights and weekends, and to the months before and between lockdowns.
type incidentGen struct {
	rng    *rand.Rand
	prem   []premise
	points [][2]float64
}

var (
	months = []string{"2019-12", "2020-01", "2020-02", "2020-03", "2020-04", "2020-05", "2020-06", "2020-07", "2020-08", "2020-09", "2020-10", "2020-11"}
	// relative activity per month: lockdowns from 23 March and 5 November 2020
	monthWeights = []float64{1.3, 1.0, 1.0, 0.7, 0.3, 0.35, 0.5, 0.75, 0.8, 0.85, 0.75, 0.4}
	// Mon … Sun
	weekdayWeights = []float64{0.7, 0.75, 0.85, 1.2, 1.9, 1.7, 0.8}
	hourWeights    = []float64{
		2.2, 2.0, 1.6, 1.1, 0.5, 0.2, 0.15, 0.2, 0.3, 0.35, 0.4, 0.5,
		0.7, 0.7, 0.6, 0.6, 0.7, 0.9, 1.2, 1.4, 1.7, 2.0, 2.3, 2.4}
	london = func() *time.Location {
		l, err := time.LoadLocation("Europe/London")
		if err != nil {
			log.Fatal(err)
		}
		return l
	}()
)

// when returns a wall-clock London time; never one in the hour skipped when
// the clocks go forward (the CAD log adds one on purpose).
func (g *incidentGen) when() time.Time {
	for {
		m, _ := time.Parse("2006-01", months[pick(g.rng, monthWeights)])
		days := m.AddDate(0, 1, 0).Sub(m).Hours() / 24
		var dw []float64
		for d := 0; d < int(days); d++ {
			dw = append(dw, weekdayWeights[(int(m.AddDate(0, 0, d).Weekday())+6)%7])
		}
		d := m.AddDate(0, 0, pick(g.rng, dw))
		t := time.Date(d.Year(), d.Month(), d.Day(), pick(g.rng, hourWeights), g.rng.IntN(60), 0, 0, time.UTC)
		if _, n := wallClockCount(t); n == 0 {
			continue
		}
		return t
	}
}

func wallClockCount(w time.Time) (time.Time, int) {
	l := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), 0, 0, london)
	if l.Hour() != w.Hour() {
		return l, 0
	}
	return l, 1
}

// where returns a point near a premises (most incidents) or at a real City
// crime location.
func (g *incidentGen) where() (lon, lat float64) {
	if g.rng.IntN(4) == 0 {
		p := g.points[g.rng.IntN(len(g.points))]
		return p[0], p[1]
	}
	var w []float64
	for _, p := range g.prem {
		w = append(w, p.weight)
	}
	p := g.prem[pick(g.rng, w)].place
	dn, de := g.rng.NormFloat64()*45, g.rng.NormFloat64()*45 // metres
	return p.lon + de/(111320*math.Cos(p.lat*math.Pi/180)), p.lat + dn/111320
}

var cadTypes = []struct {
	name   string
	weight float64
	notes  []string
}{
	{"VIOLENCE - ASSAULT", 3, []string{"Male assaulted outside venue", "Punched in queue", "Assault reported by door staff"}},
	{"VIOLENCE - SERIOUS ASSAULT", 0.6, []string{"Male with head injury, LAS on scene", "Glassing reported by staff"}},
	{"DISORDER - FIGHT", 2.2, []string{"Group fighting in street", "Fight spilled out of bar"}},
	{"ASB - ROWDY/NUISANCE", 2.5, []string{"Group shouting and kicking bins", "Rowdy group refusing to leave"}},
	{"DRUNK - CONCERN FOR WELFARE", 1.8, []string{"Female unable to stand", "Male asleep in doorway"}},
	{"THEFT - PICKPOCKET", 1.5, []string{"Phone taken from table", "Wallet taken in crowd"}},
	{"DAMAGE - CRIMINAL", 0.8, []string{"Window smashed", "Bike damaged"}},
	{"SEXUAL OFFENCE", 0.4, []string{"Female reports being touched in bar"}},
	{"WEAPONS - KNIFE", 0.25, []string{"Male seen with knife"}},
	{"DRUGS - POSSESSION", 0.6, []string{"Door staff found wraps"}},
}

type cadRow struct {
	t   time.Time
	row []string
}

// cad writes the police command-and-control extract: date and time in
// separate columns, WGS 84, free-text operator notes; plus rows that the
// contract must set aside or read with care.
func (g *incidentGen) cad(n int) []byte {
	var rows []cadRow
	var w []float64
	for _, c := range cadTypes {
		w = append(w, c.weight)
	}
	for i := 0; i < n; i++ {
		t := g.when()
		c := cadTypes[pick(g.rng, w)]
		lon, lat := g.where()
		rows = append(rows, cadRow{t, []string{"", t.Format("02/01/2006"), t.Format("15:04"), c.name,
			[]string{"I", "S", "E"}[g.rng.IntN(3)], fmt.Sprintf("%.6f", lon), fmt.Sprintf("%.6f", lat), c.notes[g.rng.IntN(len(c.notes))]}})
	}
	special := []cadRow{
		// the hour repeated when the clocks went back: read as BST (00:30 UTC)
		{time.Date(2020, 10, 25, 1, 30, 0, 0, time.UTC), []string{"", "25/10/2020", "01:30", "DISORDER - FIGHT", "I", "-0.093422", "51.513092", "Fight at closing time, clocks went back tonight"}},
		// the hour skipped when the clocks went forward: set aside
		{time.Date(2020, 3, 29, 1, 30, 0, 0, time.UTC), []string{"", "29/03/2020", "01:30", "VIOLENCE - ASSAULT", "I", "-0.079489", "51.516536", "Time keyed in the skipped hour"}},
		{time.Date(2020, 2, 28, 23, 10, 0, 0, time.UTC), []string{"", "31/02/2020", "23:10", "VIOLENCE - ASSAULT", "S", "-0.089812", "51.513521", "Impossible date keyed"}},
		{time.Date(2020, 1, 17, 22, 40, 0, 0, time.UTC), []string{"", "17/01/2020", "22:40", "", "E", "-0.091120", "51.515092", "Call type missing"}},
		{time.Date(2020, 7, 4, 21, 5, 0, 0, time.UTC), []string{"", "04/07/2020", "21:05", "TEST CALL - IGNORE", "E", "-0.084631", "51.512291", "Training call"}},
		{time.Date(2020, 8, 14, 0, 20, 0, 0, time.UTC), []string{"", "14/08/2020", "00:20", "DISORDER - FIGHT", "I", "51.513871", "-0.083110", "Coordinates keyed the wrong way round"}},
		{time.Date(2020, 9, 19, 23, 55, 0, 0, time.UTC), []string{"", "19/09/2020", "25:10", "ASB - ROWDY/NUISANCE", "S", "-0.096621", "51.514012", "Impossible time keyed"}},
		{time.Date(2019, 12, 20, 23, 45, 0, 0, time.UTC), []string{"", "20/12/2019", "23:45", "DRUNK - CONCERN FOR WELFARE", "E", "", "", "Caller could not give a location"}},
	}
	rows = append(rows, special...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t.Before(rows[j].t) })
	var buf bytes.Buffer
	w2 := csv.NewWriter(&buf)
	w2.Write([]string{"CAD Ref", "Date", "Time", "Call Type", "Grade", "Longitude", "Latitude", "Operator Notes"})
	perDay := map[string]int{}
	for _, r := range rows {
		day := r.t.Format("20060102")
		perDay[day]++
		r.row[0] = fmt.Sprintf("CAD-%s-%04d", day, perDay[day])
		w2.Write(r.row)
	}
	w2.Flush()
	// An operator typed an unquoted comma into the notes: one field too many.
	buf.WriteString("CAD-20200606-9001,06/06/2020,22:15,DISORDER - FIGHT,I,-0.087712,51.514409,Two groups, one with bottles\n")
	return buf.Bytes()
}

var ambulanceNatures = []string{"Assault - other", "Assault - head injury", "Assault - stab/cut", "Assault - sexual"}

// ambulance writes the ambulance service's assault call-outs: a JSON array,
// wall-clock ISO times without an offset, British National Grid metres.
func (g *incidentGen) ambulance(n int) []byte {
	type callout struct {
		Number   string `json:"incident_number"`
		At       string `json:"call_datetime"`
		Nature   string `json:"nature"`
		Easting  any    `json:"easting"`
		Northing any    `json:"northing"`
		AgeBand  string `json:"patient_age_band"`
		Notes    string `json:"crew_notes"`
	}
	var cs []callout
	var ts []time.Time
	for i := 0; i < n; i++ {
		t := g.when()
		lon, lat := g.where()
		e, no := bng.ToBNG(lon, lat)
		ts = append(ts, t)
		cs = append(cs, callout{"", t.Format("2006-01-02T15:04:05"), ambulanceNatures[pick(g.rng, []float64{5, 2, 0.5, 0.5})],
			math.Round(e), math.Round(no), []string{"18-24", "25-34", "35-44", "45-54"}[g.rng.IntN(4)], "Conveyed to hospital"})
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return ts[idx[a]].Before(ts[idx[b]]) })
	var sorted []callout
	for k, i := range idx {
		c := cs[i]
		c.Number = fmt.Sprintf("AMB-%s-%05d", ts[i].Format("0601"), 10000+k*7)
		sorted = append(sorted, c)
	}
	// two the contract must set aside
	sorted[57].At = "2020-13-01T00:00:00"
	sorted[211].Easting = "unknown"
	var buf bytes.Buffer
	buf.WriteString("[\n")
	for i, c := range sorted {
		b, _ := json.Marshal(c)
		buf.WriteString("  ")
		buf.Write(b)
		if i < len(sorted)-1 {
			buf.WriteString(",")
		}
		buf.WriteString("\n")
	}
	buf.WriteString("]\n")
	return buf.Bytes()
}

var asbCategories = []string{"Noise - amplified music", "Rowdy or inconsiderate behaviour", "Street drinking", "Urinating in public", "Littering - food waste"}

// asb writes the ASB case system's monthly exports for the inbox folder,
// with complainants' names that the contract does not declare.
func (g *incidentGen) asb(n int) map[string][]byte {
	byMonth := map[string][][]string{}
	var when []time.Time
	for i := 0; i < n; i++ {
		when = append(when, g.when())
	}
	sort.Slice(when, func(i, j int) bool { return when[i].Before(when[j]) })
	for i, t := range when {
		lon, lat := g.where()
		m := t.Format("2006-01")
		byMonth[m] = append(byMonth[m], []string{fmt.Sprintf("ASB%06d", 200000+i*3), t.Format("2006-01-02 15:04"),
			asbCategories[pick(g.rng, []float64{3, 3, 1.5, 1.5, 1})], fmt.Sprintf("%.5f", lon), fmt.Sprintf("%.5f", lat),
			firstNames[g.rng.IntN(10)] + " " + surnames[g.rng.IntN(10)], "Resident reports ongoing problem; asks for a call back"})
	}
	out := map[string][]byte{}
	for _, m := range months {
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"Case ID", "Reported", "Category", "Longitude", "Latitude", "Complainant", "Description"})
		w.WriteAll(byMonth[m])
		out[m] = buf.Bytes()
	}
	return out
}

// units are the index's units; workday populations are ILLUSTRATIVE orders
// of magnitude, not ONS figures.
var units = []struct {
	name, code string
	workday    int
	kind       string // london-central, london, city, county
}{
	{"City of London", "E09000001", 512000, "city"},
	{"Westminster", "E09000033", 1010000, "london-central"},
	{"Camden", "E09000007", 402000, "london-central"},
	{"Tower Hamlets", "E09000030", 395000, "london"},
	{"Islington", "E09000019", 288000, "london"},
	{"Hackney", "E09000012", 247000, "london"},
	{"Southwark", "E09000028", 334000, "london"},
	{"Leicester", "E06000016", 331000, "county"},
	{"Blaby", "E07000129", 99000, "county"},
	{"Charnwood", "E07000130", 151000, "county"},
	{"Harborough", "E07000131", 84000, "county"},
	{"Hinckley and Bosworth", "E07000132", 98000, "county"},
	{"Melton", "E07000133", 46000, "county"},
	{"North West Leicestershire", "E07000134", 106000, "county"},
	{"Oadby and Wigston", "E07000135", 44000, "county"},
	{"Rutland", "E06000017", 37000, "county"},
}

func workday() []byte {
	var buf bytes.Buffer
	buf.WriteString("[\n")
	rows := []string{}
	for _, u := range units {
		rows = append(rows, fmt.Sprintf(`  {"code": %q, "name": %q, "geography": "LAD", "year": 2019, "workday_population": %d}`, u.code, u.name, u.workday))
	}
	// The City's workday population by LSOA: most of it in the office core.
	for i, share := range []float64{0.05, 0.04, 0.05, 0.16, 0.52, 0.18} {
		rows = append(rows, fmt.Sprintf(`  {"code": %q, "name": "City of London 001%c", "geography": "LSOA", "year": 2019, "workday_population": "%s"}`,
			cityLSOAs[i], "ABCEFG"[i], thousands(int(share*512000))))
	}
	buf.WriteString(strings.Join(rows, ",\n"))
	buf.WriteString("\n]\n")
	return buf.Bytes()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// indicators writes monthly city indicators in long form, as a partnership
// dashboard exports them, with the measures' long names.
func indicators(rng *rand.Rand) []byte {
	type measure struct {
		name  string
		value func(u int, kind string, m int) float64
	}
	covid := func(m int) bool { return m >= 4 } // from 2020-04
	base := make([]float64, len(units)*4)
	for i := range base {
		base[i] = 0.8 + 0.4*rng.Float64()
	}
	ms := []measure{
		{"Cyber incidents reported per 1,000 businesses", func(u int, kind string, m int) float64 {
			v := map[string]float64{"city": 9, "london-central": 7.5, "london": 5.5, "county": 3.8}[kind] * base[u*4]
			if covid(m) {
				v *= 1.35
			}
			return v * (0.9 + 0.2*rng.Float64())
		}},
		{"Businesses certified to Cyber Essentials (%)", func(u int, kind string, m int) float64 {
			v := map[string]float64{"city": 41, "london-central": 33, "london": 26, "county": 19}[kind] * base[u*4+1]
			return math.Min(95, v+0.4*float64(m)+rng.Float64())
		}},
		{"Businesses with a tested continuity plan (%)", func(u int, kind string, m int) float64 {
			v := map[string]float64{"city": 72, "london-central": 61, "london": 52, "county": 47}[kind] * base[u*4+2]
			if covid(m) {
				v += 8
			}
			return math.Min(98, v+rng.Float64()*2)
		}},
		{"Ambulance assault call-outs per 1,000 workday population", func(u int, kind string, m int) float64 {
			v := map[string]float64{"city": 0.09, "london-central": 0.21, "london": 0.33, "county": 0.24}[kind] * base[u*4+3]
			return v * monthWeights[m] * (0.85 + 0.3*rng.Float64())
		}},
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Area", "Month", "Measure", "Value"})
	for m, month := range months {
		for ui, u := range units {
			for _, me := range ms {
				w.Write([]string{u.name, month, me.name, fmt.Sprintf("%.2f", me.value(ui, u.kind, m))})
			}
		}
	}
	// A value the dashboard could not compute, and a measure the contract
	// does not declare: both set aside.
	w.Write([]string{"Rutland", "2020-11", "Ambulance assault call-outs per 1,000 workday population", "n/a"})
	w.Write([]string{"City of London", "2020-11", "Footfall index (2019 = 100)", "38.50"})
	w.Flush()
	return buf.Bytes()
}

// onsSubset keeps the header and the City of London and Leicestershire
// (Leicester, Leicestershire's districts and Rutland) rows of the ONS file,
// byte for byte: BOM, CRLF and quoted thousands included.
func onsSubset(b []byte) []byte {
	keep := []string{"E09000001", "E06000016", "E06000017", "E07000129", "E07000130", "E07000131", "E07000132", "E07000133", "E07000134", "E07000135"}
	var out bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Split(splitKeepingEnds)
	first := true
	for sc.Scan() {
		line := sc.Bytes()
		fields := strings.Split(string(line), ",")
		if first || len(fields) > 2 && slices.Contains(keep, fields[2]) {
			out.Write(line)
		}
		first = false
	}
	return out.Bytes()
}

// splitKeepingEnds splits after each LF, keeping the line ending.
func splitKeepingEnds(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// pick returns an index drawn with the given relative weights.
func pick(rng *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}
