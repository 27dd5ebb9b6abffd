"""Render a brief's sections as one self-contained HTML page.

The page has its CSS inline and refers to no external file, font or URL, so
it can be mailed or opened offline. Every value is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from rasr.cli.brief_sections import Block, BriefLayout, Bullets, Paragraph

# Plain CSS without url() or @import, so the page loads nothing from elsewhere.
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem;
       color: #1d2430; line-height: 1.4; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.1rem; margin-top: 1.8rem; border-bottom: 1px solid #c9d1dc; padding-bottom: 0.2rem; }
p.summary { font-size: 1.15rem; font-weight: 600; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6rem 0; }
th, td { padding: 0.25rem 0.7rem; border-bottom: 1px solid #e3e8ee; vertical-align: top; text-align: left; }
th { background: #f3f5f8; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.good { color: #1a7f37; }
.bad { color: #b42318; }
.unknown { color: #9a6700; }
ul { margin: 0.4rem 0; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table { break-inside: avoid; } }
""".strip()


def _class(tone: str | None, *extra: str) -> str:
    names = [name for name in (*extra, tone) if name]
    return f' class="{" ".join(names)}"' if names else ""


def _text(value: str) -> str:
    """Escape value for HTML, keeping its line breaks."""
    return "<br>".join(escape(line) for line in value.split("\n"))


def render_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return f"<p{_class(block.tone)}>{_text(block.text)}</p>"
    if isinstance(block, Bullets):
        items = "".join(f"<li>{_text(item)}</li>" for item in block.items)
        return f"<ul>{items}</ul>"
    numeric = block.numeric
    head = "".join(
        f"<th{_class(None, 'num' if index in numeric else '')}>{_text(column)}</th>"
        for index, column in enumerate(block.columns)
    )
    body = []
    for row in block.rows:
        cells = "".join(
            f"<td{_class(cell.tone, 'num' if index in numeric else '')}>{_text(cell.text)}</td>"
            for index, cell in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def brief_html(layout: BriefLayout) -> str:
    """Return the whole page, from the doctype to the closing html tag."""
    sections = []
    for number, section in enumerate(layout.sections, start=1):
        blocks = "\n".join(render_block(block) for block in section.blocks)
        sections.append(f"<section>\n<h2>{number}. {_text(section.title)}</h2>\n{blocks}\n</section>")
    summary = layout.summary
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_text(layout.title)}</title>",
        f"<style>\n{STYLE}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_text(layout.title)}</h1>",
        f"<p{_class(summary.tone, 'summary')}>{_text(summary.text)}</p>",
        *sections,
        "</body>",
        "</html>",
        "",
    ])
