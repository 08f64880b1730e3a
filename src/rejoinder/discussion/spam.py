"""The spam classifier: learns from moderators' decisions, entirely offline.

A comment becomes a set of features (``features()``): its words, the domains it links to
(in the text, and the commenter's website), the domain of the commenter's email, and a
few facts about it (``meta:links=2``, ``meta:no-ua``, ``meta:len=short`` …). The model is
one table, ``SpamToken``: for each feature, in how many spam and how many ham comments it
was seen; the empty token counts the comments themselves. Every approve/spam decision
adds one comment to one side (``learn()``), a reversed decision moves it across, and the
site ships with a model trained on a small corpus of our own (``spam_seed/corpus.json``,
loaded by migration 0004 through ``train_corpus()``).

Scoring (``score()``) is Gary Robinson's naive Bayes with Fisher's chi-square combining,
as in SpamBayes, rather than multinomial naive Bayes:

* Each feature's spam probability is taken from the rate it appears in each class, so a
  model with five times more ham than spam is not biased towards ham, and is pulled
  towards 0.5 while it has been seen only a few times (Robinson's f(w), strength ``S``):
  one stray word seen once in spam is weak evidence, five sightings are strong.
* Only features far from 0.5 take part, at most ``MAX_CLUES`` of them, so a long,
  ordinary comment is not buried under a pile of neutral words.
* Fisher's method combines the evidence for spam and for ham separately and reports
  their balance. Multinomial naive Bayes multiplies hundreds of not-really-independent
  word probabilities and says 0.0000 or 0.9999 about nearly everything; the thresholds
  here (hold at 0.7, spam at 0.98) need a score that says "unsure" (near 0.5) when the
  evidence is thin or conflicting, which this does.

Features are counted once per comment (present or absent), which is what Robinson's
probabilities assume and what the document counts in the empty token mean. Scoring is
one query (``token__in``); learning is a handful of UPDATEs with F() expressions, so any
number of server processes can learn at once without losing a count.

Privacy: no email address, IP address or long number (a phone or card number) is ever a
token; emails contribute only their domain, numbers only their length.
"""

import html
import json
import math
import re
import unicodedata
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import F

from rejoinder.publishing.markup import render_comment_markdown

from .models import Comment, SpamToken

# Below this many comments of either class the model knows too little to say anything.
MIN_DOCUMENTS = 10
# Robinson's prior: a feature never seen is 0.5, and weighs as one sighting (s = 1).
STRENGTH = 1.0
PRIOR = 0.5
# Features nearer to 0.5 than this are ignored (SpamBayes' minimum_prob_strength).
MIN_STRENGTH = 0.1
# At most this many of the strongest features are combined (SpamBayes uses 150).
MAX_CLUES = 150
# A per-feature probability never reaches certainty: one word cannot decide alone.
FLOOR, CEILING = 0.01, 0.99

# The tokenizer reads at most this many words of a comment, and caps what it keeps.
MAX_WORDS = 400
MAX_TOKENS = 300
MAX_WORD_LENGTH = 30
MAX_LINKS = 20
TOKEN_LENGTH = 64  # SpamToken.token's max_length

# Every pattern here runs on up to 20,000 characters of a stranger's text before any limit
# but the form's: each is linear (docs/security.md, ReDoS). A tag cannot contain "<"; an
# email address is matched only from the start of its run of address characters, and
# possessively, so a long run of word characters with no "@" is read once, not once for
# each of its characters.
TAG = re.compile(r"<[^<>]*>")
HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
BARE_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"'()]+", re.IGNORECASE)
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@([\w-]++(?:\.[\w-]++)++)")
WORD = re.compile(r"\w+(?:['’]\w+)*")
LONG_NUMBER = re.compile(r"^\d{5,}$")
DIGIT = re.compile(r"\d")


