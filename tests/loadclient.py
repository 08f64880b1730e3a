"""Many writers posting comments at once over HTTP (stdlib only): the load test's client.

Used by ``tests/core/test_concurrent_writers.py`` (short) and ``bench/load_comments.py``
(the full 50 writers x 60 s).
"""

import http.cookiejar
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ISSUED = re.compile(r'name="issued" value="([^"]+)"')
STAMP_PATH = "/comments/stamp/"  # a fresh comment-form stamp (discussion:stamp)

# Run with `rejoinder shell -c` before a load: these writers post many comments a second
# from one address, which the site's flood limits (rightly) refuse.
LENIENT_RULES = (
    "from rejoinder.discussion.models import DiscussionSettings as S; r = S.load(); "
    "r.moderation = 'off'; r.flood_seconds = r.hourly_limit = r.min_form_seconds = 0; r.save()"
)
# A fresh site for server tests: migrated, the demo loaded, the lenient rules.
DEMO_SITE = (
    "from django.core.management import call_command; call_command('migrate', verbosity=0); "
    "from django.contrib.auth.models import User; from rejoinder.operations.demo import load_demo; "
    "load_demo(User.objects.create_superuser('editor', password='x' * 20)); " + LENIENT_RULES
)


@dataclass
class Outcome:
    acknowledged: list = field(default_factory=list)  # bodies answered 2xx/3xx
    statuses: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    latencies: list = field(default_factory=list)
    lock = threading.Lock()

    def add(self, status, body=None, latency=None, error=None):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if body is not None:
                self.acknowledged.append(body)
            if latency is not None:
                self.latencies.append(latency)
            if error is not None and len(self.errors) < 20:
                self.errors.append(error)

    def percentile(self, share):
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else 0.0

    def summary(self, seconds):
        return {
            "acknowledged": len(self.acknowledged),
            "per_second": round(len(self.acknowledged) / seconds, 1),
            "p50_ms": round(statistics.median(self.latencies) * 1000, 1) if self.latencies else 0,
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "statuses": dict(sorted(self.statuses.items(), key=lambda item: str(item[0]))),
        }


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post_one(base_url, post_path, body, name="Same reader"):
    """Fetch the post page, then send one comment from it as a browser would (a cached
    page carries no CSRF token: the Origin check stands in for it); (status, body)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    with opener.open(base_url + post_path, timeout=30) as page:
        html = page.read().decode()
    data = urllib.parse.urlencode(
        {"issued": ISSUED.search(html).group(1), "name": name, "body": body}
    ).encode()
    request = urllib.request.Request(
        base_url + post_path + "comments/", data=data, headers={"Origin": base_url}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, ""
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(errors="replace")


def writer(number, base_url, post_path, stop_at, outcome):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    form = None  # the form's hidden fields, read from the post page
    sent = 0
    while time.monotonic() < stop_at:
        try:
            if form is None:
                with opener.open(base_url + post_path, timeout=30) as page:
                    html = page.read().decode()
                form = {"issued": ISSUED.search(html).group(1)}
                # A cached page carries no CSRF token: the site checks Origin instead.
                token = TOKEN.search(html)
                if token:
                    form["csrfmiddlewaretoken"] = token.group(1)
            if sent:
                # A stamp sends one comment: the next takes a fresh one (as the embed does).
                with opener.open(base_url + STAMP_PATH, timeout=30) as stamp:
                    form["issued"] = stamp.read().decode()
            body = f"load-{number}-{sent}"
            sent += 1
            data = urllib.parse.urlencode(
                {**form, "name": f"Writer {number}", "body": body}
            ).encode()
            request = urllib.request.Request(
                base_url + post_path + "comments/",
                data=data,
                headers={"Referer": base_url + post_path, "Origin": base_url},
            )
            started = time.monotonic()
            try:
                with opener.open(request, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as answer:
                status = answer.code
                text = answer.read().decode(errors="replace")[:300]
                if status >= 400 and status not in (301, 302, 303):
                    outcome.add(status, error=f"{status}: {text}")
                    continue
            outcome.add(status, body=body, latency=time.monotonic() - started)
        except (OSError, AttributeError) as failure:
            # The server went away (a test kills it on purpose): not acknowledged.
            outcome.add("connection", error=str(failure)[:200])
            form = None
            time.sleep(0.2)


def run(base_url, post_path, writers, seconds):
    """``writers`` threads post comments for ``seconds``; return the ``Outcome``."""
    outcome = Outcome()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=writer, args=(n, base_url, post_path, stop_at, outcome))
        for n in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return outcome
