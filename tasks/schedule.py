"""When a feed is polled next: health after each poll, exponential backoff on failure, gone feeds retired."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from wirehouse.models import FeedPoll, FeedState, PollStatus
from wirehouse.settings import Settings

GONE_STATUSES = frozenset({410})


def is_due(state: FeedState, now: datetime) -> bool:
    return state.gone_at is None and (state.next_poll_at is None or state.next_poll_at <= now)


def after_poll(state: FeedState, poll: FeedPoll, settings: Settings) -> tuple[FeedState, str | None]:
    """The feed's state after a poll, and why it is now gone (None while it is not)."""
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
    return (
        replace(
            state,
            etag=poll.etag,
            last_modified=poll.last_modified,
            body_hash=poll.body_hash,
            consecutive_failures=0,
            first_failure_at=None,
            gone_at=None,  # answered: it is back
            next_poll_at=at + timedelta(seconds=settings.poll_interval) if settings.poll_interval else None,
            trust_not_modified=poll.trust_not_modified,
            polls_since_verify=state.polls_since_verify + 1 if poll.conditional else 0,
        ),
        None,
    )
