"""`bench/run --quick --small` end to end: the benchmark script itself still works.

A smoke run (1 s per row, a tiny data set, no JSON file): it builds the site, starts every
server, runs wrk, the comment load and nginx, and must print every row of its tables. The
figures are not checked; this test only proves the command a benchmark needs runs. It
runs on SQLite whatever the suite's database (the script makes its own SQLite site).
"""

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEARCH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])

PAGE_ROWS = [
    "front page",
    "seed post (6 comments)",
    "1k-comment post (default paging)",
    "10k-comment post, whole thread",
    "10k-comment post, first page",
    "site feed",
]
REFERENCE_ROWS = [
    "trivial Django view `/trivial/`, rejoinder serve",
    "nginx: the seed post as a static file",
    "seed post through nginx in front of rejoinder serve (page-cache files)",
]
TARGETS = [
    "cached seed post, rejoinder serve / trivial view (req/s)",
    "seed post via the nginx front / nginx static (req/s)",
    "uncached seed post / trivial view (req/s)",
    "10k whole thread p50, cached",
    "10k first page p50, cached",
    "10k whole thread p50, uncached",
    "10k first page p50, uncached",
    "comment POSTs/s (SQLite)",
    "comment POST p99",
    "worker RSS, largest worker",
]
NUMBER = r"[0-9][0-9,.]*"


def table_rows(output):
    """{first cell: the other cells} of every Markdown table row printed."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows.setdefault(cells[0], []).append(cells[1:])
    return rows


def test_bench_run_quick_prints_every_row(tmp_path):
    missing = [tool for tool in ("wrk", "nginx") if not shutil.which(tool, path=SEARCH)]
    assert not missing or os.geteuid() == 0, (
        f"bench/run needs {' and '.join(missing)}: scripts/test installs them "
        "(apt-get install nginx-light wrk), as bench/run does when run as root"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REJOINDER_", "DJANGO_"))
    }
    env["BENCH_RUN_NO_SETUP"] = "1"  # the suite runs inside the virtualenv already
    result = subprocess.run(
        [str(ROOT / "bench" / "run"), "--quick", "--small", "--no-json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    rows = table_rows(result.stdout)
    for label in PAGE_ROWS:
        caches = sorted(cells[0] for cells in rows.get(label, []))
        assert caches == ["cached", "uncached"], (label, result.stdout)
        for cells in rows[label]:
            assert all(re.fullmatch(NUMBER, cell) for cell in cells[-3:]), (label, cells)
    for label in REFERENCE_ROWS:
        assert label in rows, (label, result.stdout)
        assert re.fullmatch(NUMBER, rows[label][0][-3]), (label, rows[label])
    (comments,) = rows["4 writers × 2 s"]
    assert float(comments[0]) > 0, result.stderr[-4000:]
    for server in ("cached, default paging", "uncached, default paging", "trivial view"):
        (rss,) = rows[f"rejoinder serve, {server}"]
        assert rss[0] == "2" and float(rss[1]) > 10, (server, rss)
    for target in TARGETS:
        (cells,) = rows[target]
        assert cells[-1] in ("pass", "**FAIL**"), (target, cells)
    # Every server it started is gone: nothing answers on their ports any more.
    ports = re.findall(r"starting .* on http://127\.0\.0\.1:(\d+)", result.stderr)
    assert len(ports) == 7, result.stderr[-4000:]  # 5 rejoinder serve, 2 nginx
    for port in ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", int(port))) != 0, f"port {port} still open"
