#!/bin/sh
# Run every benchmark of BENCHMARKS.md; results go to $RASR_BENCH_RESULTS (default /tmp/rasr-bench/results).
#
#   benchmarks/run_all.sh [WORK_DIR]
#
# WORK_DIR (default /tmp/rasr-bench) receives the CSV folders and the
# workspaces. By estimate it needs 15 GB of disk, and the 1M import takes 10 GB of
# memory. Existing folders and workspaces are reused, so a second run only
# repeats the timings. PostgreSQL runs on 127.0.0.1:55432 from
# benchmarks/postgres.sh.
set -eu
cd "$(dirname "$0")/.."
work=${1:-/tmp/rasr-bench}
py=.venv/bin/python
mkdir -p "$work"

# Data: the product's generator at 200 reps (about 105,000 deals), because its 2,000-rep org took
# more than 16 GB to import. The benchmarks' own make_org.py writes exact sizes without owner
# changes or currencies, so the pandas baseline and the DuckDB query compute the engine's figures.
[ -d "$work/gen-200" ] || .venv/bin/rasr generate "$work/gen-200" --reps 200
[ -d "$work/org-1m" ] || $py benchmarks/make_org.py "$work/org-1m" --opportunities 1000000 --reps 2000
[ -d "$work/org-100k" ] || $py benchmarks/make_org.py "$work/org-100k" --opportunities 100000 --reps 200

# Imports, each into a new workspace.
[ -f "$work/w1m.duckdb" ] || $py benchmarks/bench_import.py "$work/org-1m" "duckdb:///$work/w1m.duckdb"
[ -f "$work/gen-200.duckdb" ] || $py benchmarks/bench_import.py "$work/gen-200" "duckdb:///$work/gen-200.duckdb"
pg=$(benchmarks/postgres.sh start "$work/postgres")
[ -f "$work/w100k.sqlite" ] || $py benchmarks/bench_import.py "$work/org-100k" "sqlite:///$work/w100k.sqlite" \
    --name import-100k-sqlite
[ -f "$work/w100k.duckdb" ] || $py benchmarks/bench_import.py "$work/org-100k" "duckdb:///$work/w100k.duckdb" \
    --name import-100k-duckdb
if [ ! -f "$work/postgres/imported" ]; then
    $py benchmarks/bench_import.py "$work/org-100k" "$pg" --name import-100k-postgres
    touch "$work/postgres/imported"
fi

# The engine in process (with the pandas baseline in the same run), the whole command, the references.
$py benchmarks/bench_engine.py "duckdb:///$work/w1m.duckdb" --pandas "$work/org-1m"
$py benchmarks/bench_team.py "duckdb:///$work/w1m.duckdb"
$py benchmarks/bench_engine.py "duckdb:///$work/gen-200.duckdb"
$py benchmarks/bench_team.py "duckdb:///$work/gen-200.duckdb"
$py benchmarks/duckdb_reference.py "$work/org-1m"
for ws in "sqlite:///$work/w100k.sqlite" "$pg" "duckdb:///$work/w100k.duckdb"; do
    kind=${ws%%:*}
    $py benchmarks/bench_engine.py "$ws" --name "engine-100k-$kind" --pandas "$work/org-100k"
    $py benchmarks/bench_team.py "$ws" --name "team-100k-$kind"
done
$py benchmarks/profile_engine.py "duckdb:///$work/w1m.duckdb"

# Spark local mode over the same 1M org as Parquet files, once.
[ -d "$work/org-1m-parquet" ] || $py benchmarks/csv_to_parquet.py "$work/org-1m" "$work/org-1m-parquet"
SPARK_LOCAL_IP=127.0.0.1 /usr/bin/time -v .venv/bin/rasr --engine spark --data "$work/org-1m-parquet" \
    team --as-of 2025-12-31 --format json >"$work/spark-1m.json"
benchmarks/postgres.sh stop "$work/postgres"