def features(candidate):
    """The tokens a comment (a ``Comment`` or a namespace of its values) shows, unique.

    Every token is at most 64 characters, and there are at most ``MAX_TOKENS``. The same
    comment always gives the same tokens, so a lesson can be unlearnt.
    """
    tokens = {}  # ordered: facts and domains first, then words, so a cap drops words

    def add(token):
        if token:
            tokens.setdefault(token[:TOKEN_LENGTH], None)

    body_html = candidate.body_html or ""
    text = html.unescape(TAG.sub(" ", body_html))
    hosts = [_host(html.unescape(href)) for href in HREF.findall(body_html)]
    hosts += [_host(url if "://" in url else "http://" + url) for url in BARE_URL.findall(text)]
    hosts = [host for host in hosts if host]
    text = BARE_URL.sub(" ", text)
    email_domains = [domain.lower() for domain in EMAIL.findall(text)]
    text = EMAIL.sub(" ", text)
    words = _words(text)

    add(f"meta:links={len(hosts) if len(hosts) < 3 else '3+'}")
    add(f"meta:len={_length_bucket(len(words))}")
    for host in hosts[:MAX_LINKS]:
        for token in _domain_tokens(host):
            add(token)
    for domain in email_domains[:MAX_LINKS]:
        add(f"emaildomain:{domain}")

    author_url = candidate.author_url or ""
    if author_url:
        add("meta:has-url")
        for token in _domain_tokens(_host(author_url)):
            add(token)
    _local, at, email_domain = (candidate.author_email or "").rpartition("@")
    email_domain = email_domain.strip().lower() if at else ""
    add(f"emaildomain:{email_domain}" if email_domain else "meta:no-email")

    name = candidate.author_name or ""
    if DIGIT.search(name):
        add("meta:name-has-digits")
    if len(name.split()) >= 4:
        add("meta:name-long")
    for word in _words(name)[:4]:
        add(f"name:{word}")

    user_agent = (candidate.user_agent or "").strip()
    if user_agent:
        # The product name only ("mozilla", "python-requests", "curl"): enough to tell a
        # browser from a script, and it says nothing about the person.
        product = user_agent.split("/")[0].split()
        add(f"ua:{product[0].lower()}" if product else "meta:odd-ua")
    else:
        add("meta:no-ua")

    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) > len(letters) / 2:
        add("meta:shouting")
    if _has_parent(candidate):
        add("meta:reply")
    if _has_user(candidate):
        add("meta:signed-in")
    age = _post_age_days(candidate)
    if age is not None:
        add("meta:post-age=" + ("week" if age < 7 else "month" if age < 30 else "older"))

    for word in words:
        add(word)
    return list(tokens)[:MAX_TOKENS]


def _words(text):
    """Lower-cased words of two characters or more; long numbers keep only their length."""
    text = unicodedata.normalize("NFKC", text).casefold()
    words = []
    for match in WORD.finditer(text):
        word = match.group().replace("’", "'")
        if len(word) < 2:
            continue
        if LONG_NUMBER.match(word):
            word = f"num:{len(word)}digits"
        elif len(word) > MAX_WORD_LENGTH:
            word = "meta:long-word"
        words.append(word)
        if len(words) >= MAX_WORDS:
            break
    return words


def _host(url):
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.lower().rstrip(".")
    return host.removeprefix("www.")


def _domain_tokens(host):
    """The host, and its last two labels when it has more (``a.shop.example`` also counts
    for ``shop.example``), and its top-level domain; an IP address is only ``meta:ip-link``.
    """
    if not host:
        return []
    if host.replace(".", "").isdigit() or ":" in host:
        return ["meta:ip-link"]
    tokens = [f"domain:{host}"]
    labels = host.split(".")
    if len(labels) > 2:
        tokens.append(f"domain:{'.'.join(labels[-2:])}")
    if len(labels) > 1:
        tokens.append(f"tld:{labels[-1]}")
    return tokens


def _length_bucket(count):
    for limit, name in ((5, "tiny"), (20, "short"), (80, "medium"), (250, "long")):
        if count < limit:
            return name
    return "huge"


