#!/bin/sh
# Run every benchmark of BENCHMARKS.md; results go to $RASR_BENCH_RESULTS (default /tmp/rasr-bench/results).
#
#   benchmarks/run_all.sh [WORK_DIR]
#   TEN_MILLION=1 benchmarks/run_all.sh     # also the 10M-opportunity org (needs about 12 GB of disk)
#   SPARK=1 benchmarks/run_all.sh           # also Spark local mode at 1M (about 10 minutes)
#
# WORK_DIR (default /tmp/rasr-bench) receives the CSV folders and the
# workspaces. Existing folders and workspaces are reused, so a second run
# only repeats the timings; delete a workspace to time its import again.
# PostgreSQL runs on 127.0.0.1:55432 from benchmarks/postgres.sh. Run it on
# an otherwise idle machine: every result file records the load average.
set -eu
cd "$(dirname "$0")/.."
work=${1:-/tmp/rasr-bench}
py=.venv/bin/python
mkdir -p "$work"

# How much the first write to memory costs on this machine (see warm_memory.py).
$py benchmarks/warm_memory.py

# Data. make_org.py writes exact sizes without owner changes or currencies, so the pandas baseline
# and the DuckDB query compute the engine's figures. The product's generator writes every table.
[ -d "$work/org-100k" ] || $py benchmarks/make_org.py "$work/org-100k" --opportunities 100000 --reps 200
[ -d "$work/org-1m" ] || $py benchmarks/make_org.py "$work/org-1m" --opportunities 1000000 --reps 2000
[ -d "$work/gen-2000" ] || .venv/bin/rasr generate "$work/gen-2000" --reps 2000

# Imports, each into a new workspace.
[ -f "$work/w1m.duckdb" ] || $py benchmarks/bench_import.py "$work/org-1m" "duckdb:///$work/w1m.duckdb"
[ -f "$work/gen-2000.duckdb" ] || $py benchmarks/bench_import.py "$work/gen-2000" "duckdb:///$work/gen-2000.duckdb"
pg=$(benchmarks/postgres.sh start "$work/postgres")
[ -f "$work/w100k.sqlite" ] || $py benchmarks/bench_import.py "$work/org-100k" "sqlite:///$work/w100k.sqlite" \
    --name import-100k-sqlite
[ -f "$work/w100k.duckdb" ] || $py benchmarks/bench_import.py "$work/org-100k" "duckdb:///$work/w100k.duckdb" \
    --name import-100k-duckdb
if [ ! -f "$work/postgres/imported" ]; then
    $py benchmarks/bench_import.py "$work/org-100k" "$pg" --name import-100k-postgres
    touch "$work/postgres/imported"
fi

# 1M: preparing after an import, then the engine in process (with the pandas baseline in the same run),
# again with DuckDB's memory capped at 1 GB, the whole command, the hand-written query and a profile.
$py benchmarks/bench_engine.py "duckdb:///$work/w1m.duckdb" --prepare --name prepare-w1m
$py benchmarks/bench_engine.py "duckdb:///$work/w1m.duckdb" --pandas "$work/org-1m"
$py benchmarks/bench_engine.py "duckdb:///$work/w1m.duckdb?memory_limit=1GB" --name engine-w1m-limit
$py benchmarks/bench_team.py "duckdb:///$work/w1m.duckdb"
$py benchmarks/bench_team.py "duckdb:///$work/w1m.duckdb?memory_limit=1GB" --name team-w1m-limit
$py benchmarks/duckdb_reference.py "$work/org-1m"
$py benchmarks/profile_engine.py "duckdb:///$work/w1m.duckdb"
# An earlier day than the last recorded change: the views are built from the stage history.
$py benchmarks/bench_engine.py "duckdb:///$work/w1m.duckdb" --as-of 2025-06-30 --name engine-w1m-history

# The product's generator at 2,000 reps: owner changes, close-date history, currencies, activities.
$py benchmarks/bench_engine.py "duckdb:///$work/gen-2000.duckdb" --prepare --name prepare-gen-2000
$py benchmarks/bench_engine.py "duckdb:///$work/gen-2000.duckdb"
$py benchmarks/bench_team.py "duckdb:///$work/gen-2000.duckdb"

# 100k on each workspace engine.
for ws in "sqlite:///$work/w100k.sqlite" "$pg" "duckdb:///$work/w100k.duckdb"; do
    kind=${ws%%:*}
    $py benchmarks/bench_engine.py "$ws" --name "engine-100k-$kind" --pandas "$work/org-100k"
    $py benchmarks/bench_team.py "$ws" --name "team-100k-$kind"
done
benchmarks/postgres.sh stop "$work/postgres"

if [ "${TEN_MILLION:-}" = 1 ]; then
    [ -d "$work/org-10m" ] || $py benchmarks/make_org.py "$work/org-10m" --opportunities 10000000 --reps 20000
    [ -f "$work/w10m.duckdb" ] || $py benchmarks/bench_import.py "$work/org-10m" "duckdb:///$work/w10m.duckdb"
    $py benchmarks/bench_engine.py "duckdb:///$work/w10m.duckdb" --prepare --name prepare-w10m
    $py benchmarks/bench_engine.py "duckdb:///$work/w10m.duckdb" --pandas "$work/org-10m" --repeat 2
    $py benchmarks/profile_engine.py "duckdb:///$work/w10m.duckdb"
fi

if [ "${SPARK:-}" = 1 ]; then
    [ -d "$work/org-1m-parquet" ] || $py benchmarks/csv_to_parquet.py "$work/org-1m" "$work/org-1m-parquet"
    $py benchmarks/bench_spark.py "$work/org-1m-parquet"
fi
