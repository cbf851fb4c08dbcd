# SaferCity. `make demo` runs the pipeline on the bundled sample; `make test`
# runs the tests. The DuckDB driver keeps its Arrow interface behind the
# duckdb_arrow build tag: with it (as here) record batches cross to DuckDB in
# memory; a plain `go build` or `go install` works too, through temporary
# Parquet files (store/arrow_parquet.go), more slowly.

GO      ?= go
# With libdeflate's header installed (Debian: libdeflate-dev; .ci/run installs
# it) zip entries are inflated by libdeflate, 2.5 times as fast as by
# klauspost/compress, which the build uses otherwise (internal/inflate).
LIBDEFLATE := $(shell printf '\#include <libdeflate.h>\n' | $(CC) -E - >/dev/null 2>&1 && echo ,libdeflate)
TAGS    := duckdb_arrow$(LIBDEFLATE)
BIN     := bin/safercity
DEMO_DB := demo/safercity.duckdb
SHARED  ?= ../shared
BENCH_DIR ?= /tmp/safercity-bench
ARCHIVE_DIR ?= /tmp/bench-archive
ARCHIVE36_DIR ?= /tmp/bench-archive36

# The linter is pinned: a new staticcheck release brings new checks, which
# should arrive in a commit of their own, not in whoever builds next. The
# binary's name carries the version so a new pin installs afresh.
STATICCHECK_VERSION := v0.8.2
TOOLS       := bin/tools
STATICCHECK := $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)

.PHONY: build demo test lint tools fuzz bench bench-archive clean

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

