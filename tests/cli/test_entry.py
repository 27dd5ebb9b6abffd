"""The `rasr` script's entry point: Ctrl-C before a command starts gives one line, not a traceback."""

from __future__ import annotations

import builtins
import sys

import pytest

from rasr.cli import entry


def test_entry_interrupted_while_loading(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    real_import = builtins.__import__

    def interrupted_import(name, *args, **kwargs):
        if name == "rasr.cli.main":
            raise KeyboardInterrupt
        return real_import(name, *args, **kwargs)

    # The entry point imports the command line when it runs, so the next import is the interrupted one.
    monkeypatch.delitem(sys.modules, "rasr.cli.main", raising=False)
    monkeypatch.setattr(builtins, "__import__", interrupted_import)
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    captured = capsys.readouterr()
    assert captured.err == "error: interrupted\n"
    assert captured.out == ""


def test_entry_runs_the_command_line(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["rasr", "--help"])
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 0
    assert "Which 1:1 conversation to have with each sales rep" in capsys.readouterr().out


def test_entry_interrupted_while_building_commands(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    import rasr.cli.main

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rasr.cli.main, "run", interrupted)
    with pytest.raises(SystemExit) as stopped:
        entry.main()
    assert stopped.value.code == 130
    assert capsys.readouterr().err == "error: interrupted\n"


def test_entry_freezes_what_loading_created(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import rasr.cli.main

    events = []
    monkeypatch.setattr(gc, "freeze", lambda: events.append("freeze"))
    monkeypatch.setattr(rasr.cli.main, "run", lambda: events.append("run"))
    entry.main()
    assert events == ["freeze", "run"]
