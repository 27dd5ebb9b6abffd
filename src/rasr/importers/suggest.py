"""Write a starting mapping file for `rasr import csv` from a CSV file's header and values."""

from __future__ import annotations

import re
from pathlib import Path

from rasr.importers.csvfile import DELIMITERS, read_csv
from rasr.importers.formats import infer_date_format
from rasr.importers.report import ImportFailed

# Header labels that commonly hold each canonical opportunity column, compared without case,
# spaces or punctuation. Salesforce, HubSpot and Pipedrive labels are included.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "opp_id": ("opp_id", "opportunity id", "opportunityid", "id", "deal id", "record id", "deal - id"),
    "rep_id": ("rep_id", "owner", "opportunity owner", "deal owner", "owner id", "ownerid", "sales rep", "rep",
               "salesperson", "deal - owner"),
    "status": ("status", "deal status", "state", "deal - status"),
    "is_closed": ("is_closed", "closed", "isclosed", "is closed"),
    "is_won": ("is_won", "won", "iswon", "is closed won"),
    "amount": ("amount", "value", "deal value", "deal amount", "deal - value"),
    "currency": ("currency", "amount currency", "currency of value", "currencyisocode", "deal currency code"),
    "created_on": ("created_on", "created date", "createddate", "create date", "deal created", "created"),
    "close_on": ("close_on", "close date", "closedate", "expected close date", "closed date"),
    "stage": ("stage", "stagename", "deal stage", "pipeline stage"),
    "account": ("account", "account name", "organization", "company", "company name", "associated company"),
    "name": ("name", "opportunity name", "deal name", "title"),
    "product": ("product", "product name"),
    "next_step": ("next_step", "next step", "nextstep"),
    "source": ("source", "lead source", "leadsource"),
    "modified_at": ("modified_at", "last modified date", "lastmodifieddate", "update time", "modified"),
}
_GROUPED_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2}")
_GROUPED_DOT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def _key(label: str) -> str:
    return re.sub(r"[^a-z0-9]", "", label.lower().removeprefix("deal - "))


def suggest_mapping(path: Path) -> str:
    """Return TOML text mapping the columns of the CSV file at path onto opportunities.

    Unmatched canonical columns are listed as comments for the user to fill in.
    """
    file = read_csv(Path(path))
    by_key = {_key(label): label for label in file.labels if label}
    found: dict[str, str] = {}
    for name, synonyms in SYNONYMS.items():
        for synonym in synonyms:
            label = by_key.get(_key(synonym))
            if label is not None and label not in found.values():
                found[name] = label
                break
    lines = [
        f"# Mapping for {file.name}, suggested from its header: check every line before importing.",
        "table = \"opportunities\"",
        "",
        "[source]",
        f"encoding = \"{file.encoding}\"",
        f"delimiter = \"{'tab' if file.delimiter == chr(9) else file.delimiter}\"  # {DELIMITERS[file.delimiter]}",
    ]
    dates = [record.cells[found[name].lower()] for name in ("created_on", "close_on") if name in found
             for record in file.records if record.cells.get(found[name].lower())]
    try:
        date_format = infer_date_format(dates, file.name)
        if date_format is not None:
            lines.append(f"date_format = \"{date_format.name}\"")
    except ImportFailed:
        lines.append("date_format = \"DD/MM/YYYY\"  # every date fits both orders: set DD/MM/YYYY or MM/DD/YYYY")
    amounts = [record.cells[found["amount"].lower()] for record in file.records
               if "amount" in found and record.cells.get(found["amount"].lower())]
    if any(_GROUPED_COMMA.fullmatch(value) for value in amounts):
        lines.append("number_locale = \"de-DE\"  # amounts use a decimal comma")
    elif any(_GROUPED_DOT.fullmatch(value) for value in amounts):
        lines.append("number_locale = \"en-US\"  # amounts use thousands separators")
    else:
        lines.append("# number_locale = \"en-US\"")
    lines.append("# currency = \"USD\"  # the currency of amounts without a currency column")
    lines += ["", "[columns]"]
    for name in SYNONYMS:
        if name in found:
            lines.append(f"{name} = {_quote(found[name])}")
        else:
            lines.append(f"# {name} = \"\"")
    unused = [label for label in file.labels if label and label not in found.values()]
    if unused:
        lines.append(f"# Not mapped: {', '.join(unused)}")
    if "status" in found:
        values = sorted({record.cells[found["status"].lower()] for record in file.records
                         if record.cells.get(found["status"].lower())})
        lines += ["", "[status]  # each status value of the file = open, won or lost"]
        for value in values[:50]:
            guess = value.lower() if value.lower() in ("open", "won", "lost") else "open"
            lines.append(f"{_quote(value)} = \"{guess}\"")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
