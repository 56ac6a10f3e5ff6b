"""Each rule group removes its furniture and never a real paragraph."""

from pathlib import Path

import pytest

from wirehouse.tasks.boilerplate import DEFAULT_RULES, RulesError, load_rules, strip_boilerplate

RULES = load_rules(DEFAULT_RULES)
BODY = [
    "The council voted on Tuesday to approve the new ferry terminal, ending a two-year dispute.",
    "Opponents said the vote ignored residents, and promised to leave a reply in the public consultation.",
    "Work is expected to start in the spring and finish by 2028, the mayor's office said.",
    "By the end of the meeting, most of the public gallery had left.",
]


def strip(blocks: list[str]) -> tuple[list[str], dict[str, int]]:
    kept, removed = strip_boilerplate(blocks, RULES)
    return kept, dict(removed)


@pytest.mark.parametrize("button", ["close", "Close", "close close", "×", "Print", "Share", "Skip to content"])
def test_ui_controls_go_anywhere(button: str) -> None:
    kept, removed = strip([BODY[0], button, BODY[1]])
    assert kept == BODY[:2]
    assert removed == {"ui-controls": 1}


def test_comment_form_cuts_the_tail() -> None:
    footer = ["Leave a Reply", "Your email address will not be published. Required fields are marked *",
              "Comment", "Save my name, email, and website in this browser for the next time I comment.",
              "Post Comment"]
    kept, removed = strip([*BODY, *footer])
    assert kept == BODY
    assert removed == {"comment-form": len(footer)}


def test_comment_phrases_inside_a_paragraph_are_content() -> None:
    kept, _ = strip(BODY)
    assert kept == BODY  # "leave a reply" and "By the end" stand inside real sentences


def test_comment_marker_in_the_first_half_does_not_cut_the_article() -> None:
    blocks = ["Comments", *BODY]
    kept, _ = strip(blocks)
    assert kept[-3:] == BODY[-3:]


@pytest.mark.parametrize("byline", ["By Vanessa", "By Jane Doe", "BY JANE DOE", "By Ana de la Cruz, Metro Wire"])
def test_standalone_bylines_at_the_edges_go(byline: str) -> None:
    kept, removed = strip([byline, *BODY, byline])
    assert kept == BODY
    assert removed == {"edge-byline": 2}


def test_byline_in_the_middle_stays() -> None:
    blocks = [BODY[0], "By Vanessa", BODY[1]]
    assert strip(blocks)[0] == blocks


def test_share_bar_and_promo() -> None:
    furniture = ["Share this:", "Click to share on X (Opens in new window)", "Like this:", "Loading...",
                 "Advertisement", "Sign up for our Morning Briefing newsletter", "Read more: Storm floods Cumbria",
                 "We use cookies to improve your experience on our site."]
    kept, removed = strip([BODY[0], *furniture, BODY[1]])
    assert kept == BODY[:2]
    assert sum(removed.values()) == len(furniture)


def test_long_paragraph_never_matches() -> None:
    long = "Share " + "this story is about the longest paragraph that anyone has ever written " * 3
    assert strip([BODY[0], long])[0] == [BODY[0], long]


def test_rules_file_is_validated(tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text('[[group]]\nname = "x"\nscope = "somewhere"\npatterns = ["a"]\n')
    with pytest.raises(RulesError, match="scope"):
        load_rules(bad)
    bad.write_text('[[group]]\nname = "x"\nscope = "anywhere"\npatterns = ["(unclosed"]\n')
    with pytest.raises(RulesError, match="x"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("furniture", "group"),
    [
        ("Reading time: 3 minutes", "ui-controls"),
        ("Tempo de leitura: 2 minutos", "ui-controls"),
        ("5 min read", "ui-controls"),
        ("Follow the Opinion section on Facebook, Twitter (@opinion) and Instagram.", "share-bar"),
        ("Like this story? Share it with a friend!", "share-bar"),
        ("You may also like...", "promo"),
        ("SEE MORE: Storm floods Cumbria as trains halted", "promo"),
        ("DON'T MISS", "promo"),
        ("More:", "promo"),
        ("[Related: Ferry terminal opens to the public]", "promo"),
        ("Also on metro-wire.example Ferry terminal opens to the public", "promo"),
        ("Start your day with the Morning Brief. Sign up for the free daily newsletter.", "promo"),
        ("Get the latest updates right in your inbox. Subscribe to our newsletters.", "promo"),
        ("Pick Six Newsletter", "promo"),
        ("Get the magazine delivered every month. 12 issues for £11.99. Click here for more information.", "promo"),
        ("Have a tip? The reporter may be reached at desk@courier.example.", "promo"),
    ],
)
def test_generic_furniture_goes_anywhere(furniture: str, group: str) -> None:
    kept, removed = strip([BODY[0], furniture, BODY[1]])
    assert kept == BODY[:2]
    assert removed == {group: 1}


@pytest.mark.parametrize(
    "credit",
    ["(Reporting by Ana Silva; additional reporting by Bo Chen; editing by Tom Brown)", "SOURCE: News agencies",
     "Filed under: Politics |", "Updated at 1:23 p.m.", "Published 25 November 2026"],
)
def test_credits_and_stamps_at_the_edges_go(credit: str) -> None:
    kept, removed = strip([*BODY, credit])
    assert kept == BODY
    assert removed == {"edge-byline": 1}
    assert strip([BODY[0], credit, BODY[1]])[0] == [BODY[0], credit, BODY[1]]  # inside the story: content


@pytest.mark.parametrize(
    "sentence",
    [
        "More than 10,000 readers signed up for the council's flood newsletter after the storm, officials said.",
        "Residents who click here and there on the council's website still cannot find the ferry timetable, "
        "campaigners said, calling the consultation a sham.",
        "Source: the mayor's office said the figures would be published on Friday.",
    ],
)
def test_real_sentences_mentioning_furniture_words_stay(sentence: str) -> None:
    assert strip([BODY[0], sentence, BODY[1]])[0] == [BODY[0], sentence, BODY[1]]
