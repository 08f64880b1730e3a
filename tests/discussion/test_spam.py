"""The spam classifier: the shipped model, learning from decisions, and its place in posting.

The test database is migrated, so the model trained from ``spam_seed/corpus.json`` is there.
"""

import io

import pytest
from django.core.management import call_command

from rejoinder.discussion import spam
from rejoinder.discussion.comments import create_comment, new_comment, set_status
from rejoinder.discussion.models import Comment, SpamToken
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

# Obvious spam and plain ham, none of it in the corpus.
SPAM = [
    {
        "author_name": "Cheap Cialis",
        "author_email": "deals@pills-express.top",
        "author_url": "https://pills-express.top",
        "body": "Buy cheap cialis and viagra online, no prescription needed! Best price, "
        "discreet overnight shipping. [order pills](https://pills-express.top/cialis)",
    },
    {
        "author_name": "Casino Bonus",
        "author_email": "vip@megaspin-casino.vip",
        "body": "Get 300 free spins and a 200% welcome bonus at the best online casino! Play "
        "slots and win real money today: [casino](https://megaspin-casino.vip)",
    },
    {
        "author_name": "Laura",
        "author_email": "laura1992@mail.ru",
        "body": "Nice post, thanks for sharing! I bookmarked your blog. Please visit my "
        "website too: [best seo services](https://rank-seo-backlinks.top)",
    },
    {
        "author_name": "Crypto Profit",
        "author_email": "profit@gmail.com",
        "body": "I invested $500 in bitcoin with the best crypto investment platform and "
        "earned $8,000 in one week! Contact my account manager on WhatsApp, guaranteed profit.",
    },
]
HAM = [
    {
        "author_name": "Ruth Adams",
        "author_email": "ruth@gmail.com",
        "body": "I disagree with the conclusion. The turnout figures you cite are from the "
        "previous election, and the polls in the marginal seats tell a different story.",
    },
    {
        "author_name": "Martin",
        "author_email": "martin@proton.me",
        "body": "Small correction: the bill passed the committee stage in March, not April. "
        "The vote was closer than the article suggests.",
    },
    {
        "author_name": "Joe",
        "body": "Is there a source for the claim about wages? The studies I know of find "
        "very small effects, and the treasury's own analysis says the same.",
    },
]

# A kind of spam the corpus has never seen: one product, one shop, many voices.
ZORBLAX_LESSONS = [
    (
        "Garden Fan",
        "Has anyone tried the zorblax hydroponic tower? My zorblax grew "
        "tomatoes all summer. [zorblax](https://zorblax.garden)",
    ),
    (
        "Tina",
        "Zorblax changed my balcony garden, the zorblax tower is worth it: "
        "https://zorblax.garden/tower",
    ),
    (
        "Herb Lover",
        "With a zorblax kit my herbs never wilt. Zorblax towers ship this week "
        "from zorblax.garden, [see the tower](https://zorblax.garden/herbs)",
    ),
    (
        "Greg P",
        "I put a zorblax tower in the kitchen and the basil is huge. "
        "[Zorblax garden](https://zorblax.garden)",
    ),
    (
        "Mia",
        "Zorblax hydroponic towers are the best thing for a small flat. "
        "[zorblax.garden](https://zorblax.garden/flat)",
    ),
    (
        "Urban Grower",
        "Tomatoes, basil and lettuce all from one zorblax tower! https://zorblax.garden",
    ),
    (
        "Sam K",
        "The zorblax kit pays for itself, my zorblax tower grows salad every week. "
        "[zorblax](https://zorblax.garden/salad)",
    ),
    (
        "Nora",
        "If your garden is a balcony, get a zorblax hydroponic tower: "
        "[zorblax tower](https://zorblax.garden/balcony)",
    ),
]
ZORBLAX_FRESH = {
    "author_name": "Leafy",
    "author_email": "leafy@outlook.com",
    "body": "My neighbour grows all her herbs in a zorblax tower, and says the zorblax "
    "hydroponic kit was easy to set up: [zorblax.garden](https://zorblax.garden/kit)",
}

