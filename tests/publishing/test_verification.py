"""Quotation checking: extraction of the article's text, typography, elisions, brackets."""

import pytest

from rejoinder.publishing.verification import (
    DELETE,
    DIFFERS,
    ELISION,
    EQUAL,
    INSERT,
    VERIFIED,
    SourceText,
    check,
    check_all,
    extract_text,
    normalise,
)
from tests.publishing import article_pages
from tests.publishing.article_pages import ARTICLE, BOILERPLATE, OTHER_ARTICLE

LAYOUTS = [article_pages.semantic_page, article_pages.legacy_page, article_pages.blocks_page]


@pytest.fixture(scope="module")
def source():
    """The bridge article's text as the checker sees it: extracted from its page."""
    return SourceText(extract_text(article_pages.semantic_page().encode("utf-8")))


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
def test_extraction_keeps_every_paragraph_in_order(layout):
    """Each of the 14 paragraphs, the one-sentence one too, in order, a block each."""
    text = extract_text(layout().encode("utf-8"), url="https://courier.example/news/bridge")
    blocks = [normalise(block) for block in text.split("\n\n")]
    assert blocks[-len(ARTICLE) :] == [normalise(paragraph) for paragraph in ARTICLE]


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda layout: layout.__name__)
def test_extraction_drops_the_page_around_the_article(layout):
    """Cookie banner, navigation, share buttons, related links, newsletter box, reader
    comments, footer and scripts are not the article."""
    text = extract_text(layout())
    assert [phrase for phrase in BOILERPLATE if phrase in text] == []
    assert len(text.split("\n\n")) <= len(ARTICLE) + 1  # the headline, at most


def test_extraction_of_a_page_without_an_article():
    """A page with nothing to extract gives empty text, not an error."""
    assert extract_text(b"<html><body><nav><a href='/'>Home</a></nav></body></html>") == ""
    assert extract_text(b"") == ""


def test_extraction_reads_the_declared_encoding():
    """Bytes in another encoding are decoded by what the page declares."""
    page = article_pages.legacy_page(["Le conseil a voté la fermeture du pont à minuit. " * 4])
    page = page.replace("charset=utf-8", "charset=iso-8859-1")
    text = extract_text(page.encode("iso-8859-1", "xmlcharrefreplace"))
    assert "Le conseil a voté la fermeture du pont à minuit." in text


def test_normalise_typography():
    """Quotes, apostrophes, primes, dashes and ellipses become their plain forms."""
    assert normalise("“Don’t” — ‘ok’ – 5′ 3″ …") == "\"Don't\" - 'ok' - 5' 3\" ..."
    assert normalise("a‐b a‑b a‒b a―b a−b") == "a-b a-b a-b a-b a-b"
    assert normalise("«Bonjour»") == '"Bonjour"'


def test_normalise_invisible_characters_and_spaces():
    """Soft hyphens and zero-width characters go; every space run becomes one space."""
    assert normalise("main\u00adtenance zero\u200bwidth\ufeff") == "maintenance zerowidth"
    assert normalise("  7\u00a0p.m.\u2009and\u202fthen\n\n\tnext  ") == "7 p.m. and then next"


def test_normalise_keeps_case_and_folds_compatibility_forms():
    """Case is kept (matching casefolds on its own); ligatures and full-width forms fold."""
    assert normalise("The ﬁnal ＡＢＣ") == "The final ABC"


def test_exact_quotation_is_verified(source):
    """A quotation copied from the page is verified; the passage is the source's text."""
    result = check(
        "Engineers told the council in March that the bridge’s deck plates had lost a fifth "
        "of their thickness to rust",
        source,
    )
    assert result.status == VERIFIED
    assert result.closest.startswith("Engineers told the council")
    assert result.closest.endswith("thickness to rust")
    assert result.diff == ""
    assert result.similarity == 1.0


def test_typography_differences_are_verified(source):
    """Straight quotes, "--" for a dash, a changed capital, no soft hyphen: still verified."""
    result = check(
        '"we have patched this bridge for twenty years and called it maintenance," said '
        'Councillor Aisha Rahman, who chairs the transport committee. "Tonight we stopped '
        'pretending."',
        source,
    )
    assert result.status == VERIFIED
    dashes = check(
        "The decision -- reached after a five-hour meeting that ran past midnight -- means",
        source,
    )
    assert dashes.status == VERIFIED


def test_closing_punctuation_is_not_a_word(source):
    """Where the quotation stops mid-sentence, its full stop does not make it differ."""
    assert check("the council would review the closure after two years.", source).status == (
        VERIFIED
    )


