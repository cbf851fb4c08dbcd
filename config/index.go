package config

import (
	"github.com/safercity/safercity/index"
	"github.com/safercity/safercity/index/indexstage"
)

// Index is the index section: which units, and the method.
type Index struct {
	Title string `yaml:"title"`
	// UnitSet is districts (default), cities or a YAML file of units.
	UnitSet   string   `yaml:"unit_set"`
	Units     []string `yaml:"units"`
	MinCrimes int      `yaml:"min_crimes"`
	// Normalisation is minmax (default), zscore or target; Weights is
	// equal (default) or pca; Aggregation is arithmetic (default) or
	// geometric.
	Normalisation string `yaml:"normalisation"`
	Weights       string `yaml:"weights"`
	Aggregation   string `yaml:"aggregation"`
	Draws         int    `yaml:"draws"`
	Seed          uint64 `yaml:"seed"`
	// ExpertWeights (with weights: expert) weigh indicators within their
	// pillar, and pillars in the overall score, by code.
	ExpertWeights map[string]float64 `yaml:"expert_weights"`
	// Targets are the partnership's targets per indicator code, rated
	// against first and used by normalisation: target.
	Targets map[string]float64 `yaml:"targets"`
	RAG     struct {
		Indicators []string `yaml:"indicators"` // bases in order: target, peer_median, last_year
		Scores     []string `yaml:"scores"`
		Amber      float64  `yaml:"amber_tolerance"`
		Stable     float64  `yaml:"stable_tolerance"`
	} `yaml:"rag"`
}

// UnitSet resolves a unit set (index.unit_set or --units): districts and
// cities as they are, a file relative to the configuration's folder.
func (c *Config) UnitSet(spec string) string {
	if spec == "districts" || spec == "cities" {
		return spec
	}
	return c.Resolve(spec)
}

// IndexConfig is the index section as the index stage takes it.
func (c *Config) IndexConfig() (indexstage.Config, error) {
	ic := c.Index
	m, err := ic.method()
	if err != nil {
		return indexstage.Config{}, err
	}
	rag := index.DefaultRAGRules()
	if rag.Indicators, err = ragBases(ic.RAG.Indicators, rag.Indicators); err != nil {
		return indexstage.Config{}, err
	}
	if rag.Scores, err = ragBases(ic.RAG.Scores, rag.Scores); err != nil {
		return indexstage.Config{}, err
	}
	if ic.RAG.Amber > 0 {
		rag.AmberTolerance = ic.RAG.Amber
	}
	if ic.RAG.Stable > 0 {
		rag.StableTolerance = ic.RAG.Stable
	}
	return indexstage.Config{Title: ic.Title, Method: m, RAG: rag, UnitSet: c.UnitSet(ic.UnitSet), Units: ic.Units, Weights: ic.ExpertWeights,
		Targets: ic.Targets, MinCrimes: ic.MinCrimes}, nil
}

// method is the index's normalisation, weighting, aggregation and
// uncertainty draws.
func (ic Index) method() (index.Method, error) {
	m := index.DefaultMethod()
	switch ic.Normalisation {
	case "", "minmax":
	case "zscore":
		m.Normalisation = index.ZScore
	case "target":
		m.Normalisation = index.DistanceToTarget
	default:
		return m, notOneOf("index.normalisation", ic.Normalisation, "minmax", "zscore", "target")
	}
	switch ic.Weights {
	case "", "equal":
	case "pca":
		m.Weighting = index.PCAWeights
	case "expert":
		m.Weighting, m.PillarWeighting = index.ExpertWeights, index.ExpertWeights
	default:
		return m, notOneOf("index.weights", ic.Weights, "equal", "pca", "expert")
	}
	switch ic.Aggregation {
	case "", "arithmetic":
	case "geometric":
		m.Aggregation = index.Geometric
	default:
		return m, notOneOf("index.aggregation", ic.Aggregation, "arithmetic", "geometric")
	}
	if ic.Draws > 0 {
		m.Uncertainty.Draws = ic.Draws
	}
	if ic.Seed > 0 {
		m.Uncertainty.Seed = ic.Seed
	}
	return m, nil
}

func ragBases(list []string, def []index.Basis) ([]index.Basis, error) {
	if len(list) == 0 {
		return def, nil
	}
	var out []index.Basis
	for _, n := range list {
		switch n {
		case "target":
			out = append(out, index.BasisTarget)
		case "peer_median":
			out = append(out, index.BasisPeerMedian)
		case "last_year":
			out = append(out, index.BasisLastYear)
		default:
			return nil, notOneOf("index.rag basis", n, "target", "peer_median", "last_year")
		}
	}
	return out, nil
}
