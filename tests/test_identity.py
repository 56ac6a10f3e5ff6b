import pytest

from wirehouse.tasks.identity import content_hash, normalize_url, url_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://Example.COM:80/a/b?utm_source=x&id=3#frag", "http://example.com/a/b?id=3"),
        ("https://example.com/path/", "https://example.com/path/"),
        ("  https://news.example.org/2026/11/story.html  ", "https://news.example.org/2026/11/story.html"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_url_id_ignores_tracking_and_fragments() -> None:
    assert url_id("https://example.com/a?utm_medium=rss#top") == url_id("https://EXAMPLE.com/a")
    assert url_id("https://example.com/a") != url_id("https://example.com/b")
    assert len(url_id("https://example.com/a")) == 32


def test_content_hash_folds_case_space_and_unicode_form() -> None:
    assert content_hash("Café  au\nlait") == content_hash("cafe\u0301 AU lait")
    assert content_hash("one text") != content_hash("another text")
