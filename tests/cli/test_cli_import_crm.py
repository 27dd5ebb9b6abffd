"""`rasr import salesforce|hubspot|pipedrive|csv|rates ...` and `rasr imports` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from cli_helpers import assert_one_line_error, run_cli

DEALS = (
    "ID,Title,Owner,Value,Status,Deal created,Won time,Expected close date\n"
    "1,Acme,Rita,100,Won,2024-01-02 09:00:00,2024-02-01 10:00:00,\n"
    "2,Beta,Rita,12x,Open,2024-01-03 09:00:00,,2024-05-01\n"
)


def test_salesforce_sample(tmp_path: Path, shared_data: Path) -> None:
    sample = shared_data / "public" / "salesforce-dev-edition-sample"
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "salesforce", str(sample), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["tables"]["opportunities"]["inserted"] == 31
    assert report["rejected"] == []


def test_rejected_rows_file_beside_workspace(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    db = tmp_path / "w.db"

    result = run_cli("--db", str(db), "import", "pipedrive", str(deals), "--format", "json")

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    output = Path(report["output_dir"])
    assert output.parent == Path(f"{db}.imports")
    assert (output / "deals.rejected.csv").read_text().splitlines()[1].startswith("2,Beta,Rita,12x")
    assert json.loads((output / "report.json").read_text())["import_id"] == report["import_id"]


def test_strict_exit_code(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "pipedrive", str(deals), "--strict",
                     "--report-dir", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "--strict" in result.stderr
    assert (tmp_path / "out" / "deals.rejected.csv").is_file()


def test_imports_listed(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    db = str(tmp_path / "w.db")
    run_cli("--db", db, "import", "pipedrive", str(deals))
    again = run_cli("--db", db, "import", "pipedrive", str(deals))
    assert "skipped" in again.stdout

    result = run_cli("--db", db, "imports", "--format", "json")

    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert len(items) == 1
    assert items[0]["format"] == "pipedrive"
    assert items[0]["rows_read"] == 2
    assert items[0]["rejected"] == 1
    assert items[0]["files"][0]["name"] == "deals.csv"
    assert len(items[0]["files"][0]["sha256"]) == 64
    assert items[0]["user"]
    text = run_cli("--db", db, "imports")
    assert "pipedrive" in text.stdout


def test_suggest_mapping_then_import(tmp_path: Path) -> None:
    data = tmp_path / "deals.csv"
    data.write_text("Deal ID,Owner,Status,Amount\n1,Rita,open,100\n")
    mapping = tmp_path / "map.toml"

    suggested = run_cli("import", "csv", str(data), "--suggest-mapping", "--mapping", str(mapping))
    assert suggested.exit_code == 0, suggested.output
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "csv", str(data), "--mapping", str(mapping),
                     "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["opportunities"]["inserted"] == 1


def test_suggest_mapping_to_stdout(tmp_path: Path) -> None:
    data = tmp_path / "deals.csv"
    data.write_text("Deal ID,Owner,Status\n1,Rita,open\n")
    result = run_cli("import", "csv", str(data), "--suggest-mapping")
    assert result.exit_code == 0, result.output
    assert 'opp_id = "Deal ID"' in result.stdout


def test_csv_without_mapping_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "deals.csv"
    data.write_text("a\n1\n")
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "csv", str(data))
    assert_one_line_error(result, 2, "give --mapping MAP.toml, or --suggest-mapping to write a starting one")


def test_bad_date_format_usage_error(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(DEALS)
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "pipedrive", str(deals), "--date-format", "DMY/Y")
    assert_one_line_error(result, 2, "unknown date format 'DMY/Y'; use YYYY-MM-DD, DD/MM/YYYY (also DD.MM.YYYY) "
                                     "or MM/DD/YYYY")


def test_rates_command(tmp_path: Path) -> None:
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,rate\nEUR,1.1\n")
    result = run_cli("--db", str(tmp_path / "w.db"), "import", "rates", str(rates), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["rates"]["inserted"] == 1


def test_progress_bar_on_terminal(tmp_path: Path, monkeypatch) -> None:
    # A terminal on stderr gets a Rich progress bar; the importers report to it through the progress factory.
    import io

    from rasr.cli import imports as imports_cli
    from rasr.importers import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(imports_cli.sys, "stderr", terminal)
    with imports_cli._progress_on_terminal():
        factory = progress._factory
        assert factory is not None
        with factory("reading deals.csv", 5_000) as advance:
            advance(5_000)
    assert progress._factory is None
    assert "reading deals.csv" in terminal.getvalue()
