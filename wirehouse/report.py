"""A self-contained HTML report of the warehouse: inline CSS and SVG charts drawn from the analyst views.

    write_report(con, Path("report.html"), days=30)

Four sections, each a chart with its data as a table below it: articles per day per site (articles_per_source_day),
trending entities this week against last (entity_trends), the most quoted speakers (quoted_speakers) and how the
fetches of each site went (source_health). The period is the `days` days up to the newest day with articles or
fetches (today at the latest), so that a warehouse that stopped loading still shows its last month, dated.
Nothing is loaded from the network: no scripts, fonts or images, and a Content-Security-Policy that forbids them.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from wirehouse.warehouse.views import install_views, view_files

TEMPLATE = Path(__file__).with_name("report.html.j2")
TOP = 10  # entities and speakers shown
MAX_SOURCES = 8  # volume chart: the busiest sites, the others summed as "other sites"
MAX_HOSTS = 15  # health chart: the most fetched hosts
VIEWS_USED = ("articles_per_source_day", "entity_trends", "quoted_speakers", "source_health", "story_clusters")
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]
OTHER_COLOUR = "#bab0ac"
# source_health's access-status columns, grouped for the stacked bars: (name, colour, columns summed)
HEALTH_GROUPS = [
    ("ok", "#59a14f", ("ok",)),
    ("not modified", "#76b7b2", ("not_modified",)),
    ("paywalled", "#edc948", ("paywalled",)),
    ("blocked", "#f28e2b", ("bot_challenge", "forbidden", "rate_limited", "robots_disallowed")),
    ("failed", "#e15759", ("timeout", "error", "blocked_address", "not_html", "too_large")),
]
CHART_WIDTH = 760
FONT = 12  # px; text widths are estimated from it
LABEL_CHARS = 28  # longer bar labels are cut in the chart (the table has them whole)


@dataclass
class Section:
    """One chart of the report and its data as a table; chart None: no data yet."""

    key: str
    heading: str
    caption: str
    chart: Markup | None
    columns: list[str] = field(default_factory=list)
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""


@dataclass
class Series:
    name: str
    colour: str
    values: list[float]


# ---- the report --------------------------------------------------------------------------------------------------


def write_report(con: duckdb.DuckDBPyConnection, out: Path, *, days: int = 30) -> Path:
    """Write the report of the warehouse open on `con` to `out` (one HTML file, nothing external); returns `out`."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_report(con, days=days), encoding="utf-8")
    return out


def render_report(con: duckdb.DuckDBPyConnection, *, days: int = 30, now: datetime | None = None) -> str:
    """The report as an HTML string: the `days` days up to the newest data, and the latest week for trends."""
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    now = now or datetime.now(UTC)
    _views_for_session(con)
    end = _last_day(con, now.date())
    start = end - timedelta(days=days - 1) if end else None
    sections = [
        volume_section(con, start, end),
        trending_section(con),
        speakers_section(con),
        health_section(con, start, end),
    ]
    env = Environment(loader=FileSystemLoader(TEMPLATE.parent), autoescape=select_autoescape(["j2"]))
    return env.get_template(TEMPLATE.name).render(
        db=_database_path(con), generated=now.strftime("%Y-%m-%d %H:%M UTC"), start=start, end=end, days=days,
        totals=_totals(con), sections=sections,
    )


def _views_for_session(con: duckdb.DuckDBPyConnection) -> None:
    """Create the views the report reads if the warehouse lacks them: as temporary views on a read-only connection."""
    present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    if present >= set(VIEWS_USED):
        return
    readonly = con.execute("SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()")
    if not readonly.fetchone()[0]:
        install_views(con)
        return
    for path in view_files():  # a read-only file takes no views: the session's temporary catalog does
        code = re.sub(r"^COMMENT ON .*?;$", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
        con.execute(code.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))


def _last_day(con: duckdb.DuckDBPyConnection, today: date) -> date | None:
    """The newest day with articles or fetches, today at the latest (future-dated articles do not move it)."""
    newest = con.execute(
        "SELECT max(day) FROM (SELECT max(day) AS day FROM articles_per_source_day "
        "UNION ALL SELECT max(day) FROM source_health)"
    ).fetchone()[0]
    return min(newest, today) if newest else None


def _database_path(con: duckdb.DuckDBPyConnection) -> str:
    path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    return path or ":memory:"


def _totals(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    articles, stories, sources = con.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM story_clusters), "
        "(SELECT count(DISTINCT host) FROM articles)"
    ).fetchone()
    return {"articles": articles, "stories": stories, "sources": sources}


