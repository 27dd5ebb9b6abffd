"""Fixtures for the importer tests: a fresh workspace per backend and a folder of input files."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from rasr.store.connection import Workspace


@pytest.fixture
def workspace(backend: Workspace) -> Workspace:
    """A new, empty workspace on each backend in turn (DuckDB, SQLite, and PostgreSQL when available)."""
    return backend


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder to write the CSV files of one import into."""
    path = tmp_path / "import"
    path.mkdir()
    return path


@pytest.fixture
def write(folder: Path) -> Callable[[str, str], Path]:
    """Write a CSV file into folder from an indented text block, LF line ends."""

    def write_file(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write_file


@pytest.fixture
def sqlite_workspace(tmp_path: Path) -> Workspace:
    """A new, empty SQLite workspace, for tests whose subject does not depend on the backend."""
    from rasr.store import open_workspace

    workspace = open_workspace(f"sqlite:///{tmp_path / 'workspace.db'}")
    yield workspace
    workspace.close()
