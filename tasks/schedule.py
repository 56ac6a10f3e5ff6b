"""When a feed is polled next: its learned interval after a good poll, exponential backoff after a failure,
gone feeds retired."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from wirehouse.models import FeedPoll, FeedState, PollStatus
from wirehouse.settings import Settings
from wirehouse.tasks.polling import PollObservation, next_interval

GONE_STATUSES = frozenset({410})


def is_due(state: FeedState, now: datetime) -> bool:
    return state.gone_at is None and (state.next_poll_at is None or state.next_poll_at <= now)


def next_due(states: Iterable[FeedState]) -> datetime | None:
    """When the first of these feeds is due again (None: one is due at the next run, or none will be)."""
    times = [s.next_poll_at for s in states if s.gone_at is None]
    return None if not times or None in times else min(times)


def after_poll(
    state: FeedState, poll: FeedPoll, settings: Settings, seen: int = 0
) -> tuple[FeedState, str | None]:
    """The feed's state after a poll, and why it is now gone (None while it is not).

    seen: how many of the poll's items the feed had shown before (the rest are new).
    """
    at = poll.polled_at
    if poll.status == PollStatus.FAILED:
        failures = state.consecutive_failures + 1
        first_failure = state.first_failure_at or at
        delay = min(settings.backoff_base * 2 ** min(failures - 1, 32), settings.backoff_cap)
        gone_reason = None
        if poll.http_status in GONE_STATUSES:
            gone_reason = f"HTTP {poll.http_status}"
        elif at - first_failure >= timedelta(days=settings.gone_after_days):
            gone_reason = f"failing since {first_failure:%Y-%m-%d %H:%M} UTC ({poll.error})"
        new = replace(
            state,
            consecutive_failures=failures,
            first_failure_at=first_failure,
            next_poll_at=at + timedelta(seconds=delay),
            gone_at=at if gone_reason else state.gone_at,  # a forced poll of a gone feed that fails: still gone
        )
        return new, gone_reason
    observation = PollObservation(
        polled_at=at, published=[e.published_at for e in poll.entries], new_items=max(0, len(poll.entries) - seen),
        seen_items=seen, changed=poll.status == PollStatus.NEW,
    )
    interval = next_interval(state.poll_interval, state.last_success_at, observation,
                             settings.min_poll_interval, settings.max_poll_interval)
    return (
        replace(
            state,
            etag=poll.etag,
            last_modified=poll.last_modified,
            body_hash=poll.body_hash,
            consecutive_failures=0,
            first_failure_at=None,
            gone_at=None,  # answered: it is back
            next_poll_at=at + timedelta(seconds=interval),
            poll_interval=interval,
            last_success_at=at,
            trust_not_modified=poll.trust_not_modified,
            polls_since_verify=state.polls_since_verify + 1 if poll.conditional else 0,
        ),
        None,
    )