# Real comments on a post about a gambling bill use the spammers' words; once approved,
# the classifier learns that on this site they are ham.
GAMBLING_LESSONS = [
    "The bill bans free spins and welcome bonus offers for online casino accounts. "
    "The regulator's consultation argued those offers target problem gamblers.",
    "Online betting companies spent heavily lobbying against the affordability checks, "
    "which the regulator says are needed for deposit limits to mean anything.",
    "The casino industry's own figures show most of the profit comes from a small share "
    "of heavy gamblers; the white paper's stake limits on slots follow from that.",
    "Whether sports betting sponsorship on football shirts should be banned is the one "
    "question the bill leaves to a later consultation.",
    "The levy on gambling operators funds treatment, but the regulator's estimate of "
    "problem gambling was revised after the survey method changed.",
    "Stake limits on online slots were the most contested clause; the regulator and the "
    "industry read the same evidence on losses very differently.",
    "Deposit limits and affordability checks were opposed by the betting industry, "
    "though the consultation found most gamblers never reach them.",
    "The bill's advertising clause covers casino bonus offers and free bets but not "
    "sponsorship, which the opposition amendment tried to add.",
]
GAMBLING_FRESH = {
    "author_name": "Claire",
    "author_email": "claire@gmail.com",
    "body": "The regulator wants stake limits on online casino slots and an end to free "
    "spins bonus offers; the betting industry says deposit limits are enough.",
}


def candidate(post, **fields):
    """A comment as the moderation rules see it: unsaved, every value set."""
    fields.setdefault("author_name", "Reader")
    fields.setdefault("user_agent", BROWSER)
    fields.setdefault("ip_address", "203.0.113.9")
    return new_comment(post=post, status=Comment.Status.PENDING, **fields)


def counts(tokens):
    """(spam, ham) of each token, (0, 0) for one never seen."""
    found = {
        token: (spam_count, ham_count)
        for token, spam_count, ham_count in SpamToken.objects.filter(token__in=tokens).values_list(
            "token", "spam", "ham"
        )
    }
    return {token: found.get(token, (0, 0)) for token in tokens}


def decide(post, body, status, name="Reader", **fields):
    """A held comment, then a moderator's decision about it."""
    comment = make_comment(post, name=name, body=body, status=Comment.Status.PENDING, **fields)
    set_status(comment, status)
    return comment


def test_the_shipped_model_is_the_corpus():
    """Migration 0004 counted every example of the corpus, spam and ham apart."""
    examples = spam.load_corpus()
    documents = SpamToken.objects.get(token="")
    assert documents.spam == sum(1 for e in examples if e["spam"]) >= 50
    assert documents.ham == sum(1 for e in examples if not e["spam"]) >= 50


@pytest.mark.parametrize("fields", SPAM, ids=lambda f: f["author_name"])
def test_the_shipped_model_scores_obvious_spam_high(fields):
    """Pharma, casino, "nice post" + link and crypto spam score 0.9 or more."""
    assert spam.score(candidate(make_post(), **fields)) >= 0.9


@pytest.mark.parametrize("fields", HAM, ids=lambda f: f["author_name"])
def test_the_shipped_model_scores_ordinary_comments_low(fields):
    """Arguments and corrections on a commentary post score 0.3 or less."""
    assert spam.score(candidate(make_post(), **fields)) <= 0.3


def test_score_is_one_query(django_assert_num_queries):
    """Scoring a comment reads the counts of its features and of the documents at once."""
    comment = candidate(make_post(), **SPAM[0])
    with django_assert_num_queries(1):
        spam.score(comment)


def test_no_score_while_the_model_knows_too_little(rules):
    """Below ten documents of either class the classifier abstains, and no rule uses it."""
    SpamToken.objects.filter(token="").update(spam=spam.MIN_DOCUMENTS - 1)
    post = make_post()
    assert spam.score(candidate(post, **SPAM[0])) is None
    rules.moderation = rules.Moderation.OFF
    rules.save()
    comment = create_comment(post=post, status=None, **SPAM[3])
    assert comment.spam_score is None
    assert "spam score" not in comment.hold_reasons


