"""A report written out: CSV, Markdown, HTML with charts (matplotlib, inline SVG), or a chat message.

All formats show the same sections, built once by :func:`report_sections` with the labels of the
content (language, topic and region names) and the interface catalogs (in the admins' language).
"""

from __future__ import annotations

import csv
import html
import io
from dataclasses import dataclass

from bot.content.models import Content
from bot.i18n.catalogs import Translator
from bot.i18n.formatting import format_date, format_number
from bot.network.report import MIN_COUNT, Report, shown

__all__ = [
    "Section",
    "render_csv",
    "render_html",
    "render_markdown",
    "render_stats",
    "report_sections",
]


@dataclass(frozen=True, slots=True)
class Section:
    """One part of a report: a title and its rows of (label, value as shown, count for a chart)."""

    title: str
    rows: tuple[tuple[str, str, int | None], ...]


def _counts(counts: dict[str, int], label) -> tuple[tuple[str, str, int | None], ...]:
    return tuple((label(key), shown(count), count) for key, count in counts.items())


def report_sections(report: Report, content: Content, tr: Translator) -> list[Section]:
    """The sections of ``report`` with readable labels, in the order every format shows them."""
    chain = content.language_chain(tr.language)

    def language(code: str) -> str:
        found = content.languages.get(code)
        return f"{found.name} ({code})" if found else code

    def topic(key: str) -> str:
        found = content.topics.get(key)
        return found.name.resolve(chain)[0] if found else key

    def region(key: str) -> str:
        found = content.regions.get(key)
        return found.name.resolve(chain)[0] if found else key

    statuses = {
        "open": tr.pgettext("request status", "open"),
        "claimed": tr.pgettext("request status", "claimed"),
        "closed": tr.pgettext("request status", "closed"),
        "withdrawn": tr.pgettext("request status", "withdrawn"),
    }

    def status(key: str) -> str:
        return statuses.get(key, key)

    def hours(value: float | None) -> str:
        return "—" if value is None else format_number(round(value, 1), tr.locale)

    total = tr.gettext("total")
    return [
        Section(
            tr.gettext("People by language (first message in the period)"),
            (*_counts(report.people_by_language, language), (total, shown(report.people), None)),
        ),
        Section(tr.gettext("Requests by topic"), _counts(report.requests_by_topic, topic)),
        Section(tr.gettext("Requests by region"), _counts(report.requests_by_region, region)),
        Section(tr.gettext("Requests by team"), _counts(report.requests_by_team, str)),
        Section(
            tr.gettext("Requests by status"),
            (*_counts(report.requests_by_status, status), (total, shown(report.requests), None)),
        ),
        Section(
            tr.gettext("Time to the first answer (hours)"),
            (
                (tr.gettext("answered requests"), shown(len(report.answer_hours)), None),
                (tr.gettext("median"), hours(report.answer_percentile(50)), None),
                (tr.gettext("90th percentile"), hours(report.answer_percentile(90)), None),
            ),
        ),
        Section(tr.gettext("Services shown by topic"), _counts(report.services_by_topic, topic)),
        Section(
            tr.gettext("Events and subscribers"),
            (
                (tr.gettext("events in the period"), shown(report.events), None),
                (tr.gettext("event reminders asked for"), shown(report.reminders), None),
                *tuple(
                    (
                        tr.gettext("news subscribers in %(region)s") % {"region": region(key)},
                        shown(count),
                        None,
                    )
                    for key, count in report.subscribers_by_region.items()
                ),
            ),
        ),
    ]


def _title(report: Report, tr: Translator) -> str:
    return tr.gettext("Lotse report %(start)s – %(end)s") % {
        "start": format_date(report.start, tr.locale),
        "end": format_date(report.end, tr.locale),
    }


def _note(tr: Translator) -> str:
    return tr.gettext("Counts below %(count)s are shown as <%(count)s. No personal data.") % {
        "count": format_number(MIN_COUNT, tr.locale)
    }


