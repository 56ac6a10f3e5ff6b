"""The HTML report on a small warehouse whose charts are worked out by hand, as text and in headless Chromium.

Three sites in the period (plus old.example, months before it), ISO weeks of Monday 2024-05-06 and 2024-05-13:

    article  host           day (May)  entities
    a1       alpha.example  7          Joe Biden, Hamas
    a2       alpha.example  7          NATO, Hamas
    a3       alpha.example  8          NATO
    b1       beta.example   7          Joe Biden
    a4       alpha.example  14         Joe Biden, NATO, <script>alert(1)</script>
    a5       alpha.example  14         Joe Biden, Entity 01 .. Entity 08
    b2       beta.example   14         Joe Biden               (a copy of a5's story)
    b3       beta.example   16         Joe Biden, NATO
    b4       beta.example   16         -
    g1       gamma.example  15         -
    o1       old.example    March 1    -

Trending, week of May 13 against May 6: Joe Biden 4 (2), NATO 2 (2), then nine new entities in one article each, of
which the first seven by name make the top ten (Hamas, 0 this week, is not trending).
"""

from __future__ import annotations

import html
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from wirehouse.report import render_report, write_report
from wirehouse.warehouse import connect
from wirehouse.warehouse.views import install_views, view_files

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
XSS = "<script>alert(1)</script>"
EXTRA = [f"Entity {i:02}" for i in range(1, 9)]
ENTITIES = {"biden": "Joe Biden", "nato": "NATO", "hamas": "Hamas", "xss": XSS} | {e: e for e in EXTRA}
ARTICLES = [  # article_id, host, (month, day), story_id, entity_ids
    ("a1", "alpha.example", (5, 7), "a1", ["biden", "hamas"]),
    ("a2", "alpha.example", (5, 7), "a2", ["nato", "hamas"]),
    ("a3", "alpha.example", (5, 8), "a3", ["nato"]),
    ("b1", "beta.example", (5, 7), "b1", ["biden"]),
    ("a4", "alpha.example", (5, 14), "a4", ["biden", "nato", "xss"]),
    ("a5", "alpha.example", (5, 14), "a5", ["biden", *EXTRA]),
    ("b2", "beta.example", (5, 14), "a5", ["biden"]),
    ("b3", "beta.example", (5, 16), "b3", ["biden", "nato"]),
    ("b4", "beta.example", (5, 16), "b4", []),
    ("g1", "gamma.example", (5, 15), "g1", []),
    ("o1", "old.example", (3, 1), "o1", []),
]
QUOTES = [  # article_id, speaker, speaker_kind, speaker_entity_id, speaker_canonical
    ("a4", "Biden", "named", "biden", "Joe Biden"),
    ("a4", "he", "named", "biden", "Joe Biden"),
    ("b2", "Biden", "named", "biden", "Joe Biden"),
    ("a5", "Gallant", "named", None, "Yoav Gallant"),
    ("b3", "Mallory", "named", "xss", XSS),
    ("a1", "a senior official", "anonymous", None, None),
    ("a2", "officials", "anonymous", None, None),
    ("b1", "he", "unknown", None, None),
]
FETCHES = [  # host, kind, access_status, (month, day)
    ("www.alpha.example", "page", "ok", (5, 7)),
    ("www.alpha.example", "page", "ok", (5, 8)),
    ("alpha.example", "page", "ok", (5, 14)),
    ("www.alpha.example", "page", "bot_challenge", (5, 14)),
    ("beta.example", "page", "ok", (5, 7)),
    ("beta.example", "page", "timeout", (5, 14)),
    ("beta.example", "feed", "not_modified", (5, 14)),
    ("gamma.example", "page", "ok", (5, 15)),
    ("old.example", "page", "error", (3, 1)),
]
# marks each chart must draw: volume 3 sites x 10 days (May 7 to 16); trending Biden and NATO two bars each, eight
# new entities one; speakers three; health: alpha ok + blocked, beta ok + not modified + failed, gamma ok
MARKS = {
    "chart-volume": ("path.series", 3),
    "chart-trending": ("rect.bar", 2 + 2 + 8),
    "chart-speakers": ("rect.bar", 3),
    "chart-health": ("rect.bar", 6),
}


def at(month_day: tuple[int, int], hour: int = 12) -> datetime:
    return datetime(2024, *month_day, hour, tzinfo=UTC)


