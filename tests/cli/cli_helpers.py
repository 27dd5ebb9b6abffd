"""Run the `rasr` command in-process and check its one-line errors."""

from __future__ import annotations

from typer.testing import CliRunner, Result

from rasr.cli.main import app


def run_cli(*args: str) -> Result:
    """Run `rasr ARGS` in-process, with stdout and stderr captured apart."""
    return CliRunner().invoke(app, list(args))


def assert_one_line_error(result: Result, exit_code: int, message: str) -> None:
    """Check that the command failed with exit_code and wrote only `error: message` to stderr."""
    assert result.exit_code == exit_code, result.output
    assert result.stderr == f"error: {message}\n"
    assert "Traceback" not in result.output