def render_csv(report: Report, content: Content, tr: Translator) -> str:
    """One row per value: section, item, value (``<5`` for small counts)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "item", "value"])
    for section in report_sections(report, content, tr):
        for label, value, _ in section.rows:
            writer.writerow([section.title, label, value])
    return out.getvalue()


def render_markdown(report: Report, content: Content, tr: Translator) -> str:
    """A Markdown document with one table per section."""
    lines = [f"# {_title(report, tr)}", "", _note(tr)]
    for section in report_sections(report, content, tr):
        lines += ["", f"## {section.title}", "", "| | |", "|---|---:|"]
        lines += [f"| {label} | {value} |" for label, value, _ in section.rows]
        if not section.rows:
            lines.append("| — | |")
    return "\n".join(lines) + "\n"


def render_stats(report: Report, content: Content, tr: Translator) -> str:
    """The report as a Telegram message (HTML) for /stats."""
    lines = ["📊 <b>" + html.escape(_title(report, tr)) + "</b>"]
    for section in report_sections(report, content, tr):
        lines += ["", "<b>" + html.escape(section.title) + "</b>"]
        lines += [
            f"• {html.escape(label)}: {html.escape(value)}" for label, value, _ in section.rows
        ]
        if not section.rows:
            lines.append("—")
    lines += ["", "<i>" + html.escape(_note(tr)) + "</i>"]
    return "\n".join(lines)


def render_html(report: Report, content: Content, tr: Translator) -> str:
    """A standalone HTML page: tables, and a bar chart (inline SVG) where there are counts."""
    parts = []
    for section in report_sections(report, content, tr):
        rows = (
            "".join(
                f"<tr><td>{html.escape(label)}</td><td class=n>{html.escape(value)}</td></tr>"
                for label, value, _ in section.rows
            )
            or "<tr><td>—</td><td></td></tr>"
        )
        chart = _chart([(label, count) for label, _, count in section.rows if count])
        parts.append(
            f"<section><h2>{html.escape(section.title)}</h2>"
            f"<div class=row><table>{rows}</table>{chart}</div></section>"
        )
    title = html.escape(_title(report, tr))
    return (
        f'<!DOCTYPE html>\n<html lang="{tr.language}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_CSS}</style></head><body>"
        f"<h1>{title}</h1><p class=note>{html.escape(_note(tr))}</p>"
        + "".join(parts)
        + "</body></html>\n"
    )


_CSS = (
    "body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}"
    "h1{font-size:1.5em}h2{font-size:1.1em;margin-top:1.5em}"
    "table{border-collapse:collapse;min-width:18em;margin-right:2em}"
    "td{border-bottom:1px solid #ddd;padding:.25em .5em}td.n{text-align:right}"
    ".row{display:flex;align-items:flex-start;flex-wrap:wrap}.note{color:#555}"
    "svg{max-width:28em;height:auto}"
)


def _chart(values: list[tuple[str, int]]) -> str:
    """A horizontal bar chart of the counts of at least MIN_COUNT (smaller ones stay hidden)."""
    bars = [(label, count) for label, count in values if count >= MIN_COUNT]
    if not bars:
        return ""
    import matplotlib

    matplotlib.use("Agg")  # no display: render to a file-like object only
    from matplotlib import pyplot

    labels = [label for label, _ in reversed(bars)]
    figure, axes = pyplot.subplots(figsize=(5, 0.4 * len(bars) + 0.6))
    try:
        axes.barh(labels, [count for _, count in reversed(bars)], color="#3b6ea5")
        axes.spines[["top", "right"]].set_visible(False)
        axes.xaxis.get_major_locator().set_params(integer=True)
        figure.tight_layout()
        out = io.StringIO()
        figure.savefig(out, format="svg")
    finally:
        pyplot.close(figure)
    svg = out.getvalue()
    return svg[svg.index("<svg") :]  # without the XML prolog, to sit inside the page


RENDERERS = {"csv": render_csv, "md": render_markdown, "html": render_html}
