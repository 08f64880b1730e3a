"""Benchmark a post page carrying 10,000 comments under `rejoinder serve`.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/thread_bench.py [--comments 10000] [--duration 10] [--runs 3]

It builds a throw-away SQLite site with one post of ``--comments`` comments in realistic
threads (``bench/thread_data.py``: random parents, depth up to 12, 200-1,500 characters
each), then starts `rejoinder serve --workers 2` twice:

* **whole thread**: ``REJOINDER_COMMENTS_PAGE_THRESHOLD`` raised above the comment count,
  so the page carries every comment;
* **first page**: the default threshold (200), so the page carries the first top-level
  threads and "Load more".

Each is measured twice: as an anonymous reader (the thread HTML comes from the cache after
the first request) and as a reader with a comment of their own still editable (a signed
ownership cookie), who always gets a fresh render: that one is the cost of building and
rendering the thread. wrk keeps ``--connections`` requests in flight (default 1) so p50 is
the time to serve one page, not time spent queueing or sharing the 2 cores with wrk.

The helpers (wrk, the code snapshot, server start/stop, the disturbance check) are those of
``serve_bench.py``.
"""

import argparse
import datetime
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import serve_bench as sb

SCRIPT = """
import sys
sys.path.insert(0, {bench_dir!r})
from django.core import signing
from thread_data import build_post
from rejoinder.discussion.ownership import COOKIE, SALT
post = build_post(count={count})
print(post.get_absolute_url())
print(COOKIE + "=" + signing.get_cookie_signer(salt=COOKIE + SALT).sign("1"))
"""


def prepare(env, count):
    command = [*sb.rejoinder_command(), "migrate", "--noinput", "--verbosity", "0"]
    sb.subprocess.run(command, env=env, check=True, timeout=300)
    script = SCRIPT.format(bench_dir=str(sb.BENCH_DIR), count=count)
    result = sb.subprocess.run(
        [*sb.rejoinder_command(), "shell", "--no-imports", "--verbosity", "0", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    url, cookie = result.stdout.strip().splitlines()[-2:]
    command = [*sb.rejoinder_command(), "collectstatic", "--noinput", "--verbosity", "0"]
    sb.subprocess.run(command, env=env, check=True, timeout=300)
    return url, cookie


def wrk_with_cookie(wrk, cookie):
    """A wrk "binary" that sends the ownership cookie: a tiny shell wrapper."""
    if cookie is None:
        return wrk
    wrapper = Path(tempfile.mkdtemp(prefix="rejoinder-wrk-")) / "wrk"
    wrapper.write_text(f'#!/bin/sh\nexec {wrk} -H "Cookie: {cookie}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def run_scenario(label, env, path, wrk, cookie, args, work):
    port = sb.free_port()
    base = f"http://{sb.HOST}:{port}"
    log_path = str(work / f"{label.replace(' ', '-')}.log")
    server = sb.Server(label, sb.granian_server(port, args.workers), env, log_path)
    results = {}
    try:
        server.start(base)
        status, body = sb.fetch(base + path, timeout=60)
        comments = body.count('class="comment p-comment')
        sb.log(f"{label}: {status}, {len(body.encode()):,} bytes, {comments} comments on the page")
        for viewer, viewer_cookie in (
            ("anonymous (cached)", None),
            ("own comment (fresh)", cookie),
        ):
            tool = wrk_with_cookie(wrk, viewer_cookie)
            sb.run_wrk(tool, base + path, args.threads, args.connections, args.warmup)
            runs = [
                sb.measure(f"{label}, {viewer}: run {n}", server, base + path, tool, args)
                for n in range(1, args.runs + 1)
            ]
            results[viewer] = {
                "runs": runs,
                "median": sb.medians(runs),
                "bytes": len(body.encode()),
                "comments_on_page": comments,
            }
    finally:
        server.stop()
    return results


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--comments", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--retries", type=int, default=3)
    parser.add_argument("--quiet-wait", type=int, default=120)
    args = parser.parse_args(argv)
    if args.duration > 300 or args.comments > 200_000:
        parser.error("--duration is capped at 300 s and --comments at 200,000")
    return args


def main(argv=None):
    args = parse_args(argv)
    wrk = sb.ensure_wrk()
    results = {}
    with tempfile.TemporaryDirectory(prefix="rejoinder-thread-bench-") as tmp:
        work = Path(tmp)
        (work / "data").mkdir()
        code = sb.snapshot_code(work / "code")
        env = sb.site_env(work / "data", work / "code")
        sb.log(f"building a post with {args.comments:,} comments")
        path, cookie = prepare(env, args.comments)
        scenarios = {
            "whole thread": str(args.comments * 2),
            "first page": "200",
        }
        for label, threshold in scenarios.items():
            scenario_env = {**env, "REJOINDER_COMMENTS_PAGE_THRESHOLD": threshold}
            results[label] = run_scenario(label, scenario_env, path, wrk, cookie, args, work)
    lines = [
        "| page | viewer | bytes | req/s | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for page, viewers in results.items():
        for viewer, data in viewers.items():
            median = data["median"]
            lines.append(
                f"| {page} | {viewer} | {data['bytes']:,} | {median['requests_per_second']:,.1f} "
                f"| {median['p50_ms']:.1f} | {median['p99_ms']:.1f} |"
            )
    print("\n".join(lines))
    sb.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = sb.RESULTS_DIR / f"thread_bench-{stamp}.json"
    out.write_text(json.dumps({"code": code, "args": vars(args), "results": results}, indent=1))
    sb.log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
