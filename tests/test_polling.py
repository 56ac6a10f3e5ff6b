"""Adaptive polling intervals (tasks/polling.py): the date estimator, then simulated feed histories polled at the
intervals the function returns, then bounds for arbitrary inputs."""

from __future__ import annotations

import math
import random
import statistics
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wirehouse.tasks.polling import PollObservation, date_ages, date_gap, next_interval

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
MIN, MAX = 60.0, 6 * 3600.0
BODY = 20  # items a feed body shows: the newest ones
HOUR, DAY, WEEK = 3600.0, 86400.0, 7 * 86400.0


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- a tiny simulator -------------------------------------------------------------------------------------------


@dataclass
class Run:
    polls: list[float] = field(default_factory=list)  # when the feed was polled
    intervals: list[float] = field(default_factory=list)  # what next_interval returned after each poll
    latency: dict[int, float] = field(default_factory=dict)  # item index -> seconds from publication to detection


def simulate(times: Sequence[float], *, until: float, dated: bool = True, start: float = 0.0,
             previous: float | None = None, dates_on_304: bool = True) -> Run:
    """Poll a feed publishing at `times` (seconds from T0, sorted) from `start` on, at the intervals returned.

    Each poll sees the BODY newest items published so far; new items are those no earlier poll saw. An unchanged
    body is a 304: with `dates_on_304` the caller passes the last body's dates and count (what the warehouse
    knows), without it nothing at all. With a `previous` interval the feed was last polled that long before
    `start`, and what it showed then is known.
    """
    run, seen, last_body, last_at = Run(), set(), None, None
    if previous is not None:
        last_at = start - previous
        end = bisect_right(times, last_at)
        last_body = range(max(0, end - BODY), end)
        seen.update(last_body)
    t = start
    while t < until:
        end = bisect_right(times, t)
        body = range(max(0, end - BODY), end)
        new = [i for i in body if i not in seen]
        changed = body != last_body
        seen.update(body)
        for i in new:
            run.latency[i] = t - times[i]
        if changed or dates_on_304:
            published = [at(times[i]) if dated else None for i in body]
            seen_count = len(body) - len(new)
        else:
            published, seen_count = [], 0
        obs = PollObservation(at(t), published, len(new), seen_count, changed)
        previous = next_interval(previous, None if last_at is None else at(last_at), obs, MIN, MAX)
        run.polls.append(t)
        run.intervals.append(previous)
        last_body, last_at = body, t
        t += previous
    return run


def poisson(rng: random.Random, gap: float, start: float, end: float) -> list[float]:
    times, t = [], start
    while (t := t + rng.expovariate(1 / gap)) < end:
        times.append(t)
    return times


def bursty(rng: random.Random, quiet: float, start: float, end: float, size: int = 10, span: float = 600.0
           ) -> list[float]:
    """Quiet for `quiet` seconds on average, then `size` items within `span` seconds."""
    times, t = [], start
    while (t := t + rng.expovariate(1 / quiet)) < end:
        times.extend(sorted(t + rng.uniform(0, span) for _ in range(size)))
        t += span
    return times


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


# --- the date estimate ------------------------------------------------------------------------------------------


def test_the_date_gap_is_the_busiest_window_ending_at_the_poll() -> None:
    now = at(0)
    regular = [at(-120 * k - 30) for k in range(20)]  # every 2 minutes, newest 30 s old
    assert 90 <= date_gap(date_ages(regular, now)) <= 130
    # One very old item, duplicated timestamps, undated items and a date next week change nothing.
    noisy = [*regular, at(-400 * DAY), regular[0], regular[3], None, None, at(WEEK)]
    assert date_gap(date_ages(noisy, now)) == date_gap(date_ages(regular, now))


def test_silence_counts_a_dormant_feed_has_a_long_gap() -> None:
    dormant = [at(-120 * DAY - 120 * k) for k in range(20)]  # closely spaced, but four months ago
    assert date_gap(date_ages(dormant, at(0))) > 10 * DAY


def test_a_fresh_burst_shows_at_once_in_an_otherwise_slow_feed() -> None:
    burst = [at(-60 * k) for k in range(1, 4)] + [at(-3 * HOUR * k) for k in range(1, 17)]
    assert date_gap(date_ages(burst, at(0))) <= 60


def test_one_date_for_every_item_is_a_build_time_not_dates() -> None:
    assert date_ages([at(-5)] * 20, at(0)) == []
    assert date_gap(date_ages([at(-5)] * 20, at(0))) is None


# --- one poll ---------------------------------------------------------------------------------------------------


