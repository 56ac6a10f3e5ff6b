"""`wirehouse feeds`: the feed list, with each feed's health in the warehouse."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wirehouse.models import Feed
from wirehouse.settings import Settings

if TYPE_CHECKING:
    pass

from wirehouse.cli_common import DbOption, FeedsOption, TableFormat, console, err, print_rows

feeds_app = typer.Typer(help="The feed list.", no_args_is_help=True)


@feeds_app.command("list")
def feeds_list(
    feeds: FeedsOption = None,
    db: DbOption = None,
    format: Annotated[TableFormat, typer.Option("--format", "-f")] = TableFormat.table,
) -> None:
    """Show the feed list, with each feed's state when the warehouse has polled it."""
    import duckdb

    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.warehouse.db import open_for_reading

    settings = Settings.with_overrides(feeds_file=feeds, db=db)
    listed = load_feed_list(Path(settings.feeds_file))
    state: dict[str, tuple] = {}
    try:
        with open_for_reading(settings.db) as con:
            found = con.execute(
                "SELECT feed, last_polled_at, coalesce(CASE WHEN gone_at IS NOT NULL THEN 'gone' END, last_status), "
                "last_error, consecutive_failures, next_poll_at, entries_seen FROM feeds"
            ).fetchall()
            state = {row[0]: row[1:] for row in found}
    except duckdb.Error as exc:  # no warehouse yet, or a run holds it: the list alone still helps
        if Path(settings.db).exists():
            err.print(f"[yellow]feed state unavailable: {exc}[/]")
    columns = ["name", "url", "site", "full_content", "last_polled_at", "last_status", "last_error", "failures",
               "next_poll_at", "entries_seen"]
    never = (None, "never polled", None, None, None, None)
    rows = [(f.name, f.url, f.site, f.full_content, *state.get(f.name, never)) for f in listed]
    print_rows(columns, rows, format, sys.stdout)


@feeds_app.command("add")
def feeds_add(
    url: Annotated[str, typer.Argument(help="the feed's URL, or a site's page: its feeds are discovered")],
    name: Annotated[str | None, typer.Option(help="unique name (default: from the site or URL)")] = None,
    site: Annotated[str | None, typer.Option()] = None,
    language: Annotated[str | None, typer.Option()] = None,
    full_content: Annotated[bool, typer.Option(help="use the feed's own content, not the page")] = False,
    check: Annotated[bool, typer.Option(help="fetch the URL first; find the feed when it is a web page")] = True,
    feeds: FeedsOption = None,
) -> None:
    """Add a feed to the feed list. Given a homepage, finds its feed (<link rel=alternate>, common paths)."""
    from wirehouse.tasks.feeds import find_feed
    from wirehouse.tasks.opml import slugify

    settings = Settings.with_overrides(feeds_file=feeds)
    if check:
        poll, candidates = find_feed(url, settings)
        if poll.error:
            tried = f" (also tried {len(candidates)} candidates)" if candidates else ""
            err.print(f"[red]{url} is not a usable feed: {poll.error}{tried}[/]")
            raise typer.Exit(1)
        if poll.feed.url != url:
            console.print(f"{url} is a page; its feed is {poll.feed.url}")
        url = poll.feed.url
        console.print(f"{url}: {len(poll.entries)} entries")
    name = name or slugify(site or url.split("//")[-1])
    _append_feeds(settings, [Feed(name, url, site, language, full_content)])


def _append_feeds(settings: Settings, new: list[Feed]) -> None:
    from wirehouse.tasks.feedlist import FeedListError, append_to_feed_list

    for feed in new:
        try:
            append_to_feed_list(Path(settings.feeds_file), feed)
        except FeedListError as exc:
            err.print(f"[yellow]skipped {feed.name}: {exc}[/]")
            if len(new) == 1:
                raise typer.Exit(1) from exc
            continue
        console.print(f"added [bold]{feed.name}[/] ({feed.url}) to {settings.feeds_file}")


@feeds_app.command("import")
def feeds_import(
    opml: Annotated[Path, typer.Argument(help="an OPML file, as feed readers export")],
    feeds: FeedsOption = None,
) -> None:
    """Add every feed of an OPML file to the feed list (feeds already listed are skipped)."""
    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.tasks.opml import read_opml, unique_name

    settings = Settings.with_overrides(feeds_file=feeds)
    try:
        found = read_opml(opml.read_bytes())
    except (OSError, ValueError) as exc:
        err.print(f"[red]cannot read {opml}: {exc}[/]")
        raise typer.Exit(1) from exc
    listed = load_feed_list(Path(settings.feeds_file)) if Path(settings.feeds_file).exists() else []
    taken = {f.name for f in listed}
    # names are unique within the OPML file, not against the list already there
    _append_feeds(settings, [replace(feed, name=unique_name(feed.name, taken)) for feed in found])


@feeds_app.command("export")
def feeds_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file to write (default: standard output)")] = None,
    feeds: FeedsOption = None,
) -> None:
    """Write the feed list as OPML, for feed readers and other tools."""
    from wirehouse.tasks.feedlist import load_feed_list
    from wirehouse.tasks.opml import write_opml

    settings = Settings.with_overrides(feeds_file=feeds)
    data = write_opml(load_feed_list(Path(settings.feeds_file)))
    if out:
        out.write_bytes(data)
        console.print(f"wrote {out}")
    else:
        sys.stdout.buffer.write(data)
