"""`rasr config`: show the effective settings, read one, or store one in the workspace."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any, Iterator

import typer
from rich.table import Table
from rich.text import Text

from rasr.cli.errors import did_you_mean
from rasr.cli.state import CliState, check_format, print_stderr, state_of, stdout_console, write_json
from rasr.engine.settings import SPEC_BY_KEY, SettingError, Settings, parse_setting
from rasr.store.connection import Workspace, open_workspace
from rasr.store.settings import has_imported, read_toml_overrides, setting_set, setting_unset, settings_table

CONFIG_FORMATS = ("table", "json")

app = typer.Typer(
    help="Show the effective settings (with no subcommand), or get or set one.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def value_text(value: Any) -> str:
    """Show a setting value in the form `rasr config set` accepts."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(item) for item in value)
    return str(value)


def check_key(key: str) -> str:
    if key not in SPEC_BY_KEY:
        hint = did_you_mean(key, SPEC_BY_KEY) or f"; known settings: {', '.join(sorted(SPEC_BY_KEY))}"
        raise SettingError(f"unknown setting '{key}'{hint}")
    return key


@contextlib.contextmanager
def readable_workspace(state: CliState) -> Iterator[Workspace]:
    """Yield the workspace, or an empty in-memory one when its file does not exist yet, so defaults show."""
    if state.workspace_exists():
        yield state.workspace()
        return
    print_stderr([f"note: the workspace {state.db} does not exist yet; showing the defaults"])
    scratch = open_workspace("sqlite://")
    try:
        yield scratch
    finally:
        scratch.close()


def settings_rich_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Effective settings", title_justify="left")
    table.add_column("Key", no_wrap=True)
    table.add_column("Value", overflow="fold")
    table.add_column("Source", overflow="fold")
    table.add_column("Read-only", no_wrap=True)
    table.add_column("Help", ratio=1)
    for row in rows:
        help_cell = Text(row["help"])
        help_cell.append(f"\nallowed: {row['allowed']}", style="dim")
        table.add_row(
            Text(row["key"]), Text(value_text(row["value"])), Text(row["source"]),
            Text("yes" if row["read_only"] else "no"), help_cell,
        )
    return table


@app.callback()
def config_show(
    ctx: typer.Context,
    output_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT", help="Output format of the settings list: table or json.",
    )] = "table",
) -> None:
    """Show every setting: value, source (default, workspace or config file), read-only flag and help."""
    if ctx.invoked_subcommand is not None:
        return
    chosen = check_format(output_format, CONFIG_FORMATS)
    state = state_of(ctx)
    with readable_workspace(state) as workspace:
        settings = state.settings(workspace)
        rows = settings_table(settings, has_imported(workspace))
    if chosen == "json":
        write_json(rows)
    else:
        stdout_console().print(settings_rich_table(rows))


@app.command("get")
def config_get(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Setting name, e.g. lookback_days.")],
) -> None:
    """Print the effective value of one setting."""
    check_key(key)
    state = state_of(ctx)
    with readable_workspace(state) as workspace:
        settings: Settings = state.settings(workspace)
    typer.echo(value_text(getattr(settings, key)))


@app.command("set")
def config_set(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Setting name, e.g. lookback_days.")],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="New value; `rasr config` shows the allowed range.")],
) -> None:
    """Validate a setting and store it in the workspace."""
    check_key(key)
    # Validated before the workspace is opened, so an invalid value does not create a workspace file.
    parse_setting(key, value)
    state = state_of(ctx)
    workspace = state.workspace(create=True)
    parsed = setting_set(workspace, key=key, value=value)
    typer.echo(f"{key} = {value_text(parsed)} (stored in workspace {state.db})")
    if state.config_file is not None and key in read_toml_overrides(state.config_file):
        print_stderr([f"note: {state.config_file} sets {key} too, and overrides the stored value while it is "
                      "given with --config"])


@app.command("unset")
def config_unset(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY", help="Setting name, e.g. lookback_days.")],
) -> None:
    """Remove a stored setting, so its default applies again."""
    check_key(key)
    state = state_of(ctx)
    workspace = state.workspace(create=True)
    default = setting_unset(workspace, key=key)
    typer.echo(f"{key} = {value_text(default)} (the default; removed from workspace {state.db})")
