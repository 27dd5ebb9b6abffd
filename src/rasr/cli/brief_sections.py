"""Lay out one rep's brief as titled sections of paragraphs, lists and tables.

The sections follow the 1:1 in RASR order: results as context, requirements,
speed, process, the conversation with its evidence, the coaching goal, then
the deals to review or the what-if scenarios, and data warnings. The text
and HTML renderers draw the same sections, so both show the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from rasr.cli import formatting as fmt
from rasr.engine.registry import describe_metric


@dataclass(frozen=True)
class Cell:
    """A table cell, or a paragraph, with an optional tone: "good", "bad" or "unknown"."""

    text: str
    tone: str | None = None


@dataclass(frozen=True)
class Paragraph:
    text: str
    tone: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class TableBlock:
    """Rows of cells under column headers; the columns in numeric are right-aligned."""

    columns: list[str]
    rows: list[list[Cell]]
    numeric: frozenset[int] = frozenset()


Block = Union[Paragraph, Bullets, TableBlock]


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class BriefLayout:
    title: str
    summary: Paragraph
    sections: list[Section]


ANSWER_TONES = {"yes": "good", "no": "bad"}
CONVERSATION_TONES = {"how_good_can_you_get": "good", "tune_the_deals": "unknown", "tune_the_engine": "bad"}
REQUIREMENT_SPANS = (("month", "Month"), ("quarter", "Quarter"), ("year", "Fiscal year"),
                     ("horizon", "Process horizon"))
# The brief lists this many deals to review, largest first; the JSON brief has all of them.
SHOWN_DEALS = 25
DRIVER_NAMES = {"start_enough": "Start enough", "with_enough": "With enough", "fast_enough": "Fast enough"}


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _share(numerator: Any, denominator: Any) -> float | None:
    if not fmt.is_number(numerator) or not fmt.is_number(denominator) or denominator == 0:
        return None
    return numerator / denominator


def _answer_cell(question: dict) -> Cell:
    answer = question.get("answer") or "unknown"
    text = str(answer)
    if answer not in ANSWER_TONES and question.get("reason"):
        text += f" ({question['reason']})"
    return Cell(text, ANSWER_TONES.get(answer, "unknown"))


def _key_value_table(rows: list[tuple[str, str]], header: tuple[str, str]) -> TableBlock:
    return TableBlock(list(header), [[Cell(name), Cell(value)] for name, value in rows], frozenset({1}))


def results_section(brief: dict, currency: str) -> Section:
    results = _dict(brief.get("results"))
    section = Section("Results (context)")
    span = fmt.text(results.get("span"))
    if span != fmt.MISSING:
        section.blocks.append(Paragraph(f"Quota and aspiration over {span}; outlook over the process horizon."))

    rows = []
    for key, label in (("quota", "Quota"), ("aspiration", "Aspiration")):
        question = _dict(results.get(key))
        rows.append([
            Cell(label), _answer_cell(question), Cell(fmt.money_full(question.get("bookings"), currency)),
            Cell(fmt.money_full(question.get("goal"), currency)), Cell(fmt.percent(question.get("attainment"))),
        ])
    outlook = _dict(results.get("outlook"))
    rows.append([
        Cell("Outlook (forecast)"), _answer_cell(outlook), Cell(fmt.money_full(outlook.get("forecast"), currency)),
        Cell(fmt.money_full(outlook.get("goal"), currency)),
        Cell(fmt.percent(_share(outlook.get("forecast"), outlook.get("goal")))),
    ])
    section.blocks.append(TableBlock(["Question", "Answer", "Booked / forecast", "Goal", "% of goal"], rows,
                                     frozenset({2, 3, 4})))

    notes = [str(note) for note in _list(results.get("notes"))]
    for key, label in (("quota", "Quota"), ("aspiration", "Aspiration")):
        coverage = _dict(results.get(key)).get("coverage")
        # A coverage of 0 means no goal at all, which the answer's reason already states.
        if fmt.is_number(coverage) and 0 < coverage < 1:
            notes.append(f"{label} rows cover {fmt.percent(coverage)} of the period; only covered days are compared.")
    if notes:
        section.blocks.append(Bullets(notes))
    return section


def span_lines(span: Any, fallback: str) -> str:
    """Show a span as its name over its dates, so a narrow column breaks between them."""
    span = _dict(span)
    if span.get("name") and span.get("start") and span.get("end"):
        return f"{span['name']}\n{span['start']}..{span['end']}"
    label = fmt.text(span)
    return label if label != fmt.MISSING else fallback


def requirements_section(brief: dict, currency: str) -> Section:
    requirements = _dict(brief.get("requirements"))
    section = Section("Requirements: pipeline and opportunities needed against what is open")
    rows, notes = [], []
    for key, name in REQUIREMENT_SPANS:
        item = requirements.get(key)
        if not isinstance(item, dict):
            continue
        rows.append([
            Cell(span_lines(item.get("span"), name)),
            Cell(fmt.money_short(item.get("goal"), currency)),
            Cell(fmt.money_short(item.get("bookings"), currency)),
            Cell(f"{fmt.money_short(item.get('pipeline_full'), currency)} / "
                 f"{fmt.money_short(item.get('pipeline_remaining'), currency)}"),
            Cell(fmt.money_short(item.get("have_pipeline"), currency)),
            Cell(f"{fmt.count(item.get('opportunities_full'))} / {fmt.count(item.get('opportunities_remaining'))}"),
            Cell(fmt.count(item.get("have_opportunities"))),
        ])
        notes.extend(f"{name}: {note}" for note in _list(item.get("notes")))
    if not rows:
        section.blocks.append(Paragraph("No requirements could be computed."))
        return section
    section.blocks.append(TableBlock(
        ["Period", "Goal", "Booked", "Pipeline need full / remaining", "Pipeline open",
         "Opps need full / remaining", "Opps open"],
        rows, frozenset({1, 2, 3, 4, 5, 6}),
    ))
    if notes:
        section.blocks.append(Bullets(notes))
    return section


def speed_section(brief: dict) -> Section:
    speed = _dict(brief.get("speed"))
    section = Section("Speed: cycle time and time in stage against the team")
    section.blocks.append(_key_value_table([
        ("Median cycle (decides fast enough)", fmt.days(speed.get("cycle_days_median"))),
        ("Mean cycle", fmt.days(speed.get("cycle_days_mean"))),
        ("Team median cycle", fmt.days(speed.get("team_cycle_days_median"))),
        ("Fast-enough threshold", fmt.days(speed.get("threshold_days"))),
        ("Median cycle, previous lookback", fmt.days(speed.get("previous_cycle_days_median"))),
        ("Median cycle of lost deals", fmt.days(speed.get("lost_cycle_days_median"))),
    ], ("Cycle time", "Days")))

    stage_rows = []
    for stage in _list(speed.get("stages")):
        stage = _dict(stage)
        stage_rows.append([
            Cell(fmt.text(stage.get("stage"))),
            Cell(f"{fmt.days(stage.get('rep_days_mean'))} / {fmt.days(stage.get('rep_days_median'))}"),
            Cell(fmt.count(stage.get("rep_deals"))),
            Cell(f"{fmt.days(stage.get('team_days_mean'))} / {fmt.days(stage.get('team_days_median'))}"),
            Cell(fmt.percent(stage.get("stage_win_rate"))),
            Cell(fmt.percent(stage.get("team_stage_win_rate"))),
        ])
    if stage_rows:
        section.blocks.append(TableBlock(
            ["Stage", "Rep days mean / median", "Rep deals", "Team days mean / median", "Rep stage-to-win",
             "Team stage-to-win"],
            stage_rows, frozenset({1, 2, 3, 4, 5}),
        ))
    return section


def _driver_result(driver: dict) -> Cell:
    passed = driver.get("passed")
    if passed is True:
        return Cell("pass", "good")
    if passed is False:
        gap = driver.get("gap")
        return Cell(f"short by {fmt.percent(gap)}" if fmt.is_number(gap) else "fail", "bad")
    reason = driver.get("reason")
    return Cell(f"unknown ({reason})" if reason else "unknown", "unknown")


def process_section(brief: dict, currency: str) -> Section:
    process = _dict(brief.get("process"))
    section = Section("Process: start enough, with enough, fast enough")
    shows = {
        "start_enough": fmt.count,
        "with_enough": lambda value: fmt.money_short(value, currency),
        "fast_enough": lambda value: f"{fmt.days(value)} days" if fmt.is_number(value) else fmt.MISSING,
    }
    rows = []
    for key, name in DRIVER_NAMES.items():
        driver = _dict(process.get(key))
        show = shows[key]
        rows.append([Cell(name), Cell(show(driver.get("have"))), Cell(show(driver.get("need"))),
                     _driver_result(driver)])
    section.blocks.append(TableBlock(["Driver", "Have", "Need", "Result"], rows, frozenset({1, 2})))

    gaps = [_dict(gap) for gap in _list(process.get("ranked_gaps"))]
    if gaps:
        ranked = ", ".join(
            f"{DRIVER_NAMES.get(gap.get('driver'), fmt.text(gap.get('driver')))} {fmt.percent(gap.get('gap'))}"
            for gap in gaps
        )
        section.blocks.append(Paragraph(f"Gaps, largest first: {ranked}."))

    metrics = _dict(brief.get("metrics"))
    section.blocks.append(_key_value_table([
        ("Win rate by count: blended (rep's own)",
         f"{fmt.percent(metrics.get('win_rate_count'))} ({fmt.percent(metrics.get('win_rate_count_raw'))})"),
        ("Win rate by value: blended (rep's own)",
         f"{fmt.percent(metrics.get('win_rate_value'))} ({fmt.percent(metrics.get('win_rate_value_raw'))})"),
        ("Opportunity size", fmt.money_short(metrics.get("opportunity_size"), currency)),
        ("Mean won deal", fmt.money_short(metrics.get("won_deal_size_mean"), currency)),
        ("Open qualified: count, amount",
         f"{fmt.count(metrics.get('open_count'))}, {fmt.money_short(metrics.get('open_amount'), currency)}"),
        ("Active (not stale): count, amount",
         f"{fmt.count(metrics.get('open_count_active'))}, "
         f"{fmt.money_short(metrics.get('open_amount_active'), currency)}"),
    ], ("Key metric", "Value")))
    return section


def conversation_section(brief: dict) -> Section:
    key = brief.get("conversation")
    label = brief.get("conversation_label") or fmt.conversation_label(key)
    section = Section(f"Conversation: {label}")
    reason = brief.get("conversation_reason")
    section.blocks.append(Paragraph(f"Why: {reason}" if reason else "Why: no reason recorded.",
                                    CONVERSATION_TONES.get(key, "unknown")))
    evidence = [str(item) for item in _list(brief.get("evidence"))]
    if evidence:
        section.blocks.append(Paragraph("Evidence:"))
        section.blocks.append(Bullets(evidence))
    return section


def goal_section(brief: dict, currency: str) -> Section:
    goal = _dict(brief.get("goal_suggestion"))
    focus = goal.get("focus")
    section = Section(f"Suggested coaching goal ({focus})" if focus else "Suggested coaching goal")
    if not goal:
        section.blocks.append(Paragraph("No goal could be suggested; agree one in the 1:1."))
        return section
    section.blocks.append(Paragraph(fmt.text(goal.get("text"))))
    metric = goal.get("metric")
    if metric:
        baseline = fmt.metric_value(metric, goal.get("baseline"), currency)
        target = fmt.metric_value(metric, goal.get("target"), currency)
        change = goal.get("change_pct")
        rows = [("Metric", f"{metric}: {describe_metric(str(metric))}"), ("Now", baseline), ("Target", target)]
        if fmt.is_number(change):
            rows.append(("Change", fmt.percent(change, signed=True)))
        span = {"as_of": "on the day of the next 1:1", "lookback": "the lookback ending on the next 1:1"}.get(
            str(goal.get("span")))
        if span:
            rows.append(("Measured", span))
        rows.append(("Due", fmt.date_text(goal.get("due_on"))))
        section.blocks.append(_key_value_table(rows, ("Goal", "Value")))
    elif goal.get("due_on"):
        section.blocks.append(Paragraph(f"Due: {goal['due_on']}"))
    next_play = goal.get("next_play")
    section.blocks.append(Paragraph(f"Next Play: {next_play}" if next_play else "Next Play: agree it in the 1:1."))
    return section


def _deal_flags(deal: dict) -> str:
    flags = [name for name in ("stale", "slipped") if deal.get(name)]
    return ", ".join(flags)


def deals_section(brief: dict, currency: str) -> Section:
    deals = [_dict(deal) for deal in _list(brief.get("deals_to_review"))]
    section = Section("Deals to review, largest first")
    if not deals:
        section.blocks.append(Paragraph("No open qualified deals to review."))
        return section
    rows = []
    for deal in deals[:SHOWN_DEALS]:
        name = fmt.text(deal.get("name") or deal.get("opp_id"))
        account = deal.get("account")
        steps = [f"Exit criteria: {deal['exit_criteria']}" if deal.get("exit_criteria") else "",
                 f"Next step: {deal['next_step']}" if deal.get("next_step") else ""]
        flags = _deal_flags(deal)
        rows.append([
            Cell(f"{name} ({account})" if account else name),
            Cell(fmt.text(deal.get("stage"))),
            Cell(fmt.money_short(deal.get("amount"), currency)),
            Cell(fmt.days(deal.get("age_days"))),
            Cell(fmt.date_text(deal.get("expected_close_on"))),
            Cell(flags, "bad" if flags else None),
            Cell("\n".join(step for step in steps if step) or fmt.MISSING),
        ])
    section.blocks.append(TableBlock(
        ["Deal (account)", "Stage", "Amount", "Days in stage", "Expected close", "Flags", "Verifier and next step"],
        rows, frozenset({2, 3}),
    ))
    if len(deals) > SHOWN_DEALS:
        section.blocks.append(Paragraph(
            f"The {SHOWN_DEALS} largest of {len(deals)} open deals are shown; `--format json` lists all of them."))
    return section


def what_if_section(brief: dict, currency: str) -> Section:
    scenarios = [_dict(row) for row in _list(brief.get("what_if"))]
    section = Section("What if: the outlook with one input changed")
    if scenarios:
        rows = []
        for row in scenarios:
            reaches = {True: "yes", False: "no"}.get(row.get("reaches_goal"))
            rows.append([
                Cell(fmt.text(row.get("scenario"))),
                Cell(fmt.money_short(row.get("forecast"), currency)),
                Cell(fmt.percent(row.get("change"), signed=True)),
                Cell(reaches or fmt.MISSING, ANSWER_TONES.get(reaches or "")),
            ])
        section.blocks.append(TableBlock(["Scenario", "Outlook", "Change", "Reaches goal"], rows,
                                         frozenset({1, 2})))
    else:
        section.blocks.append(Paragraph("No what-if scenarios could be computed."))
    section.blocks.append(Paragraph("Development plan: the next career step, the lever to practise and the help "
                                    "it needs (write it in the 1:1)."))
    return section


def brief_layout(brief: dict, currency: str = "USD") -> BriefLayout:
    """Lay out the brief dict from the engine as sections in the order of the 1:1."""
    rep = _dict(brief.get("rep"))
    name = rep.get("name") or rep.get("rep_id") or "unknown rep"
    rep_id = rep.get("rep_id")
    # Some CRMs use the name as the id; the title then shows it once.
    shown_id = None if rep_id and str(rep_id).casefold() == str(name).casefold() else rep_id
    who = ", ".join(str(part) for part in (shown_id, rep.get("team")) if part)
    title = f"1:1 brief: {name}" + (f" ({who})" if who else "") + f", as of {fmt.date_text(brief.get('as_of'))}"
    conversation = brief.get("conversation")
    label = brief.get("conversation_label") or fmt.conversation_label(conversation)
    summary = Paragraph(f"Conversation: {label}", CONVERSATION_TONES.get(conversation, "unknown"))

    sections = [
        results_section(brief, currency),
        requirements_section(brief, currency),
        speed_section(brief),
        process_section(brief, currency),
        conversation_section(brief),
        goal_section(brief, currency),
    ]
    if conversation == "how_good_can_you_get":
        sections.append(what_if_section(brief, currency))
    elif conversation == "tune_the_deals" or _list(brief.get("deals_to_review")):
        sections.append(deals_section(brief, currency))
    warnings = [fmt.message_text(warning) for warning in _list(brief.get("warnings"))]
    if warnings:
        sections.append(Section("Data warnings", [Bullets(warnings)]))
    return BriefLayout(title, summary, sections)