def _has_parent(candidate):
    # A Comment answers by its column (no query); a namespace has the parent itself.
    if _is_model(candidate):
        return candidate.parent_id is not None
    return candidate.parent is not None


def _has_user(candidate):
    if _is_model(candidate):
        return candidate.user_id is not None
    return candidate.user is not None


def _is_model(candidate):
    return hasattr(candidate, "_meta")


def _post_age_days(candidate):
    post = getattr(candidate, "post", None)
    created_at = getattr(candidate, "created_at", None)
    published_at = getattr(post, "published_at", None)
    if created_at is None or published_at is None:
        return None
    return (created_at - published_at).total_seconds() / 86400


def score(candidate):
    """The probability (0-1) that a comment is spam, or None while the model knows too
    little (fewer than ``MIN_DOCUMENTS`` spam or ham comments). One query."""
    tokens = features(candidate)
    counts = {
        row[0]: (row[1], row[2])
        for row in SpamToken.objects.filter(token__in=[*tokens, ""]).values_list(
            "token", "spam", "ham"
        )
    }
    spam_docs, ham_docs = counts.pop("", (0, 0))
    if spam_docs < MIN_DOCUMENTS or ham_docs < MIN_DOCUMENTS:
        return None
    clues = []
    for token in tokens:
        spam, ham = counts.get(token, (0, 0))
        probability = token_probability(spam, ham, spam_docs, ham_docs)
        if abs(probability - 0.5) >= MIN_STRENGTH:
            clues.append(probability)
    clues.sort(key=lambda p: abs(p - 0.5), reverse=True)
    return combine(clues[:MAX_CLUES])


def token_probability(spam, ham, spam_docs, ham_docs):
    """Robinson's f(w): the feature's spam probability from the rates it appears in each
    class, pulled towards ``PRIOR`` while it has been seen only a few times."""
    seen = spam + ham
    if seen == 0:
        return PRIOR
    spam_rate = min(spam / spam_docs, 1.0)
    ham_rate = min(ham / ham_docs, 1.0)
    p = spam_rate / (spam_rate + ham_rate) if spam_rate + ham_rate else PRIOR
    f = (STRENGTH * PRIOR + seen * p) / (STRENGTH + seen)
    return min(max(f, FLOOR), CEILING)


def combine(probabilities):
    """Fisher's chi-square combining (SpamBayes' chi2_spamprob): 0.5 without evidence."""
    if not probabilities:
        return 0.5
    n = len(probabilities)
    ham_evidence = -2.0 * sum(math.log(p) for p in probabilities)
    spam_evidence = -2.0 * sum(math.log(1.0 - p) for p in probabilities)
    spamminess = 1.0 - _chi2_survival(spam_evidence, 2 * n)
    hamminess = 1.0 - _chi2_survival(ham_evidence, 2 * n)
    return (spamminess - hamminess + 1.0) / 2.0


