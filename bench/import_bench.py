"""Benchmark the WordPress import: a generated WXR of 2,000 posts and 100,000 comments.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/import_bench.py [--posts 2000] [--comments 100000] [--runs 3]

It writes the WXR file once (threaded comments: 80% answer an earlier comment of the same
post, bodies of 100-800 characters, some HTML), then for each run imports it into a fresh
SQLite data directory with `rejoinder import wordpress` in a child process, and reports
the wall time, comments per second and the child's peak memory (ru_maxrss). Memory is
measured on the file at two sizes (a quarter of the posts, then all) to show it is flat.
"""

import argparse
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "interop"))

WORDS = [
    "council", "bridge", "money", "traffic", "forecast", "review", "report", "independent",
    "cost", "people", "evidence", "claim", "numbers", "source", "quote", "paper", "article",
    "minister", "budget", "vote", "city", "year", "question", "answer",
]  # fmt: skip


def write_wxr(path, posts, comments, seed=1):
    from wxr_files import comment, item, wxr

    rng = random.Random(seed)
    per_post = comments // posts
    comment_id = 1
    items = []
    for post_id in range(1, posts + 1):
        thread = []
        first = comment_id
        for n in range(per_post):
            parent = 0
            if n and rng.random() < 0.8:
                parent = rng.randint(first, comment_id - 1)
            words = rng.choices(WORDS, k=rng.randint(15, 120))
            text = " ".join(words).capitalize() + "."
            if rng.random() < 0.2:
                text = f'<em>{words[0]}</em> {text}\n\n<a href="https://x.example/{n}">link</a>'
            day = 1 + post_id % 28
            thread.append(
                comment(
                    comment_id, text, parent=parent, date=f"2019-02-{day:02d} 10:{n % 60:02d}:00"
                )
            )
            comment_id += 1
        items.append(
            item(
                post_id,
                f"Post {post_id}",
                content=f"<p>Body of post {post_id}.</p>",
                slug=f"post-{post_id}",
                date=f"2019-01-{1 + post_id % 28:02d} 09:00:00",
                comments=thread,
            )
        )
    path.write_text(wxr(*items), encoding="utf-8")
    return comment_id - 1


def run_import(path, data_dir):
    env = {
        **os.environ,
        "REJOINDER_DATA_DIR": str(data_dir),
        "REJOINDER_SECRET_KEY": secrets.token_urlsafe(40),
    }
    env.pop("DATABASE_URL", None)
    rejoinder = str(Path(sys.executable).parent / "rejoinder")
    subprocess.run([rejoinder, "migrate", "-v0"], env=env, check=True)
    code = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        f"result = subprocess.run([{rejoinder!r}, 'import', 'wordpress', {str(path)!r}], "
        "capture_output=True, text=True)\n"
        "elapsed = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(elapsed, peak, result.returncode)\n"
        "print(result.stdout[-3000:], result.stderr[-2000:], file=sys.stderr)\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    elapsed, peak_kb, returncode = output.stdout.split()
    if returncode != "0":
        raise SystemExit(f"import failed:\n{output.stderr}")
    # The importer's own clock: the import without interpreter and Django start-up.
    inside = float(re.search(r"Time: ([0-9.]+) s", output.stderr).group(1))  # 2 decimals
    return float(elapsed), int(peak_kb) / 1024, inside


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rejoinder-import-bench-") as tmp:
        work = Path(tmp)
        results = {}
        for label, scale in (("quarter", 4), ("full", 1)):
            path = work / f"{label}.xml"
            count = write_wxr(path, args.posts // scale, args.comments // scale)
            size = path.stat().st_size / 1e6
            runs = []
            for run in range(args.runs if label == "full" else 1):
                elapsed, peak, inside = run_import(path, work / f"data-{label}-{run}")
                runs.append((elapsed, peak, inside))
                print(
                    f"{label}: {count:,} comments, {size:.0f} MB: command {elapsed:.1f} s "
                    f"({count / elapsed:,.0f}/s), import {inside:.1f} s "
                    f"({count / inside:,.0f}/s), peak {peak:.0f} MB",
                    file=sys.stderr,
                )
            results[label] = (count, size, runs)
        print(
            "| file | comments | size (MB) | command (s) | comments/s | import alone (s) "
            "| comments/s | peak memory (MB) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for label, (count, size, runs) in results.items():
            elapsed = statistics.median(r[0] for r in runs)
            inside = statistics.median(r[2] for r in runs)
            peak = max(r[1] for r in runs)
            cells = [
                label, f"{count:,}", f"{size:.0f}", f"{elapsed:.2f}", f"{count / elapsed:,.0f}",
                f"{inside:.2f}", f"{count / inside:,.0f}", f"{peak:.0f}",
            ]  # fmt: skip
            print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