def test_first_poll_without_dates_starts_at_the_minimum() -> None:
    assert next_interval(None, None, PollObservation(at(0), [None] * 10, 10, 0, True), MIN, MAX) == MIN
    assert next_interval(None, None, PollObservation(at(0), [], 0, 0, True), MIN, MAX) == MIN


def test_first_poll_with_dates_sets_the_interval_directly() -> None:
    weekly = [at(-2 * DAY - WEEK * k) for k in range(20)]
    assert next_interval(None, None, PollObservation(at(0), weekly, 20, 0, True), MIN, MAX) == MAX
    hourly = [at(-600 - HOUR * k) for k in range(20)]
    assert 5 * 60 <= next_interval(None, None, PollObservation(at(0), hourly, 20, 0, True), MIN, MAX) <= 15 * 60


def test_one_quiet_poll_never_jumps_from_the_minimum_to_the_maximum() -> None:
    dormant = [at(-120 * DAY - HOUR * k) for k in range(20)]
    obs = PollObservation(at(0), dormant, 0, 20, False)
    assert next_interval(MIN, at(-MIN), obs, MIN, MAX) == 1.5 * MIN
    assert next_interval(MIN, at(-MIN), PollObservation(at(0), [], 0, 0, False), MIN, MAX) < 1.5 * MIN


def test_several_new_undated_items_shorten_and_empty_polls_lengthen() -> None:
    previous = 1200.0
    busy = next_interval(previous, at(-previous), PollObservation(at(0), [None] * 20, 12, 8, True), MIN, MAX)
    quiet = next_interval(previous, at(-previous), PollObservation(at(0), [None] * 20, 0, 20, False), MIN, MAX)
    assert busy < previous / 2 and previous < quiet < 1.1 * previous


def test_fresh_dates_on_items_that_are_not_new_are_ignored() -> None:
    """A feed restamping its items at every build: the dates say 'just published', the poll found nothing new."""
    restamped = [at(-k) for k in range(20)]
    obs = PollObservation(at(0), restamped, 0, 20, True)
    assert next_interval(600, at(-600), obs, MIN, MAX) > 600


def test_the_bounds_are_respected_and_a_zero_minimum_works() -> None:
    busy = [at(-k) for k in range(20)]
    assert next_interval(None, None, PollObservation(at(0), busy, 20, 0, True), 0, MAX) > 0
    assert next_interval(None, None, PollObservation(at(0), busy, 20, 0, True), MIN, MAX) == MIN
    fixed = next_interval(None, None, PollObservation(at(0), [at(-WEEK)], 1, 0, True), 300, 300)
    assert fixed == 300


# --- simulated feeds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("regular", [True, False], ids=["regular", "poisson"])
def test_a_feed_publishing_every_two_minutes_is_polled_every_one_to_three(regular: bool) -> None:
    rng = random.Random(7)
    times = [120.0 * k + 17 for k in range(-200, 200)] if regular else poisson(rng, 120, -DAY, 8 * HOUR)
    run = simulate(times, until=6 * HOUR)
    settled = run.intervals[5:]
    assert all(MIN <= i <= 180 for i in settled)
    fresh = [lat for i, lat in run.latency.items() if times[i] >= 0]
    assert statistics.mean(fresh) <= 120 and max(fresh) <= 180
    assert all(i in run.latency for i, t in enumerate(times) if 0 <= t <= run.polls[-1])


def test_a_weekly_feed_climbs_to_the_maximum() -> None:
    times = [WEEK * k + 3 * HOUR for k in range(-20, 3)]
    run = simulate(times, until=3 * WEEK, previous=MIN)  # from the minimum: gradually
    assert run.intervals[0] == 1.5 * MIN and all(b <= 1.5 * a for a, b in pairwise(run.intervals))
    assert run.polls[run.intervals.index(MAX)] < DAY  # within a day
    assert run.intervals[run.intervals.index(MAX):] == [MAX] * (len(run.intervals) - run.intervals.index(MAX))
    assert len(run.latency) == 3  # this week's items were still found


def test_a_dormant_feed_goes_to_the_maximum() -> None:
    times = [-150 * DAY + HOUR * k for k in range(20)]  # its last 20 items, months old
    assert simulate(times, until=DAY).intervals == [MAX] * 4  # a first poll with dates
    for dates_on_304 in (True, False):
        run = simulate(times, until=10 * DAY, previous=MIN, dates_on_304=dates_on_304)
        assert run.intervals[-1] == MAX


