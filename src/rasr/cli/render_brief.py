"""Render a brief's sections as terminal text with Rich."""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from rasr.cli.brief_sections import Block, BriefLayout, Bullets, Paragraph

TONE_STYLES = {"good": "green", "bad": "red", "unknown": "yellow"}


def _style(tone: str | None) -> str:
    return TONE_STYLES.get(tone or "", "")


def render_block(block: Block) -> RenderableType:
    if isinstance(block, Paragraph):
        return Text(block.text, style=_style(block.tone))
    if isinstance(block, Bullets):
        # A grid keeps a wrapped item indented under its first line.
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for item in block.items:
            grid.add_row(Text("  -"), Text(item))
        return grid
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False)
    for index, column in enumerate(block.columns):
        table.add_column(column, justify="right" if index in block.numeric else "left", overflow="fold")
    for row in block.rows:
        table.add_row(*(Text(cell.text, style=_style(cell.tone)) for cell in row))
    return table


def brief_text(layout: BriefLayout) -> Group:
    """Return the brief as one Rich renderable: title, conversation, then numbered sections."""
    parts: list[RenderableType] = [
        Text(layout.title, style="bold"),
        Text(layout.summary.text, style=f"bold {_style(layout.summary.tone)}".strip()),
        Text(""),
    ]
    for number, section in enumerate(layout.sections, start=1):
        parts.append(Text(f"{number}. {section.title}", style="bold underline"))
        parts.extend(render_block(block) for block in section.blocks)
        parts.append(Text(""))
    return Group(*parts)