# ---- the four sections -------------------------------------------------------------------------------------------


def volume_section(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> Section:
    """Articles per day per site over the period (articles_per_source_day, its feeds summed per site)."""
    heading, caption = "Volume per source", "Articles loaded per day (UTC) and site."
    rows = [] if end is None else con.execute(
        "SELECT coalesce(host, '(no host)'), day, sum(articles)::BIGINT FROM articles_per_source_day "
        "WHERE day BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
        [start, end],
    ).fetchall()
    if not rows:
        return Section("volume", heading, caption, None)
    first = min(r[1] for r in rows)
    days = [first + timedelta(days=i) for i in range((end - first).days + 1)]
    series = _volume_series(rows, days)
    label = f"Articles per day for {len(series)} sources from {days[0]} to {days[-1]}"
    chart = line_chart("chart-volume", label, days, series, x_label="day (UTC)", y_label="articles")
    table = [[str(d), *(int(s.values[i]) for s in series), sum(int(s.values[i]) for s in series)]
             for i, d in enumerate(days)]
    return Section("volume", heading, f"{caption} {days[0]} to {days[-1]}.", chart,
                   ["day", *(s.name for s in series), "all"], table)


def _volume_series(rows: list[tuple], days: list[date]) -> list[Series]:
    """One series per site, busiest first; past MAX_SOURCES the quieter sites are summed into one."""
    totals: dict[str, int] = {}
    for host, _, n in rows:
        totals[host] = totals.get(host, 0) + n
    ranked = sorted(totals, key=lambda h: (-totals[h], h))
    shown = ranked if len(ranked) <= MAX_SOURCES else ranked[: MAX_SOURCES - 1]
    index = {d: i for i, d in enumerate(days)}
    series = {h: Series(h, PALETTE[i % len(PALETTE)], [0] * len(days)) for i, h in enumerate(shown)}
    if len(shown) < len(ranked):
        series["other"] = Series(f"{len(ranked) - len(shown)} other sites", OTHER_COLOUR, [0] * len(days))
    for host, day, n in rows:
        series[host if host in series else "other"].values[index[day]] += n
    return list(series.values())


def trending_section(con: duckdb.DuckDBPyConnection) -> Section:
    """The entities in the most articles of the newest week, against the week before (entity_trends)."""
    heading = "Trending entities"
    rows = con.execute(
        "SELECT name, label, articles, previous, change, period_start FROM entity_trends "
        "WHERE period = 'week' AND latest AND articles > 0 ORDER BY articles DESC, change DESC, name LIMIT ?",
        [TOP],
    ).fetchall()
    if not rows:
        return Section("trending", heading, "Entities mentioned this week against last week.", None)
    week = rows[0][5]
    caption = (f"The {len(rows)} entities in the most articles in the week of {week} (Monday, UTC; it may still be "
               f"in progress), against the week of {week - timedelta(days=7)}.")
    series = [Series("this week", PALETTE[0], [r[2] for r in rows]), Series("last week", OTHER_COLOUR,
                                                                            [r[3] for r in rows])]
    chart = hbar_chart(
        "chart-trending", f"Top {len(rows)} entities this week against last week", [r[0] for r in rows], series,
        notes=[_change(r[4], r[3]) for r in rows], x_label="articles mentioning the entity", y_label="entity",
    )
    table = [[r[0], r[1], r[2], r[3], _change(r[4], r[3])] for r in rows]
    return Section("trending", heading, caption, chart, ["entity", "type", "this week", "last week", "change"], table)


def _change(change: int, previous: int) -> str:
    if previous == 0:
        return "new"
    return f"+{change}" if change > 0 else ("±0" if change == 0 else f"−{-change}")


def speakers_section(con: duckdb.DuckDBPyConnection) -> Section:
    """The named speakers with the most quotations, all time (quoted_speakers has no per-period counts)."""
    heading = "Top quoted speakers"
    rows = con.execute(
        "SELECT coalesce(speaker, '(unnamed)'), quotes, articles, quoted_about FROM quoted_speakers "
        "WHERE speaker_kind = 'named' "
        "ORDER BY quotes DESC, articles DESC, speaker LIMIT ?",
        [TOP],
    ).fetchall()
    if not rows:
        return Section("speakers", heading, "Named speakers by quotations.", None)
    unnamed = dict(con.execute(
        "SELECT speaker_kind, quotes FROM quoted_speakers WHERE speaker_kind <> 'named'").fetchall())
    chart = hbar_chart(
        "chart-speakers", f"Top {len(rows)} quoted speakers by quotations", [r[0] for r in rows],
        [Series("quotations", PALETTE[0], [r[1] for r in rows])],
        notes=[f"in {r[2]} article{'s' * (r[2] != 1)}" for r in rows], x_label="quotations", y_label="speaker",
    )
    table = [[r[0], r[1], r[2], ", ".join(r[3] or [])] for r in rows]
    note = (f"Besides: {unnamed.get('anonymous', 0)} quotations from anonymous speakers (“a senior official”) and "
            f"{unnamed.get('unknown', 0)} whose speaker was not resolved.")
    return Section("speakers", heading, f"The {len(rows)} named speakers quoted most, all time.", chart,
                   ["speaker", "quotations", "articles", "quoted about"], table, note)


def health_section(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> Section:
    """How each host's fetches (feeds and pages) ended over the period, as shares (source_health)."""
    heading, caption = "Source health", "How fetches of each host ended, as shares of its fetches"
    sums = ", ".join("sum(" + " + ".join(cols) + ")::BIGINT" for _, _, cols in HEALTH_GROUPS)
    rows = [] if end is None else con.execute(
        f"SELECT coalesce(host, '(no host)'), sum(requests)::BIGINT, {sums} FROM source_health "
        "WHERE day BETWEEN ? AND ? GROUP BY ALL ORDER BY 2 DESC, 1",
        [start, end],
    ).fetchall()
    if not rows:
        return Section("health", heading, f"{caption}.", None)
    shown = rows[:MAX_HOSTS]
    series = [Series(name, colour, [r[2 + i] / r[1] for r in shown])
              for i, (name, colour, _) in enumerate(HEALTH_GROUPS)]
    chart = hbar_chart(
        "chart-health", f"Fetch outcomes of the {len(shown)} most fetched hosts", [r[0] for r in shown], series,
        stacked=True, notes=[f"{r[1]:,} fetch{'es' * (r[1] != 1)}" for r in shown], x_label="share of fetches",
        y_label="host", share=True,
    )
    table = [[r[0], r[1], *r[2:], f"{r[2] / r[1]:.0%}"] for r in shown]
    note = f"And {len(rows) - len(shown)} less fetched hosts." if len(rows) > len(shown) else ""
    return Section("health", heading, f"{caption}, {start} to {end}.", chart,
                   ["host", "fetches", *(g[0] for g in HEALTH_GROUPS), "ok share"], table, note)


# ---- SVG ---------------------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _text(x: float, y: float, text: object, cls: str, anchor: str = "start", extra: str = "") -> str:
    return f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{_e(text)}</text>'


def _svg(cls: str, label: str, width: int, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart {cls}" role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" height="{height:.0f}"><title>{_e(label)}</title>{"".join(body)}</svg>'
    )


def _ticks(top: float, share: bool = False) -> list[float]:
    """Round axis ticks from 0 to at least `top`: whole numbers for counts, quarters for shares."""
    if share:
        return [0, 0.25, 0.5, 0.75, 1]
    raw = max(top, 1) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw))
    return [i * step for i in range(math.ceil(max(top, 1) / step) + 1)]