def test_a_burst_after_hours_of_quiet_is_followed_within_a_few_polls() -> None:
    quiet = [-3 * HOUR * k for k in range(1, 30)][::-1]
    burst_at = 5 * HOUR + 123
    burst = [burst_at + 60 * k for k in range(10)]  # 10 items in 10 minutes
    times = [*quiet, *burst]
    run = simulate(times, until=8 * HOUR)
    before = [i for p, i in zip(run.polls, run.intervals, strict=True) if p < burst_at]
    assert min(before[-3:]) > 10 * 60  # it was polled rarely before
    first = next(k for k, p in enumerate(run.polls) if p >= burst_at)  # the first poll that sees the burst
    assert run.intervals[first + 2] == MIN  # at the minimum within a few polls (at once if 3 items show)
    after = [run.latency[len(quiet) + k] for k in range(10) if burst[k] > run.polls[first + 2]]
    assert all(lat <= MIN for lat in after)  # the rest of the burst is caught within a minute
    assert max(run.latency[len(quiet) + k] for k in range(10)) <= max(before[-1], 2 * MIN)


def test_an_undated_feed_adapts_through_the_share_of_new_items() -> None:
    rng = random.Random(11)
    busy = poisson(rng, 120, -DAY, 12 * HOUR)
    run = simulate(busy, until=12 * HOUR, dated=False, previous=MAX)  # starts far too slow
    settle = next(k for k, i in enumerate(run.intervals) if i <= 180)
    assert run.polls[settle] < HOUR  # a full body of new items cuts the interval at once
    later = [lat for i, lat in run.latency.items() if busy[i] > 3 * HOUR]
    assert statistics.mean(later) <= 120 and quantile(later, 0.95) <= 240
    assert statistics.median(run.intervals[settle:]) <= 180

    slow = poisson(random.Random(12), 6 * HOUR, -DAY, 4 * DAY)
    run = simulate(slow, until=4 * DAY, dated=False)  # from the minimum (first poll)
    assert run.intervals[0] == MIN and statistics.median(run.intervals[-20:]) > 30 * 60


def population(seed: int, spread: str) -> list[tuple[list[float], bool]]:
    """50 feeds publishing every ~30 s to ~30 min: 34 dated, 8 undated, 8 bursty (dated)."""
    rng = random.Random(seed)
    feeds = []
    for k in range(42):
        gap = 30 * 60 ** (k / 41) if spread == "log" else 30 + (1800 - 30) * k / 41
        feeds.append((poisson(rng, gap, -DAY, 2 * HOUR), k % 5 != 2))
    feeds += [(bursty(rng, rng.uniform(0.5, 3) * HOUR, -DAY, 2 * HOUR), True) for _ in range(8)]
    return feeds


@pytest.mark.parametrize("spread", ["log", "linear"])
@pytest.mark.parametrize("dates_on_304", [True, False], ids=["304-with-dates", "bare-304"])
def test_a_mixed_population_polls_less_than_every_minute_and_p95_stays_under_two_minutes(
    spread: str, dates_on_304: bool
) -> None:
    polls, latencies = 0, []
    for times, dated in population(1, spread):
        run = simulate(times, until=HOUR + 30 * 60, dated=dated, dates_on_304=dates_on_304)
        polls += sum(1 for t in run.polls if t < HOUR)
        latencies += [lat for i, lat in run.latency.items() if 0 <= times[i] < HOUR]
        assert all(i in run.latency for i, t in enumerate(times) if 0 <= t <= run.polls[-1])  # none fell out unseen
    fixed = 50 * HOUR / 60
    assert polls < 0.85 * fixed
    assert quantile(latencies, 0.95) <= 120 and statistics.median(latencies) <= 45


# --- any input --------------------------------------------------------------------------------------------------

moments = st.datetimes(timezones=st.none() | st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(
    previous=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    last_polled_at=st.none() | moments,
    polled_at=moments,
    published=st.lists(st.none() | moments, max_size=30),
    new_items=st.integers(-3, 10**6),
    seen_items=st.integers(-3, 10**6),
    changed=st.booleans(),
    bounds=st.tuples(st.floats(0, 1e7), st.floats(0, 1e7)).map(sorted),
)
def test_the_interval_is_always_within_the_bounds(
    previous: float | None, last_polled_at: datetime | None, polled_at: datetime, published: list[datetime | None],
    new_items: int, seen_items: int, changed: bool, bounds: list[float],
) -> None:
    low, high = bounds
    obs = PollObservation(polled_at, published, new_items, seen_items, changed)
    interval = next_interval(previous, last_polled_at, obs, low, high)
    assert low <= interval <= high and not math.isnan(interval)
    assert next_interval(previous, last_polled_at, obs, low, high) == interval  # deterministic