def _chi2_survival(x2, dof):
    """P(chi-square with ``dof`` (even) degrees of freedom >= x2), in closed form."""
    m = x2 / 2.0
    term = total = math.exp(-m)
    for i in range(1, dof // 2):
        term *= m / i
        total += term
    return min(total, 1.0)


def learn(comment, is_spam):
    """Learn a moderator's decision about ``comment`` (spam, or ham when approved).

    The same lesson twice counts once; the opposite lesson is unlearnt first. The
    comment's ``trained_as`` is changed only if no other process changed it meanwhile
    (compare and set), so two moderators deciding at once cannot count a comment twice.
    """
    lesson = "spam" if is_spam else "ham"
    with transaction.atomic():
        for _attempt in range(3):
            before = comment.trained_as
            if before == lesson:
                return
            claimed = Comment.objects.filter(pk=comment.pk, trained_as=before).update(
                trained_as=lesson
            )
            if claimed:
                break
            comment.refresh_from_db(fields=["trained_as"])
        else:
            return
        comment.trained_as = lesson
        tokens = [*features(comment), ""]
        if before in ("spam", "ham"):
            _count(tokens, before, -1)
        _count(tokens, lesson, +1)


CORPUS = Path(__file__).resolve().parent / "spam_seed" / "corpus.json"


def load_corpus(path=CORPUS):
    """The examples of the shipped corpus (see ``train_corpus()`` for their shape)."""
    return json.loads(Path(path).read_text(encoding="utf-8"))["examples"]


def train_corpus(model, examples):
    """Count labelled examples into ``model`` (``SpamToken``, or the migration's version of
    it); return how many. Each example is a dict with ``spam`` (bool), ``body`` (Markdown)
    and optionally ``name``, ``email_domain`` (the corpus keeps no address, only what the
    features use), ``url`` and ``user_agent``.
    """

    def lessons():
        for example in examples:
            domain = example.get("email_domain")
            candidate = SimpleNamespace(
                post=None,
                parent=None,
                user=None,
                author_name=example.get("name", ""),
                author_email=f"someone@{domain}" if domain else "",
                author_url=example.get("url", ""),
                ip_address=None,
                user_agent=example.get("user_agent", ""),
                body=example["body"],
                body_html=render_comment_markdown(example["body"]),
                created_at=None,
            )
            yield candidate, example["spam"]

    return _train(model, lessons())


@transaction.atomic
def retrain():
    """Rebuild the model from scratch: the corpus, then every comment a moderator decided.

    For after a change to ``features()``, which leaves the stored counts describing tokens
    that are no longer made. Decisions taken while it runs may be lost (run it quietly).
    Returns (corpus examples, decided comments).
    """
    SpamToken.objects.all().delete()
    examples = train_corpus(SpamToken, load_corpus())
    decided = (
        Comment.objects.filter(trained_as__in=["spam", "ham"])
        .select_related("post")
        .iterator(chunk_size=2000)
    )
    comments = _train(SpamToken, ((c, c.trained_as == "spam") for c in decided))
    return examples, comments


def _train(model, lessons):
    """Count (candidate, is_spam) lessons into ``model`` at once; return how many."""
    counts = {}  # token -> [spam, ham]
    taught = 0
    for candidate, is_spam in lessons:
        side = 0 if is_spam else 1
        for token in [*features(candidate), ""]:
            counts.setdefault(token, [0, 0])[side] += 1
        taught += 1
    # One UPDATE per distinct (spam, ham) pair rather than per token: a few dozen in all.
    by_pair = {}
    for token, pair in counts.items():
        by_pair.setdefault(tuple(pair), []).append(token)
    with transaction.atomic():
        _ensure(model, list(counts))
        for (spam, ham), tokens in by_pair.items():
            for chunk in _chunks(tokens):
                model.objects.filter(token__in=chunk).update(
                    spam=F("spam") + spam, ham=F("ham") + ham
                )
    return taught


def _count(tokens, field, delta):
    """Move ``field`` ("spam" or "ham") of every token by ``delta`` (±1), never below 0."""
    if delta > 0:
        _ensure(SpamToken, tokens)
        rows = SpamToken.objects.filter(token__in=tokens)
    else:
        rows = SpamToken.objects.filter(token__in=tokens, **{f"{field}__gte": -delta})
    rows.update(**{field: F(field) + delta})


def _ensure(model, tokens):
    """Create the rows of tokens never seen before (another process may create them too)."""
    for chunk in _chunks(tokens):
        existing = set(model.objects.filter(token__in=chunk).values_list("token", flat=True))
        missing = [model(token=token) for token in chunk if token not in existing]
        if missing:
            model.objects.bulk_create(missing, ignore_conflicts=True)


def _chunks(items, size=500):
    # SQLite builds before 3.32 take at most 999 parameters in a query.
    for start in range(0, len(items), size):
        yield items[start : start + size]
