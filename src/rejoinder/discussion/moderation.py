"""The moderation policy: who may comment, and what status a new comment starts with.

Two steps, both plain functions of the comment being made (a namespace of its values):

* ``refuse_if_barred()`` raises ``CommentRefused`` for what is never taken from this
  commenter: a ban, a form sent faster than a person could; ``refuse_if_out_of_place()``
  for what the thread as it stands refuses: a duplicate, a reply under a locked branch
  (run inside the comment's write transaction).
* ``judge()`` decides the status of what is taken, with every reason it was held: the
  block list and a high spam score send to spam; the post's "hold every comment", the
  site's pre-moderation, the hold list, too many links and a middling spam score hold.

Staff and the post's author skip both, as in WordPress. The rules and their WordPress
equivalents are listed in ``docs/moderation.md``.
"""

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from rejoinder.core import versions
from rejoinder.core.networks import in_networks, parse_network

from . import spam
from .errors import CommentRefused
from .models import PATH_WIDTH, Ban, Comment, DiscussionSettings

# A link in the Markdown source: every link carries its address once, and bare addresses
# count too (as in WordPress, which counts after turning them into links).
LINK = re.compile(r"https?://|(?<![/.\w])www\.", re.IGNORECASE)


# Reasons that hold a comment for who wrote it or where, not for what it says.
PRE_MODERATION = ("this post holds every comment", "every comment is held", "first comment")


@dataclass
class Verdict:
    status: str
    reasons: list = field(default_factory=list)
    score: float | None = None

    @property
    def flagged(self):
        """Held or spammed by a content rule, not only by pre-moderation."""
        return any(reason not in PRE_MODERATION for reason in self.reasons)


def is_exempt(candidate):
    """Who moderates comments (the comment permission: moderators, editors,
    administrators) and the post's own author are trusted with every rule, as in WordPress
    (``moderate_comments``); a staff account without that permission is not."""
    user = candidate.user
    if user is None:
        return False
    if user.pk == candidate.post.author_id:
        return True
    return user.is_active and user.has_perm("discussion.change_comment")


def refuse_if_barred(candidate, rules, form_age=None):
    """Raise ``CommentRefused`` if the comment must not be taken at all.

    ``form_age`` is the seconds since the form's stamp was issued (None: not sent from a
    form); each page, cached or not, carries a stamp of its own response (``stamps``).
    Reads nothing that a concurrent comment changes: run before the write transaction.
    """
    if form_age is not None and form_age < rules.min_form_seconds:
        raise CommentRefused(
            None,
            f"That was sent less than {rules.min_form_seconds} seconds after the page "
            "loaded, faster than a person types; nothing was saved. Send it again.",
        )
    ban = active_ban(candidate)
    if ban is not None:
        until = (
            f" until {date_format(timezone.localtime(ban.expires_at), 'DATETIME_FORMAT')}"
            if ban.expires_at
            else ""
        )
        raise CommentRefused(None, f"You cannot comment on this site{until}.")


def refuse_if_out_of_place(candidate):
    """Raise ``CommentRefused`` if the thread as it stands refuses the comment: a reply
    under a locked branch, or the same text again. Run in the comment's write transaction,
    so two identical comments sent at once make one."""
    if candidate.parent is not None and branch_locked(candidate.parent):
        raise CommentRefused("parent", "Replies to this comment have been closed by a moderator.")
    if is_duplicate(candidate):
        raise CommentRefused("body", "You've already said that on this post.")


BANS = "bans"  # the bans' token in core.versions (moved by signal_handlers)


def active_ban(candidate, now=None):
    """The ban that keeps this commenter out (account, email or address), or None.

    Every ban is read once per change of any ban (each process keeps them under a version
    token), then matched here: a comment costs no query for them.
    """
    now = now or timezone.now()
    live = [ban for ban in versions.kept(BANS, _all_bans) if ban.is_active(now)]
    email = candidate.author_email.lower() if candidate.author_email else None
    user_id = candidate.user.pk if candidate.user is not None else None
    for ban in live:
        if (user_id is not None and ban.user_id == user_id) or (
            email and ban.email.lower() == email
        ):
            return ban
    if candidate.ip_address:
        for ban in live:
            if ban.ip_range and in_networks(candidate.ip_address, (ban.ip_range,)):
                return ban
    return None


def _all_bans():
    return list(Ban.objects.all())


def branch_locked(parent):
    """Whether the parent or any comment above it has had its replies closed."""
    if parent.locked:
        return True
    path, width = parent.path, PATH_WIDTH
    ancestor_ids = [int(path[i : i + width], 36) for i in range(0, len(path), width)]
    return Comment.objects.filter(pk__in=ancestor_ids, locked=True).exists()


def is_duplicate(candidate):
    """The same text from the same commenter on the same post (WordPress's rule)."""
    same = Comment.objects.filter(post=candidate.post, body=candidate.body).exclude(
        status=Comment.Status.TRASH
    )
    if candidate.user is not None:
        return same.filter(user=candidate.user).exists()
    if candidate.author_email:
        return same.filter(author_email=candidate.author_email).exists()
    return same.filter(author_name=candidate.author_name, ip_address=candidate.ip_address).exists()


