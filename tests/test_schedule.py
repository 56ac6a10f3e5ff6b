"""Feed scheduling (backoff, gone feeds) and when a feed's 304s are trusted: pure functions, table tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wirehouse.models import Feed, FeedEntry, FeedPoll, FeedState, FetchResult, PollStatus
from wirehouse.settings import Settings
from wirehouse.tasks.feeds import body_hash, classify_poll, is_conditional
from wirehouse.tasks.schedule import after_poll, is_due

T0 = datetime(2026, 11, 24, 12, tzinfo=UTC)
FEED = Feed("f", "https://f.example/rss")
SETTINGS = Settings(backoff_base=300, backoff_cap=3600, gone_after_days=2, verify_every=4,
                    min_poll_interval=60, max_poll_interval=3600)
RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
       b"<item><title>a</title><link>https://f.example/a</link></item></channel></rss>")


def failed(at: datetime, status: int | None = 500) -> FeedPoll:
    return FeedPoll(FEED, PollStatus.FAILED, at, http_status=status, error="http_5xx")


def test_failures_back_off_exponentially_up_to_the_cap() -> None:
    state, delays = FeedState(), []
    for i in range(6):
        at = T0 + timedelta(hours=i)
        state, gone = after_poll(state, failed(at), SETTINGS)
        delays.append((state.next_poll_at - at).total_seconds())
        assert gone is None
    assert delays == [300, 600, 1200, 2400, 3600, 3600]
    assert state.consecutive_failures == 6 and state.first_failure_at == T0
    assert not is_due(state, T0 + timedelta(hours=5, minutes=30)) and is_due(state, T0 + timedelta(hours=7))


def test_success_resets_health() -> None:
    state, _ = after_poll(FeedState(), failed(T0), SETTINGS)
    ok = FeedPoll(FEED, PollStatus.NEW, T0 + timedelta(hours=1), http_status=200, etag='"x"', body_hash="h")
    state, _ = after_poll(state, ok, SETTINGS)
    assert (state.consecutive_failures, state.first_failure_at) == (0, None)
    # the failure's backoff is forgotten: the next poll comes at the learned interval, within its bounds
    assert 60 <= (state.next_poll_at - ok.polled_at).total_seconds() <= 3600
    assert state.etag == '"x"' and not is_due(state, ok.polled_at) and is_due(state, ok.polled_at + timedelta(hours=1))


def test_a_gone_feed_comes_back_when_it_answers() -> None:
    gone, _ = after_poll(FeedState(), failed(T0, status=410), SETTINGS)
    still, _ = after_poll(gone, failed(T0 + timedelta(days=1)), SETTINGS)  # a forced poll that fails
    assert still.gone_at == T0
    ok = FeedPoll(FEED, PollStatus.NEW, T0 + timedelta(days=2), http_status=200, body_hash="h")
    back, _ = after_poll(still, ok, SETTINGS)
    assert back.gone_at is None and is_due(back, T0 + timedelta(days=2, hours=1))


def test_backoff_survives_very_long_failure_streaks() -> None:
    state, _ = after_poll(FeedState(consecutive_failures=5000, first_failure_at=T0), failed(T0), SETTINGS)
    assert state.next_poll_at == T0 + timedelta(seconds=3600)


def test_410_retires_a_feed_at_once_and_long_failure_later() -> None:
    state, gone = after_poll(FeedState(), failed(T0, status=410), SETTINGS)
    assert gone == "HTTP 410" and state.gone_at == T0 and not is_due(state, T0 + timedelta(days=30))
    state = FeedState()
    for hours in (0, 24, 47):
        state, gone = after_poll(state, failed(T0 + timedelta(hours=hours)), SETTINGS)
        assert gone is None
    state, gone = after_poll(state, failed(T0 + timedelta(hours=48)), SETTINGS)
    assert gone.startswith("failing since") and state.gone_at is not None


def test_fixed_interval_when_the_bounds_meet() -> None:
    ok = FeedPoll(FEED, PollStatus.NOT_MODIFIED, T0, http_status=304)
    state, _ = after_poll(FeedState(), ok, Settings(min_poll_interval=900, max_poll_interval=900))
    assert state.next_poll_at == T0 + timedelta(seconds=900) and state.poll_interval == 900


def test_healthy_polls_follow_the_feeds_rate() -> None:
    """A feed whose items come every two minutes is polled far more often than one silent for months."""
    def items(age: timedelta) -> tuple[FeedEntry, ...]:
        return tuple(FeedEntry("f", f"https://f.example/{i}", published_at=T0 - age * (i + 1)) for i in range(20))

    busy, dormant = items(timedelta(minutes=2)), items(timedelta(days=90))
    intervals = {}
    for name, entries in (("busy", busy), ("dormant", dormant)):
        state = FeedState()
        for k in range(5):
            at = T0 + timedelta(minutes=k)
            poll = FeedPoll(FEED, PollStatus.NEW if k == 0 else PollStatus.UNCHANGED, at, http_status=200,
                            entries=entries if k == 0 else ())
            state, _ = after_poll(state, poll, SETTINGS, seen=0)
        intervals[name] = state.poll_interval
    assert intervals["busy"] <= 300 and intervals["dormant"] >= 4 * intervals["busy"]


def test_304s_are_used_only_once_verified_and_checked_every_nth_poll() -> None:
    """A feed's polls through the real classifier: full GETs until one shows the validators are honest, then
    conditional polls, with every Nth a full GET again."""
    state, pattern = FeedState(), []
    for _ in range(10):
        conditional = is_conditional(state, SETTINGS) and bool(state.etag)
        pattern.append(conditional)
        result = (FetchResult(FEED.url, FEED.url, T0, status_code=304) if conditional
                  else FetchResult(FEED.url, FEED.url, T0, status_code=200, body=RSS, etag='"1"'))
        state, _ = after_poll(state, classify_poll(FEED, state, result, conditional=conditional), SETTINGS)
    # 1st: new feed; 2nd: a full GET finds the same body under the same ETag, so 304s can be trusted
    assert pattern == [False, False, True, True, True, False, True, True, True, False]
    assert state.trust_not_modified is True
    assert not is_conditional(FeedState(etag='"1"', trust_not_modified=False), SETTINGS)
    assert not is_conditional(FeedState(etag='"1"', trust_not_modified=None), SETTINGS)


@pytest.mark.parametrize(
    ("response_etag", "body", "trust_before", "trust_after"),
    [
        ('"1"', RSS, None, True),  # full GET, same body as the 304s said: verified
        ('"1"', RSS + b" ", None, False),  # same ETag, other body: its 304s would have hidden this change
        ('"2"', RSS + b" ", None, None),  # new ETag with new body: honest, nothing learned
        ('"1"', RSS, False, False),  # once caught, always checked with full GETs
    ],
)
def test_trust_in_not_modified_is_learned_on_full_gets(response_etag, body, trust_before, trust_after) -> None:
    state = FeedState(etag='"1"', body_hash=body_hash(RSS), trust_not_modified=trust_before)
    result = FetchResult(FEED.url, FEED.url, T0, status_code=200, body=body, etag=response_etag)
    poll = classify_poll(FEED, state, result, conditional=False)
    assert poll.trust_not_modified is trust_after
    assert poll.status == (PollStatus.UNCHANGED if body == RSS else PollStatus.NEW)
