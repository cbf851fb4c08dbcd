package indexstage

import (
	"github.com/safercity/safercity/index"
)

// The three drivers of London First's Security & Resilience Network's
// comparative city resilience index.
var pillars = []index.Pillar{
	{Code: "digital", Name: "Digital security", Weight: 1},
	{Code: "infrastructure", Name: "Infrastructural and organisational resilience", Weight: 1},
	{Code: "security", Name: "Personal and public security (incl. health security)", Weight: 1},
}

// pillarAliases maps pillar names partner feeds use to the index's pillars:
// health security is part of personal and public security.
var pillarAliases = map[string]string{
	"digital": "digital", "infrastructure": "infrastructure", "organisational": "infrastructure",
	"security": "security", "health": "security", "public": "security", "personal": "security",
}

// Definition is one indicator computed from the store. Partner indicators
// come with their own definitions from the indicators feed's contract.
type Definition struct {
	index.Indicator
	// Needs names what must be loaded for the indicator to have values.
	Needs string
}

// Definitions lists every indicator the index computes from police data, in
// one place. Rates use the unit's residents (ONS mid-year estimates) or its
// workday population: in the City of London about 8,600 residents and about
// 500,000 workers, so a rate per resident means nothing there.
var Definitions = []Definition{
	{index.Indicator{Code: "violence_per_1k_res", Name: "Violence and sexual offences, robbery and weapons per 1,000 residents", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "police.uk street crime; ONS population"}, "population (residents)"},
	{index.Indicator{Code: "violence_per_1k_work", Name: "Violent crime per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime; workday population feed"}, "population (workday)"},
	{index.Indicator{Code: "robbery_per_1k_work", Name: "Robbery per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime"}, "population (workday)"},
	{index.Indicator{Code: "weapons_per_1k_work", Name: "Possession of weapons per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime"}, "population (workday)"},
	{index.Indicator{Code: "nte_violence_per_1k_work", Name: "Night-time economy violence per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime"}, "population (workday)"},
	{index.Indicator{Code: "acquisitive_per_1k_work", Name: "Acquisitive crime per 1,000 workday population", Pillar: "infrastructure", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime"}, "population (workday)"},
	{index.Indicator{Code: "acquisitive_per_1k_res", Name: "Acquisitive crime per 1,000 residents", Pillar: "infrastructure", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "police.uk street crime; ONS population"}, "population (residents)"},
	{index.Indicator{Code: "asb_per_1k_work", Name: "Anti-social behaviour per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "per 1,000 workday population", Source: "police.uk street crime (ASB)"}, "population (workday)"},
	{index.Indicator{Code: "harm_per_1k_res", Name: "Harm-weighted crime per 1,000 residents", Pillar: "security", Direction: index.LowerIsBetter, Unit: "harm days per 1,000 residents", Source: "police.uk street crime; data/categories.csv harm weights"}, "population (residents)"},
	{index.Indicator{Code: "harm_per_1k_work", Name: "Harm-weighted crime per 1,000 workday population", Pillar: "security", Direction: index.LowerIsBetter, Unit: "harm days per 1,000 workday population", Source: "police.uk street crime; harm weights"}, "population (workday)"},
	{index.Indicator{Code: "top5_cell_share", Name: "Share of crime in the top 5% of 100 m cells", Pillar: "security", Direction: index.LowerIsBetter, Unit: "%", Source: "crimes_enriched cells (cells with crime in the 12 months to the month)"}, ""},
	// The generalized Gini (Bernasco & Steenbeek 2017) replaced the plain
	// Gini: it equals it when a unit has at least as many crimes in the
	// month as cells, and otherwise measures concentration against the most
	// even spread those crimes allow (one per cell), where the plain Gini
	// reads the sparseness of a small unit's month as concentration and so
	// rated small units worse than large ones for their size alone. Lower
	// is better, as for the top 5% share: crime held by a few cells is an
	// acute hot spot problem.
	{index.Indicator{Code: "cell_ggini", Name: "Generalized Gini of crime over 100 m cells (Bernasco & Steenbeek 2017)", Pillar: "security", Direction: index.LowerIsBetter, Unit: "0–1", Source: "crimes_enriched cells (cells with crime in the 12 months to the month)"}, ""},
	{index.Indicator{Code: "positive_outcome_pct", Name: "Crimes with a charge, summons or other positive outcome", Pillar: "security", Direction: index.HigherIsBetter, Unit: "% of notifiable crimes", Source: "police.uk street crime, last outcome as published"}, ""},
	{index.Indicator{Code: "crime_yoy_pct", Name: "Change in crime against the same month last year", Pillar: "security", Direction: index.LowerIsBetter, Unit: "%", Source: "police.uk street crime"}, "the same month a year earlier"},
}

// positiveOutcomes are the police.uk outcome categories counted as a charge,
// summons or other positive outcome (the Home Office's outcome types 1-8
// and their police.uk labels).
var positiveOutcomes = []string{
	"Suspect charged as part of another case", "Offender sent to prison", "Offender given suspended prison sentence",
	"Offender fined", "Offender given community sentence", "Offender given conditional discharge",
	"Offender given absolute discharge", "Offender otherwise dealt with", "Offender ordered to pay compensation",
	"Defendant found not guilty", "Court case unable to proceed", "Offender deprived of property",
	"Defendant sent to Crown Court", "Awaiting court outcome", "Offender given a caution",
	"Offender given a drugs possession warning", "Offender given penalty notice", "Local resolution",
}