def _tick_label(value: float, share: bool) -> str:
    return f"{value:.0%}" if share else f"{value:,.0f}"


def _legend(series: list[Series], left: float, right: float) -> tuple[str, float]:
    """Colour swatches with the series names, in rows as wide as the plot; returns it and the height it takes."""
    parts, x, y = ['<g class="legend">'], left, 16.0
    for s in series:
        width = 14 + len(s.name) * FONT * 0.6 + 16
        if x > left and x + width > right:
            x, y = left, y + 18
        parts.append(f'<rect class="swatch" x="{x:.1f}" y="{y - 9:.1f}" width="10" height="10" fill="{s.colour}"/>')
        parts.append(_text(x + 14, y, s.name, "legend-label"))
        x += width
    return "".join([*parts, "</g>"]), y + 18


def _axis_labels(x_label: str, y_label: str, left: float, right: float, top: float, bottom: float) -> str:
    cy = (top + bottom) / 2
    return (_text((left + right) / 2, bottom + 34, x_label, "axis-label", "middle")
            + _text(14, cy, y_label, "axis-label", "middle", f' transform="rotate(-90 14 {cy:.1f})"'))


def _label(x: float, y: float, text: str) -> str:
    """A bar's label, right-aligned before the axis; a long one cut, with the whole of it as its tooltip."""
    if len(text) <= LABEL_CHARS:
        return _text(x, y, text, "label", "end")
    cut = _e(text[: LABEL_CHARS - 1] + "…")
    return f'<text class="label" x="{x:.1f}" y="{y:.1f}" text-anchor="end"><title>{_e(text)}</title>{cut}</text>'