def test_features_keep_no_address_or_long_number():
    """Emails give only their domain, IP links and phone numbers no digits (privacy)."""
    comment = candidate(
        make_post(),
        author_name="Dana 77",
        author_email="dana.private@example.org",
        author_url="https://dana.blog.example.net/about",
        body="Mail me at someone.else@mailbox.example or call 07700900123, "
        "see [this](http://198.51.100.4/x) and https://www.news.example.com/story",
    )
    tokens = spam.features(comment)
    assert "emaildomain:example.org" in tokens
    assert "emaildomain:mailbox.example" in tokens
    assert {"domain:dana.blog.example.net", "domain:example.net", "domain:news.example.com"} <= set(
        tokens
    )
    assert {"meta:ip-link", "meta:links=2", "meta:has-url", "meta:name-has-digits"} <= set(tokens)
    joined = " ".join(tokens)
    for secret in ("dana.private", "someone.else", "07700900123", "198.51.100.4", "203.0.113"):
        assert secret not in joined
    assert all(0 < len(token) <= 64 for token in tokens)
    assert len(tokens) == len(set(tokens))


@pytest.mark.parametrize(
    "fields",
    [
        {"user_agent": "/"},
        {"user_agent": "   "},
        {"body": "<a href='http://[::1'>x</a> [y](http://[::1/) http://[ www."},
        {"author_url": "http://[::1", "author_email": "odd@"},
        {"author_email": "not-an-address"},
        {"author_name": "12345678901", "body": "x"},
    ],
)
def test_odd_input_still_scores(fields):
    """Malformed addresses, agents and names give tokens, never an error."""
    comment = candidate(make_post(), **{"body": "Odd input.", **fields})
    tokens = spam.features(comment)
    assert "emaildomain:" not in tokens and "emaildomain:not-an-address" not in tokens
    assert 0 <= spam.score(comment) <= 1


def test_tokens_are_capped():
    """A huge comment gives at most MAX_TOKENS tokens, none over 64 characters."""
    words = " ".join(f"word{n}" for n in range(2000))
    links = " ".join(f"[x](https://{'a' * 60}{n}.example)" for n in range(50))
    tokens = spam.features(candidate(make_post(), body=f"{links} {words}"))
    assert len(tokens) == spam.MAX_TOKENS
    assert max(len(token) for token in tokens) == 64


def test_the_model_learns_a_new_kind_of_spam_from_decisions(lenient_rules):
    """Spam the seed never saw is not held at first; after moderators mark eight of its
    kind as spam, the next one is held, and ordinary comments still score low."""
    post = make_post()
    first = spam.score(candidate(post, **ZORBLAX_FRESH))
    assert first < lenient_rules.spam_hold_score
    for n, (name, body) in enumerate(ZORBLAX_LESSONS):
        decide(post, body, Comment.Status.SPAM, name=name, author_email=f"grower{n}@gmail.com")
    learnt = spam.score(candidate(post, **ZORBLAX_FRESH))
    assert learnt >= lenient_rules.spam_hold_score
    assert learnt > first
    for fields in HAM:
        assert spam.score(candidate(post, **fields)) <= 0.3


def test_the_model_learns_ham_that_looks_like_spam_from_decisions(lenient_rules):
    """Comments on a gambling bill use casino words and are held at first; once
    moderators approve eight of them, the next one is not, and spam is still spam."""
    post = make_post(title="The gambling bill, explained")
    first = spam.score(candidate(post, **GAMBLING_FRESH))
    assert first >= lenient_rules.spam_hold_score
    for n, body in enumerate(GAMBLING_LESSONS):
        decide(post, body, Comment.Status.APPROVED, author_email=f"reader{n}@gmail.com")
    learnt = spam.score(candidate(post, **GAMBLING_FRESH))
    assert learnt < lenient_rules.spam_hold_score
    assert spam.score(candidate(post, **SPAM[1])) >= 0.9


def test_a_reversed_decision_is_unlearnt(lenient_rules):
    """Spam, then approved: every count is back where it was, plus one ham lesson."""
    comment = make_comment(
        make_post(),
        body="Reversible verdicts on quuxfrobnicate are the point of this test.",
        author_email="rev@example.org",
        status=Comment.Status.PENDING,
    )
    tokens = [*spam.features(comment), ""]
    before = counts(tokens)

    set_status(comment, Comment.Status.SPAM)
    assert counts(tokens) == {t: (s + 1, h) for t, (s, h) in before.items()}
    set_status(comment, Comment.Status.SPAM)
    assert counts(tokens) == {t: (s + 1, h) for t, (s, h) in before.items()}

    set_status(comment, Comment.Status.APPROVED)
    assert counts(tokens) == {t: (s, h + 1) for t, (s, h) in before.items()}
    comment.refresh_from_db()
    assert comment.trained_as == "ham"


