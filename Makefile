# SaferCity. `make demo` runs the pipeline on the bundled sample; `make test`
# runs the tests. The DuckDB driver's Arrow interface needs the duckdb_arrow
# build tag, so build through this Makefile (or pass -tags duckdb_arrow).

GO      ?= go
TAGS    := duckdb_arrow
BIN     := bin/safercity
DEMO_DB := demo/safercity.duckdb
SHARED  ?= ../shared
BENCH_DIR ?= /tmp/safercity-bench
ARCHIVE_DIR ?= /tmp/bench-archive36

.PHONY: build demo test fuzz bench bench-archive clean

build:
	$(GO) build -tags $(TAGS) -o $(BIN) ./cmd/safercity

demo: build
	@rm -rf demo && mkdir -p demo
	@$(BIN) ingest police --db $(DEMO_DB) data/police-uk
	@echo "== partner feeds (see data/feeds/README.md: only the ONS population is real)"
	@$(BIN) ingest feed --db $(DEMO_DB) --all --quiet
	@$(BIN) feeds --db $(DEMO_DB)
	@echo "== rows per month and kind"
	@$(BIN) sql --db $(DEMO_DB) "SELECT strftime(month, '%Y-%m') AS month, \
	  count(*) FILTER (WHERE kind = 'street') AS street_files, \
	  sum(rows_loaded) FILTER (WHERE kind = 'street') AS street_rows, \
	  sum(rows_loaded) FILTER (WHERE kind = 'stop-and-search') AS stop_search_rows, \
	  sum(rows_quarantined) AS quarantined \
	  FROM sources WHERE status = 'loaded' AND superseded_by IS NULL GROUP BY ALL ORDER BY month"
	@echo "== street crimes per crime type"
	@$(BIN) sql --db $(DEMO_DB) "SELECT crime_type, count(*) AS crimes, \
	  count(*) FILTER (WHERE longitude IS NULL) AS no_location \
	  FROM police_street GROUP BY ALL ORDER BY crimes DESC"
	@$(BIN) ingest boundaries --db $(DEMO_DB) --layer lsoa --code-prop LSOA11CD --name-prop LSOA11NM data/boundaries/city_of_london_lsoa_2011.geojson
	@$(BIN) transform --db $(DEMO_DB) --quiet
	@echo "== crimes per comparison unit (where they happened, not which force recorded them)"
	@$(BIN) sql --db $(DEMO_DB) "SELECT unit, count(*) AS crimes, count(DISTINCT lsoa_code) AS lsoas, \
	  count(DISTINCT (cell_x, cell_y)) AS cells_100m, round(sum(harm)) AS harm, \
	  string_agg(DISTINCT force, ', ') AS recorded_by \
	  FROM crimes_enriched WHERE located GROUP BY ALL ORDER BY crimes DESC LIMIT 15"
	@$(BIN) hotspots --db $(DEMO_DB) --profile nte --force city-of-london
	@$(BIN) hotspots --db $(DEMO_DB) --profile violence --force city-of-london
	@echo "== hotspot maps for planners"
	@for p in nte violence; do \
	  $(BIN) export map --db $(DEMO_DB) --profile $$p --force city-of-london -o demo/$$p-hotspots.geojson && \
	  $(BIN) export map --db $(DEMO_DB) --profile $$p --force city-of-london -o demo/$$p-hotspots.png; done
	@echo "== the analysts' query catalogue"
	@$(BIN) query --list
	@$(BIN) query --db $(DEMO_DB) violence_profile --param top=5
	@$(BIN) query --db $(DEMO_DB) nte_nights
	@echo "== the partnership's monthly index"
	@$(BIN) index --db $(DEMO_DB) --out demo

test:
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 ./...
	$(MAKE) fuzz

# A few seconds of fuzzing the police.uk row parser from its seed corpus: a
# fixed number of inputs, not a time limit, which can stop a worker mid-input.
fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 10000x ./ingest/policeuk