def hbar_chart(
    cls: str, title: str, labels: list[str], series: list[Series], *, x_label: str, y_label: str,
    notes: list[str] | None = None, stacked: bool = False, share: bool = False,
) -> Markup:
    """Horizontal bars, one row per label: the series side by side (grouped) or end to end (stacked).

    Every non-zero value is one <rect class="bar">, with its own <title>; notes are written after each row.
    """
    left = 30 + min(LABEL_CHARS, max(len(v) for v in labels)) * FONT * 0.6 + 8
    right = CHART_WIDTH - 90
    legend, top = _legend(series, left, right) if len(series) > 1 else ("", 10)
    bar = 18 if stacked else 14
    row = (bar if stacked else bar * len(series)) + 10
    bottom = top + row * len(labels)
    totals = [sum(s.values[i] for s in series) if stacked else max(s.values[i] for s in series)
              for i in range(len(labels))]
    ticks = _ticks(max(totals), share)
    scale = (right - left) / ticks[-1]
    body = [legend, _grid(ticks, scale, left, top, bottom, share)]
    for i, name in enumerate(labels):
        y = top + i * row + 5
        body.append(f'<g class="row">{_label(left - 6, y + (row - 10) / 2 + 4, name)}')
        x = left
        for j, s in enumerate(series):
            value = s.values[i]
            width = value * scale
            by = y if stacked else y + j * bar
            if value > 0:
                tip = f"{name}, {s.name}: {_tick_label(value, share) if share else f'{value:,}'}"
                body.append(f'<rect class="bar" x="{x:.1f}" y="{by:.1f}" width="{width:.1f}" height="{bar - 2}" '
                            f'fill="{s.colour}" data-value="{value}"><title>{_e(tip)}</title></rect>')
            x = x + width if stacked else x
        end = left + totals[i] * scale
        if notes:
            body.append(_text(end + 6, y + (row - 10) / 2 + 4, notes[i], "note"))
        body.append("</g>")
    body.append(f'<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>')
    body.append(_axis_labels(x_label, y_label, left, right, top, bottom))
    return _svg(cls, title, CHART_WIDTH, bottom + 44, body)


def _grid(ticks: list[float], scale: float, left: float, top: float, bottom: float, share: bool) -> str:
    """Vertical grid lines at the ticks of a horizontal value axis, labelled under it."""
    parts = ['<g class="grid">']
    for t in ticks:
        x = left + t * scale
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}"/>')
        parts.append(_text(x, bottom + 16, _tick_label(t, share), "tick", "middle"))
    parts.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{left + ticks[-1] * scale:.1f}" y2="{bottom}"/>')
    return "".join([*parts, "</g>"])


def line_chart(cls: str, title: str, days: list[date], series: list[Series], *, x_label: str, y_label: str) -> Markup:
    """One line per series over the days: a <path class="series"> and a <circle class="point"> per day."""
    left, right = 60, CHART_WIDTH - 20
    legend, top = _legend(series, left, right)
    bottom = top + 240
    ticks = _ticks(max(max(s.values) for s in series))
    step = (right - left) / max(len(days) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + i * step if len(days) > 1 else (left + right) / 2
        return x, bottom - v / ticks[-1] * (bottom - top)

    body = [legend, '<g class="grid">']
    for t in ticks:
        y = xy(0, t)[1]
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}"/>')
        body.append(_text(left - 6, y + 4, _tick_label(t, False), "tick", "end"))
    every = max(1, math.ceil(len(days) / 7))
    for i in range(0, len(days), every):
        body.append(_text(xy(i, 0)[0], bottom + 16, days[i].strftime("%b %d"), "tick", "middle"))
    body.append(f'<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/></g>')
    for s in series:
        points = [xy(i, v) for i, v in enumerate(s.values)]
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
        body.append(f'<g class="line"><path class="series" d="{d}" stroke="{s.colour}" fill="none">'
                    f"<title>{_e(s.name)}</title></path>")
        for (x, y), day, v in zip(points, days, s.values, strict=True):
            body.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{s.colour}" data-value="{v}">'
                        f"<title>{_e(f'{s.name}, {day}: {v:,}')}</title></circle>")
        body.append("</g>")
    body.append(_axis_labels(x_label, y_label, left, right, top, bottom))
    return _svg(cls, title, CHART_WIDTH, bottom + 44, body)