def fill(con: duckdb.DuckDBPyConnection) -> None:
    con.executemany("INSERT INTO entities VALUES (?, ?, 'ORG', NULL, '2024-03-01')", list(ENTITIES.items()))
    for article_id, host, day, story, _ in ARTICLES:
        con.execute(
            "INSERT INTO articles (article_id, host, feed, title, published_at, fetched_at, story_id, word_count, "
            "text, url, content_hash, text_hash, source, extractor, run_id, loaded_at) "
            "VALUES ($1, $2, $2, $1, $3, $3, $4, 100, 'Text.', 'https://' || $2 || '/' || $1, $1, $1, 'page', 'test', "
            "'r1', $3)",
            [article_id, host, at(day), story],
        )
    con.executemany(
        "INSERT INTO mentions (article_id, entity_id, label, start_char, end_char, text, version, run_id) "
        "VALUES (?, ?, 'ORG', 0, 1, 'x', 'v1', 'r2')",
        [(article_id, e) for article_id, *_, mentioned in ARTICLES for e in mentioned],
    )
    con.executemany(
        "INSERT INTO quotes (article_id, speaker, speaker_kind, speaker_entity_id, speaker_canonical, quote_index,"
        " start_char, end_char, text, version, run_id) VALUES (?, ?, ?, ?, ?, 0, 0, 1, 'x', 'v1', 'r2')",
        QUOTES,
    )
    con.executemany(
        "INSERT INTO fetches (url, host, kind, access_status, tries, fetched_at, run_id) "
        "VALUES ('https://' || $1 || '/', $1, $2, $3, 1, $4, 'r1')",
        [(host, kind, status, at(day)) for host, kind, status, day in FETCHES],
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    with connect(folder / "w.duckdb") as con:
        fill(con)
        install_views(con)
        return write_report(con, folder / "out" / "report.html")


@pytest.fixture(scope="module")
def empty_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("empty")
    with connect(folder / "w.duckdb") as con:
        install_views(con)
        return write_report(con, folder / "report.html")


def section(page: str, key: str) -> str:
    return re.search(rf'<section id="{key}".*?</section>', page, re.S).group(0)


def table_rows(page: str, key: str) -> list[str]:
    """The first cell of each body row of a section's table."""
    return [html.unescape(c) for c in re.findall(r'<tr><th scope="row">(.*?)</th>', section(page, key))]


def test_the_report_holds_the_four_charts_with_their_data(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    for cls in MARKS:
        svg = re.search(rf'<svg class="chart {cls}" role="img" aria-label="[^"]+"[^>]*><title>[^<]+</title>', page)
        assert svg, cls
    assert re.search(r'data-total="articles">11<', page) and re.search(r'data-total="stories">10<', page)
    assert re.search(r'data-total="sources">4<', page)
    assert "2024-04-17 to 2024-05-16" in page  # 30 days up to the newest data, not up to today
    assert table_rows(page, "volume")[0] == "2024-05-07" and len(table_rows(page, "volume")) == 10
    assert "old.example" not in section(page, "volume") + section(page, "health")  # before the period
    trending = table_rows(page, "trending")
    assert trending == ["Joe Biden", "NATO", XSS, *EXTRA[:7]]
    assert "<td>+2</td>" in section(page, "trending") and "<td>new</td>" in section(page, "trending")
    assert table_rows(page, "speakers") == ["Joe Biden", XSS, "Yoav Gallant"]
    assert "2 quotations from anonymous speakers" in page
    assert table_rows(page, "health") == ["alpha.example", "beta.example", "gamma.example"]
    assert page.count("no data yet") == 0


def test_names_are_escaped_and_nothing_comes_from_the_network(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//|@import", page, re.I)


def test_an_empty_warehouse_says_no_data_yet(empty_report: Path) -> None:
    page = empty_report.read_text(encoding="utf-8")
    for key in ("volume", "trending", "speakers", "health"):
        assert '<p class="empty">no data yet</p>' in section(page, key)
    assert "<svg" not in page


def test_a_read_only_warehouse_without_the_views_gets_them_for_the_session(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with connect(db) as con:
        fill(con)
        for path in view_files():  # as a warehouse written before the views were
            con.execute(f"DROP VIEW IF EXISTS {path.stem}")
    with duckdb.connect(str(db), read_only=True) as con:
        page = render_report(con, days=7)
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE database_name = 'temp'").fetchone()[0] >= 5
    assert "Joe Biden" in section(page, "trending") and "2024-05-10 to 2024-05-16" in page


def test_days_must_be_positive(tmp_path: Path) -> None:
    with connect(tmp_path / "w.duckdb") as con, pytest.raises(ValueError, match="at least 1"):
        write_report(con, tmp_path / "r.html", days=0)


# ---- in a real browser -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "the report test needs Chromium: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)  # never a downloaded browser
        yield browser
        browser.close()


def open_page(browser, path: Path):
    """The report in a fresh page, with the console errors and uncaught exceptions it raised."""
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: errors.append(f"request {r.url}") if not r.url.startswith("file:") else None)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors


def test_every_chart_renders_in_chromium(browser, report: Path) -> None:
    page, errors = open_page(browser, report)
    for cls, (marks, count) in MARKS.items():
        svg = page.locator(f"svg.{cls}")
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, cls
        assert svg.locator(marks).count() == count, cls
        for i in range(count):  # drawn: every mark has an area on the page (a line: its length)
            mark = svg.locator(marks).nth(i).bounding_box()
            assert mark and mark["width"] + mark["height"] > 1, (cls, i)
    assert page.locator("svg.chart-volume circle.point").count() == 3 * 10
    assert page.locator("svg.chart-health .legend .swatch").count() == 5
    assert page.get_by_role("img", name=re.compile("entities this week")).count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    assert errors == []
    page.close()


def test_the_empty_report_opens_without_errors(browser, empty_report: Path) -> None:
    page, errors = open_page(browser, empty_report)
    assert page.locator("p.empty").count() == 4
    assert errors == []
    page.close()