def test_elision_and_bracketed_insertion_are_verified(source):
    """ "…" skips words; "[living]" is the writer's; "[The]" stands for the source's word."""
    result = check(
        "[The] council’s own survey … found that 58 per cent of residents [living] within a "
        "mile of the bridge supported closing it",
        source,
    )
    assert result.status == VERIFIED
    assert (ELISION, "…") in result.ops
    # The passage shows the elided words too: what the writer left out is visible.
    assert "published in June" in result.closest


@pytest.mark.parametrize(
    "quotation",
    [
        # The shapes of the seed page: a remark in brackets before a comma, ". . .",
        # "…." opening a quotation, letters added in brackets to a word.
        "Opponents questioned the survey’s method [read: its sample]. Only 412 households "
        "replied, and the questionnaire . . . did not reach many older residents",
        "…. Only 412 households replied, and the questionnaire — sent by email — did not "
        "reach many older residents",
        "Councillor Peter Hask, who voted against, said the grant’s conditions [sic] had "
        "decided the matter",
        "[Ms Rahman] said the council would review the closure after two years",
        "[S]hop owners on Mill Street, who say a third of their customers arrive by car, "
        "were not persuaded",
        "A new signal-controlled junction … will let [the] buses turn without waiting for "
        "car traffic [...] according to the council’s figures.",
        "the number 4 bus will divert over the Station Road [river-]bridge",
    ],
)
def test_writer_conventions_are_verified(source, quotation):
    """Every elision and insertion style writers use is understood."""
    assert check(quotation, source).status == VERIFIED, quotation


def test_bracket_stands_for_at_most_three_words(source):
    """A bracket may replace a name, not a clause."""
    result = check("The city council [did something] to cars from next spring", source)
    assert result.status == DIFFERS


def test_one_changed_word_differs_with_a_diff(source):
    """The diff names the source's word and the quotation's."""
    result = check("Ms Rahman said the council would review the closure after three years.", source)
    assert result.status == DIFFERS
    assert "[-two-] {+three+}" in result.diff
    assert (DELETE, "two") in result.ops
    assert (INSERT, "three") in result.ops
    assert result.ops[0] == (EQUAL, "Ms Rahman said the council would review the closure after")
    assert result.closest == "Ms Rahman said the council would review the closure after two years"
    assert 0.8 < result.similarity < 1


def test_added_and_dropped_words_differ(source):
    """A word the source does not have, or one the quotation leaves out, is a difference."""
    added = check("to close the Old Mill Bridge to all cars from next spring", source)
    assert added.status == DIFFERS
    assert "{+all+}" in added.diff
    dropped = check("The city council voted on Tuesday night to close the bridge", source)
    assert dropped.status == DIFFERS
    assert "[-7–2-]" in dropped.diff


def test_changed_first_word_shows_as_a_change(source):
    """A change at the very start of a quotation is still shown against its source word."""
    result = check("Dozens of households replied, and the questionnaire", source)
    assert result.status == DIFFERS
    assert "[-Only 412-] {+Dozens of+}" in result.diff


def test_quotation_from_another_article_differs(source):
    """Words the source never printed: differs, with little in common."""
    result = check(" ".join(OTHER_ARTICLE[:2]), source)
    assert result.status == DIFFERS
    assert result.similarity < 0.3


def test_parts_out_of_order_differ(source):
    """Each part is in the source, but the elision runs backwards: differs, and says so."""
    result = check(
        "Work is expected to take eighteen months … The repairs will cost an estimated "
        "£6.2 million",
        source,
    )
    assert result.status == DIFFERS
    assert "not in this order" in result.note


def test_changed_word_in_one_part_of_an_elided_quotation(source):
    """The other parts are shown as found; the diff is in the part that differs."""
    result = check(
        "The repairs will cost an estimated £6.2 million … Councillor Peter Hask, who "
        "voted for, said",
        source,
    )
    assert result.status == DIFFERS
    assert result.ops[0] == (EQUAL, "The repairs will cost an estimated £6.2 million")
    assert result.ops[1] == (ELISION, "…")
    assert "[-against-] {+for+}" in result.diff
    assert result.note == ""


def test_quotation_without_words():
    """Nothing but an ellipsis: nothing was checked, so nothing is verified."""
    result = check("[…]", "Some source text.")
    assert result.status == DIFFERS
    assert result.note


def test_check_all_matches_check(source):
    """Checking many quotations of one source gives what checking each would."""
    quotations = [ARTICLE[0], "something the council never said at all", ARTICLE[-1]]
    results = check_all(quotations, source.text)
    assert [r.status for r in results] == [VERIFIED, DIFFERS, VERIFIED]
    assert results == [check(quotation, source.text) for quotation in quotations]
