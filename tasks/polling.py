"""Adaptive polling: after each successful poll, how long until a feed is polled again.

The interval is a sixth of the feed's estimated mean gap between items, clamped to [min, max]. The gap comes from:

- The items' dates, over windows that end at the poll rather than at the newest item ((poll - K-th newest date) / K),
  so silence counts: a feed whose items are all months old is dormant, however closely they were spaced. The
  busiest window of the 3 to 10 newest dates is taken: a burst shows as soon as three of its items are in the body,
  an old tail (one very old item) cannot stretch it, and after a burst it relaxes gradually. Equal dates are one
  publishing event, a body whose items all share one date (a build time) has none, and future dates are dropped.
- The share of new items, for undated feeds and where dates mislead: a Gamma-Poisson update of the rate by "k new
  items since the last poll", the previous interval standing for the previous estimate worth five items. An empty
  poll or 304 lengthens a little (quiet for T, the gap becomes about T/5), new items shorten, a quick re-poll
  changes nothing, and a body that is all new (we fell behind) drops the prior. Five items, not one, because the
  interval is the only state kept: a weak prior swings it by half on each lone item or empty poll, and that
  wandering left 15% of undated feeds' items over two minutes in simulation (1-2% with five).

Dates dominate from five of them and are blended with the share below that. New items the dates do not account for
(undated, backdated) let the share shorten the interval, and so do several new items at once; fresh dates on items
that are not new (restamped, bumped update dates) are not publication dates and are ignored.

Why a sixth of the gap, not the whole gap (one new item per poll): an item waits for the next poll, up to a whole
interval. Polling once per gap leaves items of feeds publishing every 5-30 minutes waiting 5-30 minutes (p95 of a
mixed population ~4-9 minutes in simulation); six polls per gap keep it under two, still polling an hourly feed
every 10 minutes and daily or slower ones at the maximum. Lengthening is limited to x1.5 per poll, so no single
quiet poll takes a feed from the minimum to the maximum; shortening is not limited, so bursts are followed at once.

A first poll without dates starts at the minimum: a feed we know nothing about may be a busy one, and guessing low
costs a few cheap polls where guessing high leaves a busy feed's items waiting a whole interval. Dates in the first
body set the interval directly.

Pure and deterministic (no clock, no I/O), O(items).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

POLLS_PER_GAP = 6.0  # the interval is the estimated mean gap between items over this
PRIOR_ITEMS = 5.0  # what the previous interval's estimate weighs against one poll's new items, in items
FULL_WEIGHT_DATES = 5  # distinct dates for the date estimate to stand alone
RECENT_DATES = 10  # the newest distinct dates considered: the recent window
MIN_WINDOW_DATES = 3  # the busiest window holds at least this many dates (fewer: all of them)
MAX_GROWTH = 1.5  # the most an interval lengthens in one poll
MIN_GAP = 1.0  # seconds: floor of every gap estimate


@dataclass(frozen=True)
class PollObservation:
    """One successful poll of a feed, as the interval learns from it.

    A 304 or an unchanged body is the last body again: pass its dates and item count when at hand, so the date
    estimate keeps its footing. Without them (published=(), seen_items=0) only the share speaks, and it lengthens
    the interval slowly.
    """

    polled_at: datetime  # aware UTC
    published: Sequence[datetime | None]  # the published_at of every item in the feed body this poll (None: undated)
    new_items: int  # items not seen before in this feed
    seen_items: int  # items already known
    changed: bool  # False for a 304 / unchanged body (then new_items = 0)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def date_ages(published: Sequence[datetime | None], now: datetime) -> list[float]:
    """Seconds from each distinct publishing date to the poll, newest first; undated and later dates left out."""
    ages = [(now - _utc(moment)).total_seconds() for moment in published if moment is not None]
    distinct = sorted({age for age in ages if age >= 0})
    if len(distinct) == 1 and len(ages) >= 3:  # every item carries one date: the feed's build time, not publication
        return []
    return distinct


def date_gap(ages: Sequence[float]) -> float | None:
    """Mean gap between items from their ages (newest first): the busiest window that ends at the poll."""
    recent = ages[:RECENT_DATES]
    if not recent:
        return None
    if len(recent) < MIN_WINDOW_DATES:
        return max(recent[-1] / len(recent), MIN_GAP)
    return max(min(recent[k - 1] / k for k in range(MIN_WINDOW_DATES, len(recent) + 1)), MIN_GAP)


def _blend(a: float, b: float, weight_a: float) -> float:
    """Weighted geometric mean: gaps are compared as ratios."""
    return math.exp(weight_a * math.log(a) + (1 - weight_a) * math.log(b))


def next_interval(
    previous: float | None,
    last_polled_at: datetime | None,
    obs: PollObservation,
    min_interval: float,
    max_interval: float,
    *,
    polls_per_gap: float = POLLS_PER_GAP,
) -> float:
    """Seconds until this feed's next poll."""
    low = max(float(min_interval), 0.0) if math.isfinite(min_interval) else 0.0
    high = max(float(max_interval), low) if not math.isnan(max_interval) else low
    if high <= 0:
        return 0.0
    per_gap = polls_per_gap if math.isfinite(polls_per_gap) and polls_per_gap > 0 else POLLS_PER_GAP
    start = max(low, MIN_GAP / per_gap)  # a zero minimum still needs a gap to start from
    if previous is not None and not (math.isfinite(previous) and previous > 0):
        previous = None
    now = _utc(obs.polled_at)
    new = max(int(obs.new_items), 0) if obs.changed else 0
    elapsed = None
    if previous is not None:
        elapsed = previous if last_polled_at is None else max((now - _utc(last_polled_at)).total_seconds(), 0.0)

    ages = date_ages(obs.published, now)
    fresh = 0 if elapsed is None else sum(1 for age in ages if age < elapsed)  # dates since the last poll
    if fresh > new:  # dates claiming more new items than the poll found are not publication dates
        ages, fresh = [], 0
    by_dates = date_gap(ages)
    weight = min(len(ages) / FULL_WEIGHT_DATES, 1.0)

    if elapsed is None:
        gap = start * per_gap  # no history: as if the feed were one polled at the minimum
        if by_dates is not None:
            gap = _blend(by_dates, gap, weight)
    else:
        prior = min(max(previous, start), high) * per_gap  # the gap the previous interval stood for
        if new >= 2 and obs.seen_items <= 0:  # the whole body is new: we fell behind, and the prior is wrong
            by_share = max(elapsed / new, MIN_GAP)
        else:
            by_share = max((elapsed + PRIOR_ITEMS * prior) / (new + PRIOR_ITEMS), MIN_GAP)
        gap = by_share
        if by_dates is not None:
            gap = _blend(by_dates, by_share, weight)
            if new > fresh or new >= 2:  # activity the dates miss, or more than one item since the last poll
                gap = min(gap, by_share)

    interval = gap / per_gap
    if previous is not None:
        interval = min(interval, max(previous, low) * MAX_GROWTH)
    return min(max(interval, low), high)
