package index_test

import (
	"fmt"
	"log"

	"github.com/safercity/safercity/index"
)

func Example() {
	target := 4.0
	fw := &index.Framework{
		Pillars: []index.Pillar{
			{Code: "DIG", Name: "Digital security"},
			{Code: "PPS", Name: "Personal and public security"},
		},
		Indicators: []index.Indicator{
			{Code: "fraud", Name: "Cyber-enabled fraud", Pillar: "DIG", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "Action Fraud"},
			{Code: "burglary", Name: "Burglary", Pillar: "PPS", Direction: index.LowerIsBetter, Unit: "per 1,000 residents", Source: "police.uk", Target: &target},
			{Code: "outcomes", Name: "Charge rate", Pillar: "PPS", Direction: index.HigherIsBetter, Unit: "%", Source: "police.uk"},
		},
	}
	// Rows as a store query returns them: unit, indicator code, value.
	tab, err := index.TableFromObservations("2025-03", []index.Observation{
		{Unit: "City of London", Code: "fraud", Value: 9.1},
		{Unit: "City of London", Code: "burglary", Value: 3.2},
		{Unit: "City of London", Code: "outcomes", Value: 7.5},
		{Unit: "Leicester", Code: "fraud", Value: 4.0},
		{Unit: "Leicester", Code: "burglary", Value: 5.1},
		{Unit: "Leicester", Code: "outcomes", Value: 9.0},
		{Unit: "Bristol", Code: "fraud", Value: 5.5},
		{Unit: "Bristol", Code: "burglary", Value: 4.4},
		{Unit: "Bristol", Code: "outcomes", Value: 12.5},
	})
	if err != nil {
		log.Fatal(err)
	}
	m := index.DefaultMethod()
	m.Uncertainty.Draws = 1000
	res, err := index.Compute(fw, tab, nil, m)
	if err != nil {
		log.Fatal(err)
	}
	a, err := index.Assess(res, nil, nil, index.DefaultRAGRules())
	if err != nil {
		log.Fatal(err)
	}
	for i, u := range res.Units {
		burglary := a.Ratings[i][1+len(fw.Pillars)+1]
		fmt.Printf("%-14s score %5.1f rank %d (90%% interval %d–%d), burglary %v against its %v\n",
			u.Unit, u.Score, u.Rank, u.Interval.P05, u.Interval.P95, burglary.Status, burglary.Basis)
	}
	// Output:
	// City of London score  25.0 rank 3 (90% interval 3–3), burglary GREEN against its target
	// Leicester      score  57.5 rank 2 (90% interval 2–2), burglary RED against its target
	// Bristol        score  69.5 rank 1 (90% interval 1–1), burglary RED against its target
}