def test_pending_and_trash_teach_nothing(lenient_rules):
    """Only approve (ham) and spam are lessons."""
    comment = make_comment(make_post(), body="Undecided.", status=Comment.Status.APPROVED)
    documents = counts([""])
    set_status(comment, Comment.Status.PENDING)
    set_status(comment, Comment.Status.TRASH)
    assert counts([""]) == documents
    comment.refresh_from_db()
    assert comment.trained_as == ""


def test_a_stale_copy_of_a_decided_comment_does_not_count_twice(lenient_rules):
    """Two moderators deciding the same comment at once: one lesson (compare and set)."""
    comment = make_comment(make_post(), body="Twice decided zyxxyz.", status=Comment.Status.PENDING)
    first, second = Comment.objects.get(pk=comment.pk), Comment.objects.get(pk=comment.pk)
    before = counts(["", "zyxxyz"])
    spam.learn(first, is_spam=True)
    spam.learn(second, is_spam=True)
    assert counts(["", "zyxxyz"]) == {
        "": (before[""][0] + 1, before[""][1]),
        "zyxxyz": (1, 0),
    }
    assert second.trained_as == "spam"


def test_counts_never_go_below_zero(lenient_rules):
    """Unlearning what was never counted (say, the text changed since) stops at zero."""
    comment = make_comment(make_post(), body="Neverseen qwertyzzz.", status=Comment.Status.PENDING)
    Comment.objects.filter(pk=comment.pk).update(trained_as="spam")
    comment.trained_as = "spam"
    set_status(comment, Comment.Status.APPROVED)
    assert counts(["qwertyzzz", "neverseen"]) == {"qwertyzzz": (0, 1), "neverseen": (0, 1)}


def test_a_readers_obvious_spam_is_held_or_sent_to_spam(lenient_rules):
    """With the default thresholds, spam from a reader is stopped with its score shown."""
    assert (lenient_rules.spam_hold_score, lenient_rules.spam_score) == (0.7, 0.98)
    post = make_post()
    comment = create_comment(
        post=post,
        body=SPAM[0]["body"],
        author_name=SPAM[0]["author_name"],
        author_email=SPAM[0]["author_email"],
        ip_address="198.51.100.20",
        status=None,
    )
    assert comment.status in (Comment.Status.SPAM, Comment.Status.PENDING)
    assert comment.spam_score >= lenient_rules.spam_hold_score
    assert "spam score" in comment.hold_reasons
    comment.refresh_from_db()
    assert comment.spam_score >= lenient_rules.spam_hold_score


def test_a_readers_ordinary_comment_is_published_with_its_score(lenient_rules):
    """Ham goes straight through, its low score kept for the queue."""
    comment = create_comment(post=make_post(), ip_address="198.51.100.21", status=None, **HAM[0])
    assert comment.status == Comment.Status.APPROVED
    assert comment.spam_score is not None and comment.spam_score <= 0.3
    assert comment.hold_reasons == ""


def test_retraining_rebuilds_the_same_model(lenient_rules):
    """spam_retrain counts the corpus and the decided comments afresh: the same model as
    the one learnt decision by decision, reversals included."""
    post = make_post()
    decide(post, ZORBLAX_LESSONS[0][1], Comment.Status.SPAM)
    decide(post, GAMBLING_LESSONS[0], Comment.Status.APPROVED)
    reversed_ = decide(post, ZORBLAX_LESSONS[1][1], Comment.Status.SPAM)
    set_status(reversed_, Comment.Status.APPROVED)
    decide(post, "Undecided for now.", Comment.Status.PENDING)

    def model():
        rows = SpamToken.objects.exclude(spam=0, ham=0).values_list("token", "spam", "ham")
        return {token: (s, h) for token, s, h in rows}

    learnt = model()
    out = io.StringIO()
    call_command("spam_retrain", stdout=out)
    assert model() == learnt
    examples = len(spam.load_corpus())
    assert f"{examples} corpus example(s) and 3 decided comment(s)" in out.getvalue()