# Benchmarks print their figures. The ingest and transform benchmarks need
# ≥5M street rows, made once from the shared City of London files by
# ../shared/tools/scale-police-street (python3) into $(BENCH_DIR).
bench: $(ARCHIVE_DIR)/archive.zip
	@test -d $(BENCH_DIR)/scaled || { \
	  mkdir -p $(BENCH_DIR)/col && \
	  for f in $(SHARED)/data/police-uk/*/*-city-of-london-street.csv; do \
	    m=$$(basename $$(dirname $$f)); mkdir -p $(BENCH_DIR)/col/$$m; cp $$f $(BENCH_DIR)/col/$$m/; done && \
	  python3 $(SHARED)/tools/scale-police-street $(BENCH_DIR)/col $(BENCH_DIR)/scaled 70; }
	SAFERCITY_BENCH_DATA=$(BENCH_DIR)/scaled $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x -timeout 60m ./ingest/ ./transform/
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./bng ./transform/grid ./transform/area ./transform/enrich ./transform/hotspot ./index
	SAFERCITY_BENCH_ARCHIVE=$(ARCHIVE_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench Archive36 -benchtime 1x -timeout 60m -v ./cmd/safercity/ | grep -v '^=== '

# The whole-archive benchmark's input, made once (about 10 minutes, 6 GB in
# $(ARCHIVE_DIR)): a data.police.uk-style archive of 36 months (2021-01 …
# 2023-12) of 48 forces, ≈17.6M street rows. Each month takes the real street
# and stop-and-search files of 2021-01, -02 or -03 (16 forces; make-archive
# rewrites their months), and two scale-police-street copies of every street
# file stand for the other forces. The real files hold outcomes of the City
# of London only (of 2017-01 … -03, given the donor months' dates). The
# archive's files are also extracted, for DuckDB's read_csv beside the ingest.
bench-archive: $(ARCHIVE_DIR)/archive.zip

$(ARCHIVE_DIR)/archive.zip:
	rm -rf $(ARCHIVE_DIR) && mkdir -p $(ARCHIVE_DIR)/real $(ARCHIVE_DIR)/src
	for m in 2021-01 2021-02 2021-03; do \
	  mkdir -p $(ARCHIVE_DIR)/real/$$m $(ARCHIVE_DIR)/src/$$m && \
	  cp $(SHARED)/data/police-uk/$$m/*-street.csv $(ARCHIVE_DIR)/real/$$m/ && \
	  cp $(SHARED)/data/police-uk/$$m/*.csv $(ARCHIVE_DIR)/src/$$m/ && \
	  o=$$(echo $$m | sed 's/^2021/2017/') && \
	  awk -F, -v OFS=, -v m=$$m 'NR > 1 { $$2 = m } 1' $(SHARED)/data/police-uk/$$o/$$o-city-of-london-outcomes.csv \
	    > $(ARCHIVE_DIR)/src/$$m/$$m-city-of-london-outcomes.csv; done
	python3 $(SHARED)/tools/scale-police-street $(ARCHIVE_DIR)/real $(ARCHIVE_DIR)/scaled 2
	cp -r $(ARCHIVE_DIR)/scaled/. $(ARCHIVE_DIR)/src/
	python3 $(SHARED)/tools/make-archive --end 2023-12 $(ARCHIVE_DIR)/src $(ARCHIVE_DIR)/archive.zip.tmp 36
	rm -rf $(ARCHIVE_DIR)/real $(ARCHIVE_DIR)/scaled $(ARCHIVE_DIR)/src
	mkdir -p $(ARCHIVE_DIR)/csv && cd $(ARCHIVE_DIR)/csv && unzip -q ../archive.zip.tmp
	mv $(ARCHIVE_DIR)/archive.zip.tmp $(ARCHIVE_DIR)/archive.zip

clean:
	rm -rf bin demo
