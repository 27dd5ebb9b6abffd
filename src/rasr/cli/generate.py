"""`rasr generate OUT_DIR`: write a synthetic sales org as canonical CSV or Parquet files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from rasr.cli.errors import EXIT_USAGE, CliError
from rasr.cli.state import check_format
from rasr.engine.periods import parse_date

GENERATE_FORMATS = ("csv", "parquet")


def generate_command(
    out_dir: Annotated[Path, typer.Argument(metavar="OUT_DIR", help="Folder to write the files into (created if missing).")],
    reps: Annotated[int, typer.Option("--reps", metavar="N", help="Number of reps, 1 to 20,000; about 10 reps per team.")],
    years: Annotated[float, typer.Option("--years", metavar="Y", help="Years of history up to the end date, 0.25 to 20.")] = 3.0,
    end: Annotated[str, typer.Option("--end", metavar="DATE", help="Last day of the data, YYYY-MM-DD.")] = "2025-12-31",
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed; the same seed writes the same files.")] = 1,
    output_format: Annotated[str, typer.Option("--format", metavar="FORMAT", help="File format: csv or parquet.")] = "csv",
    fiscal_year_start_month: Annotated[int, typer.Option(
        "--fiscal-year-start-month", metavar="MONTH",
        help="Month (1-12) in which the fiscal year starts; quotas follow it. 2 gives a February fiscal year.",
    )] = 1,
) -> None:
    """Write a synthetic sales org: teams, reps of known archetypes, deals with full history, quotas and activities."""
    from rasr.generate import generate_org  # imported here, so other commands start without numpy and pyarrow

    chosen = check_format(output_format, GENERATE_FORMATS)
    try:
        end_date = parse_date(end)
    except ValueError:
        raise CliError(f"invalid date '{end}' for --end: expected YYYY-MM-DD", EXIT_USAGE) from None
    try:
        result = generate_org(out_dir, reps=reps, years=years, end=end_date, seed=seed, output_format=chosen,
                              fiscal_year_start_month=fiscal_year_start_month)
    except ValueError as error:
        raise CliError(str(error), EXIT_USAGE) from None

    rate = result.total_rows / result.seconds if result.seconds else 0.0
    lines = [f"wrote {result.total_rows:,} rows to {out_dir} in {result.seconds:.1f} s ({rate:,.0f} rows/s)"]
    lines += [f"  {table}.{chosen}: {count:,} rows" for table, count in sorted(result.rows.items())]
    lines.append(f"settings this org assumes: {result.settings_file}")
    if chosen == "csv":
        lines.append(f"next: rasr import generic {out_dir}")
    typer.echo("\n".join(lines))