def judge(candidate, rules=None):
    """The status a new comment starts with, and why it was held or sent to spam."""
    if is_exempt(candidate):
        return Verdict(Comment.Status.APPROVED)
    rules = rules or DiscussionSettings.load()
    score = spam.score(candidate)
    fields = _fields(candidate)
    blocked = first_match(rules.block_list, fields)
    if blocked:
        return Verdict(Comment.Status.SPAM, [f"block list: {blocked}"], score)
    if score is not None and score >= rules.spam_score:
        return Verdict(Comment.Status.SPAM, [f"spam score {score:.2f}"], score)
    reasons = []
    if candidate.post.hold_comments:
        reasons.append("this post holds every comment")
    if rules.moderation == DiscussionSettings.Moderation.ALL:
        reasons.append("every comment is held")
    held = first_match(rules.hold_list, fields)
    if held:
        reasons.append(f"hold list: {held}")
    links = len(LINK.findall(candidate.body))
    if rules.hold_links and links >= rules.hold_links:
        reasons.append(f"{links} links")
    if score is not None and score >= rules.spam_hold_score:
        reasons.append(f"spam score {score:.2f}")
    if rules.moderation == DiscussionSettings.Moderation.FIRST_TIME and not is_trusted(
        candidate, rules.trusted_after
    ):
        reasons.append("first comment")
    status = Comment.Status.PENDING if reasons else Comment.Status.APPROVED
    return Verdict(status, reasons, score)


def judge_edit(comment, rules=None):
    """The status an edited comment falls to: the content rules again, not pre-moderation.

    An approved comment stays approved unless its new text trips a content rule (block
    list or spam score: spam; hold list, links, a middling score: held); a held one stays
    held. Otherwise a trusted reader could post something harmless and edit in the spam.
    """
    verdict = judge(comment, rules)
    if verdict.status == Comment.Status.SPAM:
        return verdict
    content = [reason for reason in verdict.reasons if reason not in PRE_MODERATION]
    if content and comment.status == Comment.Status.APPROVED:
        return Verdict(Comment.Status.PENDING, content, verdict.score)
    return Verdict(comment.status, content, verdict.score)


def is_trusted(candidate, needed):
    """Whether the commenter already has ``needed`` approved comments: by account, or,
    without one, by the same name and email address together (WordPress's
    ``check_comment``). An address alone is public enough (a trusted reader's, the post
    author's) that anyone could skip moderation with it, and an account's comments never
    vouch for a comment sent without signing in."""
    if needed == 0:
        return True
    approved = Comment.objects.filter(status=Comment.Status.APPROVED)
    if candidate.user is not None:
        approved = approved.filter(user=candidate.user)
    elif candidate.author_email and candidate.author_name:
        approved = approved.filter(
            user=None,
            author_email=candidate.author_email,
            author_name__iexact=candidate.author_name,
        )
    else:
        return False
    return approved.count() >= needed if needed > 1 else approved.exists()


def _fields(candidate):
    return {
        "name": candidate.author_name,
        "email": candidate.author_email,
        "url": candidate.author_url,
        "text": candidate.body,
        "user agent": candidate.user_agent,
        "ip": candidate.ip_address or "",
    }


def first_match(text, fields):
    """The first entry of a hold or block list matching any field, or None.

    An entry that parses as an address or a CIDR range matches the IP address; a single
    word matches whole words; anything else (a phrase, an address, a domain) matches as a
    substring. All case-insensitively.
    """
    if not text.strip():
        return None
    networks, patterns = _compile(text)
    ip = fields.get("ip")
    for entry, _network in networks:
        if ip and in_networks(ip, (entry,)):
            return entry
    for entry, pattern in patterns:
        for name, value in fields.items():
            if name != "ip" and value and pattern.search(value):
                return entry
    return None


@lru_cache(maxsize=8)
def _compile(text):
    networks, patterns = [], []
    for line in text.splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        network = parse_network(entry) if any(c in entry for c in ".:") else None
        if network is not None:
            networks.append((entry, network))
        elif re.fullmatch(r"\w+", entry):
            patterns.append((entry, re.compile(rf"\b{re.escape(entry)}\b", re.IGNORECASE)))
        else:
            patterns.append((entry, re.compile(re.escape(entry), re.IGNORECASE)))
    return tuple(networks), tuple(patterns)


def pending_of(ban):
    """The pending comments ``ban`` covers (its account, address or network)."""
    pending = Comment.objects.filter(status=Comment.Status.PENDING).select_related("post")
    who = Q(pk__in=[])
    if ban.user_id:
        who |= Q(user_id=ban.user_id)
    if ban.email:
        who |= Q(author_email__iexact=ban.email)
    matched = list(pending.filter(who))
    if ban.ip_range:
        seen = {c.pk for c in matched}
        matched += [
            c
            for c in pending.exclude(ip_address=None).exclude(pk__in=seen)
            if in_networks(c.ip_address, (ban.ip_range,))
        ]
    return matched