test: lint
	$(GO) vet -tags $(TAGS) ./...
	$(GO) test -tags $(TAGS) -count=1 ./...
	$(GO) vet ./...
	$(GO) test -count=1 ./store/ ./queries/
	$(if $(LIBDEFLATE),$(GO) test -tags duckdb_arrow -count=1 ./ingest/ # zip entries streamed as without libdeflate)
	$(MAKE) fuzz

# staticcheck with and without the build tag (store/arrow_parquet.go is only
# built without it); make test runs it first.
lint: $(STATICCHECK)
	$(STATICCHECK) -tags $(TAGS) ./...
	$(STATICCHECK) ./...

tools: $(STATICCHECK)

$(STATICCHECK):
	@mkdir -p $(TOOLS)
	GOBIN=$(abspath $(TOOLS)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv $(TOOLS)/staticcheck $@

# A few seconds of fuzzing the police.uk row parser from its seed corpus: a
# fixed number of inputs, not a time limit, which can stop a worker mid-input.
fuzz:
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzRead$$' -fuzztime 10000x ./ingest/policeuk
	$(GO) test -tags $(TAGS) -run '^$$' -fuzz '^FuzzParseDecimal$$' -fuzztime 10000x ./ingest/policeuk

# Benchmarks print their figures. The ingest and transform benchmarks need
# ≥5M street rows, made once from the shared City of London files by
# ../shared/tools/scale-police-street (python3) into $(BENCH_DIR). The
# archive benchmark needs a data.police.uk-style archive, made once by
# ../shared/tools/make-archive into $(ARCHIVE_DIR): A.zip (12 months to
# 2021-03, from the real 2021-01…03 files of every shared force), B.zip (next
# month's: 2021-04 new, 2021-02 and 2021-03 republished, 2020-04 dropped) and
# x/ (A.zip extracted, for DuckDB's read_csv).
bench: build $(ARCHIVE36_DIR)/archive.zip
	@test -f $(ARCHIVE_DIR)/B.zip || { \
	  rm -rf $(ARCHIVE_DIR) && mkdir -p $(ARCHIVE_DIR)/real && \
	  for m in 2021-01 2021-02 2021-03; do cp -r $(SHARED)/data/police-uk/$$m $(ARCHIVE_DIR)/real/; done && \
	  python3 $(SHARED)/tools/make-archive --end 2021-03 $(ARCHIVE_DIR)/real $(ARCHIVE_DIR)/A.zip 12 && \
	  python3 -m zipfile -e $(ARCHIVE_DIR)/A.zip $(ARCHIVE_DIR)/x && \
	  python3 $(SHARED)/tools/make-archive --end 2021-04 --alter 2 $(ARCHIVE_DIR)/real $(ARCHIVE_DIR)/B.zip 12; }
	@test -d $(BENCH_DIR)/scaled || { \
	  mkdir -p $(BENCH_DIR)/col && \
	  for f in $(SHARED)/data/police-uk/*/*-city-of-london-street.csv; do \
	    m=$$(basename $$(dirname $$f)); mkdir -p $(BENCH_DIR)/col/$$m; cp $$f $(BENCH_DIR)/col/$$m/; done && \
	  python3 $(SHARED)/tools/scale-police-street $(BENCH_DIR)/col $(BENCH_DIR)/scaled 70; }
	@test -d $(NATIONAL_DIR)/scaled || { \
	  mkdir -p $(NATIONAL_DIR)/src && \
	  for m in 2020-04 2020-05 2020-06 2020-07 2020-08 2020-09 2020-10 2020-11 2020-12 2021-01 2021-02 2021-03; do \
	    for f in $(SHARED)/data/police-uk/$$m/*-street.csv; do mkdir -p $(NATIONAL_DIR)/src/$$m; cp $$f $(NATIONAL_DIR)/src/$$m/; done; done && \
	  python3 $(SHARED)/tools/scale-police-street $(NATIONAL_DIR)/src $(NATIONAL_DIR)/scaled 3; }
	SAFERCITY_BENCH_DATA=$(BENCH_DIR)/scaled SAFERCITY_BENCH_ARCHIVE=$(ARCHIVE_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 1x -timeout 60m ./ingest/ ./transform/
	SAFERCITY_BIN=$(CURDIR)/$(BIN) SAFERCITY_BENCH_NATIONAL=$(NATIONAL_DIR)/scaled $(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x -timeout 60m ./hotspots/
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchmem ./ingest/policeuk ./bng ./maps ./store ./transform/grid ./transform/area ./transform/enrich ./hotspots/spatstat ./index
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime 3x ./index/indexstage
	$(GO) test -run '^$$' -bench . -benchtime 1x ./analysis/...
	SAFERCITY_BENCH_ARCHIVE=$(ARCHIVE36_DIR) $(GO) test -tags $(TAGS) -run '^$$' -bench Archive36 -benchtime 1x -timeout 60m -v ./cmd/safercity/ | grep -v '^=== '

# The whole-archive benchmark's input, made once (about 10 minutes, 6 GB in
# $(ARCHIVE36_DIR)): a data.police.uk-style archive of 36 months (2021-01 …
# 2023-12) of 48 forces, ≈17.6M street rows. Each month takes the real street
# and stop-and-search files of 2021-01, -02 or -03 (16 forces; make-archive
# rewrites their months), and two scale-police-street copies of every street
# file stand for the other forces. The real files hold outcomes of the City
# of London only (of 2017-01 … -03, given the donor months' dates). The
# archive's files are also extracted, for DuckDB's read_csv beside the ingest.
bench-archive: $(ARCHIVE36_DIR)/archive.zip

$(ARCHIVE36_DIR)/archive.zip:
	rm -rf $(ARCHIVE36_DIR) && mkdir -p $(ARCHIVE36_DIR)/real $(ARCHIVE36_DIR)/src
	for m in 2021-01 2021-02 2021-03; do \
	  mkdir -p $(ARCHIVE36_DIR)/real/$$m $(ARCHIVE36_DIR)/src/$$m && \
	  cp $(SHARED)/data/police-uk/$$m/*-street.csv $(ARCHIVE36_DIR)/real/$$m/ && \
	  cp $(SHARED)/data/police-uk/$$m/*.csv $(ARCHIVE36_DIR)/src/$$m/ && \
	  o=$$(echo $$m | sed 's/^2021/2017/') && \
	  awk -F, -v OFS=, -v m=$$m 'NR > 1 { $$2 = m } 1' $(SHARED)/data/police-uk/$$o/$$o-city-of-london-outcomes.csv \
	    > $(ARCHIVE36_DIR)/src/$$m/$$m-city-of-london-outcomes.csv; done
	python3 $(SHARED)/tools/scale-police-street $(ARCHIVE36_DIR)/real $(ARCHIVE36_DIR)/scaled 2
	cp -r $(ARCHIVE36_DIR)/scaled/. $(ARCHIVE36_DIR)/src/
	python3 $(SHARED)/tools/make-archive --end 2023-12 $(ARCHIVE36_DIR)/src $(ARCHIVE36_DIR)/archive.zip.tmp 36
	rm -rf $(ARCHIVE36_DIR)/real $(ARCHIVE36_DIR)/scaled $(ARCHIVE36_DIR)/src
	mkdir -p $(ARCHIVE36_DIR)/csv && cd $(ARCHIVE36_DIR)/csv && unzip -q ../archive.zip.tmp
	mv $(ARCHIVE36_DIR)/archive.zip.tmp $(ARCHIVE36_DIR)/archive.zip

# Every named query timed on a loaded store, as users run it (names checked):
# with its defaults, for the store's largest unit, force and LSOA, and over
# its last twelve months; the median of three warm runs, wall and CPU time.
# make bench-queries QUERIES_DB=FILE, e.g. a copy of the 36-month archive's
# store (BenchmarkArchive36 above times each query with its defaults only).
.PHONY: bench-queries
bench-queries:
	@test -n "$(QUERIES_DB)" || { echo "make bench-queries: give QUERIES_DB=FILE, a loaded and transformed store (e.g. one that safercity ingest police and transform made)"; exit 2; }
	SAFERCITY_BENCH_DB=$(QUERIES_DB) $(GO) test -tags $(TAGS) -run '^$$' -bench Catalogue -benchtime 1x -v ./queries/ | grep -v '^=== '

clean:
	rm -rf bin demo
