"""bench/run: issue 8's benchmark, every figure in one command on a throw-away site.

Run it through the wrapper, which makes the virtualenv first:

    bench/run [--duration 10] [--runs 3] [--quick] [--small] [--only ROW ...]

What it does, in order:

1. makes sure ``wrk`` and ``nginx`` are installed (apt-get, as root; Debian's
   ``nginx-light`` is enough) and snapshots the installed ``rejoinder`` package, as
   ``serve_bench.py`` does, so every server runs the same code;
2. builds a SQLite data directory with production settings: the demo content (its flagship
   post is the *seed post*, with its 6-comment thread), a post with 1,000 comments, one
   with 10,000, and filler posts up to 1,000 posts (``run_data.py``);
3. starts ``rejoinder serve --workers 2`` (granian) and measures each page with wrk on
   127.0.0.1 (warm-up, then ``--runs`` runs, medians; a run disturbed by other processes is
   repeated, as in ``serve_bench.py``): the front page, the seed post, the 1k post, the
   10k post's whole thread (``REJOINDER_COMMENTS_PAGE_THRESHOLD`` above 10,000) and first
   page (default paging), and ``/feed/``, each with the page cache on (the default) and off
   (``REJOINDER_PAGE_CACHE=off``, a second server);
4. the references: nginx serving the seed post's HTML as a static file, a trivial Django
   view (``/trivial/``, ``trivial_settings.py``) under the same server, and the seed post
   through nginx in front of ``rejoinder serve`` with the page cache's files (the config
   printed by ``rejoinder nginx_config``, when the installed code has it);
5. comment POSTs on SQLite: ``--writers`` threads of ``tests/loadclient.py`` post into the
   seed post for ``--write-seconds`` against the cached server (which also runs the task
   worker, its email going to a local SMTP sink); then the VmRSS of every granian worker;
6. prints Markdown tables (pages, comment POSTs, worker RSS, issue 8's targets with
   pass/fail) and writes everything to ``bench/results/run-<UTC time>.json`` (gitignored).

Progress goes to stderr, the tables to stdout. Every process started runs in its own
process group and is stopped with it, also when the run fails or is interrupted.
"""

import argparse
import datetime
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import serve_bench as sb  # noqa: E402

from tests import loadclient  # noqa: E402
from tests.mailserver import MailServer  # noqa: E402

sb.PROGRAM = "bench/run"
log = sb.log

SEED_POST = sb.PAGES["post page"]
COMMENT_MARK = 'class="comment p-comment'

# The rows of the page table: key, label, which address, which comment paging.
PAGE_ROWS = [
    ("front", "front page", "front", "default"),
    ("seed", "seed post (6 comments)", "seed", "default"),
    ("1k", "1k-comment post (default paging)", "big", "default"),
    ("10k-whole", "10k-comment post, whole thread", "huge", "whole"),
    ("10k-first", "10k-comment post, first page", "huge", "default"),
    ("feed", "site feed", "feed", "default"),
]
# Rows whose figure is the time to serve one page: few connections, not saturation.
THREAD_ROWS = {"10k-whole", "10k-first"}
OTHER_ROWS = ["trivial", "nginx-static", "nginx-front", "comments"]
# The main server (page cache on, default paging) comes last: its comment load changes
# the seed post, which every page row must see unchanged.
SERVER_ORDER = [
    ("uncached", "default"), ("uncached", "whole"), ("cached", "whole"), (None, "trivial"),
    ("cached", "default"),
]  # fmt: skip
# Rows that need the main server (page cache on, default paging) even if no page row does.
MAIN_SERVER_ROWS = {"nginx-static", "nginx-front", "comments"}
ROW_KEYS = [row[0] for row in PAGE_ROWS] + OTHER_ROWS

# --quick's defaults: a smoke run. Without warm-up a cached row may include a miss.
QUICK = {"duration": 1, "runs": 1, "warmup": 0, "retries": 0, "writers": 4, "write_seconds": 2}
SIZES = {"full": (1_000, 10_000, 1_000), "small": (100, 300, 50)}  # big, huge, posts

# Settings this script chooses itself: an operator's environment must not change them.
SITE_VARIABLES = {
    "REJOINDER_ENV", "REJOINDER_DEBUG", "REJOINDER_SECRET_KEY", "REJOINDER_ALLOWED_HOSTS",
    "REJOINDER_DATA_DIR", "REJOINDER_LOG_LEVEL",
}  # fmt: skip

# serve_bench's demo content, then run_data's big threads and filler posts: one process.
BUILD_SCRIPT = (
    sb.DEMO_SCRIPT
    + """
import json, sys
sys.path.insert(0, {bench_dir!r})
from run_data import build
print(json.dumps(build(big={big}, huge={huge}, posts={posts})))
"""
)

TARGETS_NOTE = (
    "Targets of issue 8. The 10k rows are measured with {thread_connections} connection(s): "
    "their p50 is the time to serve one page. Worker RSS counts the servers with the "
    "default comment paging (the whole-thread servers are listed, not judged)."
)


# --- the site ----------------------------------------------------------------------------


def features(code_dir):
    """Which of the page cache's switches the snapshot's code has."""
    package = code_dir / "rejoinder"
    text = "\n".join(p.read_text(errors="replace") for p in package.rglob("*.py"))
    return {
        "page_cache_switch": bool(re.search(r"REJOINDER_PAGE_CACHE(?!_)", text)),
        "page_cache_dir": "REJOINDER_PAGE_CACHE_DIR" in text,
        "nginx_config": any(package.glob("*/management/commands/nginx_config.py")),
    }


def base_env(data_dir, code_dir):
    env = sb.site_env(data_dir, code_dir)
    for name in list(env):
        if name.startswith("REJOINDER_") and name not in SITE_VARIABLES:
            del env[name]
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def rejoinder(env, *args, timeout=600):
    command = [*sb.rejoinder_command(), *args]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def build_data(env, size):
    big, huge, posts = SIZES[size]
    started = time.monotonic()
    # As serve_bench.prepare_site, in fewer processes; `rejoinder serve` collects the static
    # files itself when it starts.
    log(
        f"preparing {env['REJOINDER_DATA_DIR']}: the demo content, a {big:,}-comment post, "
        f"a {huge:,}-comment post and {posts:,} posts in all"
    )
    rejoinder(env, "migrate", "--noinput", "--verbosity", "0")
    script = BUILD_SCRIPT.format(bench_dir=str(BENCH_DIR), big=big, huge=huge, posts=posts)
    output = rejoinder(env, "shell", "--no-imports", "--verbosity", "0", "-c", script)
    data = json.loads(output.strip().splitlines()[-1])
    data["seed_post"] = SEED_POST
    data["build_seconds"] = round(time.monotonic() - started, 1)
    log(f"data built in {data['build_seconds']} s: {data}")
    return data


# --- servers -----------------------------------------------------------------------------


def granian_workers(pgid):
    """Pids of the granian worker processes of the server whose process group is ``pgid``."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            pid = int(stat.parent.name)
            if int(fields[2]) != pgid or pid == pgid:
                continue
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if b"granian" in cmdline:
            workers.append(pid)
    return sorted(workers)


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def worker_rss(server):
    sizes = [size for size in map(rss_mb, granian_workers(server.process.pid)) if size]
    return {
        "workers": len(sizes),
        "each_mb": [round(size, 1) for size in sizes],
        "max_mb": round(max(sizes), 1) if sizes else None,
        "sum_mb": round(sum(sizes), 1) if sizes else None,
    }


class Servers:
    """Every server of the run; ``stop_all`` ends each one's process group."""

    def __init__(self, work_dir, workers):
        self.work_dir = work_dir
        self.workers = workers
        self.running = []

    def rejoinder(self, name, env, *extra):
        port = sb.free_port()
        command = [*sb.granian_server(port, self.workers), *extra]
        return self._start(name, command, env, port)

    def nginx(self, name, nginx, config_path, port, upstream=None):
        command = [nginx, "-c", str(config_path), "-p", str(config_path.parent)]
        command += ["-e", str(config_path.parent / "error.log")]
        if not re.search(r"^\s*daemon\s", config_path.read_text(), re.MULTILINE):
            command += ["-g", "daemon off;"]
        return self._start(name, command, dict(os.environ), port, upstream=upstream)

    def _start(self, name, command, env, port, upstream=None):
        log_path = self.work_dir / f"{name.replace(' ', '-')}.log"
        server = sb.Server(name, command, env, str(log_path))
        server.base_url = f"http://{sb.HOST}:{port}"
        if upstream is not None:
            server.process_groups = {upstream.process.pid}
        self.running.append(server)
        log(f"starting {name} on {server.base_url}")
        server.start(server.base_url)
        return server

    def stop(self, server):
        server.stop()
        if server in self.running:
            self.running.remove(server)

    def stop_all(self):
        for server in reversed(self.running):
            try:
                server.stop()
            except Exception as error:  # keep stopping the others
                log(f"stopping {server.name} failed: {error}")
        self.running = []


# --- measuring ---------------------------------------------------------------------------


def wrk_args(args, connections):
    return argparse.Namespace(
        **{**vars(args), "connections": connections, "threads": min(args.threads, connections)}
    )


def check_page(url, marker, server):
    try:
        status, body = sb.fetch(url, timeout=120)
    except urllib.error.HTTPError as error:
        status, body = error.code, ""
    if status != 200 or marker not in body:
        raise RuntimeError(
            f"{url} answered {status} without {marker!r}; server log:\n{server.read_log()}"
        )
    return body


def measure_url(label, server, url, wrk, args, connections, marker):
    """Check the page, warm up, then ``--runs`` measured wrk runs; the row's record."""
    body = check_page(url, marker, server)
    settings = wrk_args(args, connections)
    if args.warmup:
        sb.run_wrk(wrk, url, settings.threads, connections, args.warmup)
    runs = [
        sb.measure(f"{label}: run {number}/{args.runs}", server, url, wrk, settings)
        for number in range(1, args.runs + 1)
    ]
    return {
        "url": url,
        "connections": connections,
        "threads": settings.threads,
        "bytes": len(body.encode()),
        "comments_on_page": body.count(COMMENT_MARK),
        "runs": runs,
        "median": sb.medians(runs),
    }


def page_marker(address):
    return {"front": "<article", "feed": "<rss", "seed": "<article"}.get(address, COMMENT_MARK)


def measure_pages(server, cache, paging, addresses, wrk, args, results):
    for key, label, address, row_paging in PAGE_ROWS:
        if row_paging != paging or key not in args.only:
            continue
        connections = args.thread_connections if key in THREAD_ROWS else args.connections
        row = measure_url(
            f"{label}, {cache}",
            server,
            server.base_url + addresses[address],
            wrk,
            args,
            connections,
            page_marker(address),
        )
        row.update(key=key, label=label, cache=cache, path=addresses[address])
        if key == "10k-whole" and row["comments_on_page"] < addresses["huge_comments"]:
            raise RuntimeError(
                f"the whole thread shows {row['comments_on_page']} of "
                f"{addresses['huge_comments']} comments: the threshold was not applied"
            )
        results.append(row)


# The comment form's stamp in a cached page: an SSI include nginx fills per reader
# (core/nginx.py). The static reference serves the same page the same way, its include
# answered by nginx itself: what any per-request substitution costs nginx, without the
# application (plain sendfile of the page, as before the stamp became live, is ~2.5x that).
LIVE_STAMP = "<!--# include virtual='/comments/stamp/' -->"
STAMP_FIELD = re.compile(r'(<input type="hidden" name="issued" value=")[^"]*(")')


def nginx_static_config(directory, port):
    return f"""worker_processes auto;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    default_type text/html;
    sendfile on;
    client_body_temp_path {directory}/client_body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    server {{
        listen {sb.HOST}:{port};
        root {directory}/html;
        location / {{ ssi on; try_files $uri $uri/index.html =404; }}
        location = /comments/stamp/ {{ return 200 "static-stamp"; }}
    }}
}}
"""


def nginx_static(servers, nginx, wrk, html, args, work_dir):
    """nginx serving ``html`` (the seed post's page) as a static file at the same path,
    its comment form's stamp filled per request as the front fills it (``LIVE_STAMP``)."""
    html, filled = STAMP_FIELD.subn(lambda m: m[1] + LIVE_STAMP + m[2], html)
    if not filled:
        raise SystemExit("nginx static: the seed post has no comment form stamp to fill")
    directory = work_dir / "nginx-static"
    page_dir = directory / "html" / SEED_POST.strip("/")
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_text(html)
    (directory / "html" / "index.html").write_text(html)
    port = sb.free_port()
    config = directory / "nginx.conf"
    config.write_text(nginx_static_config(directory, port))
    server = servers.nginx("nginx static", nginx, config, port)
    try:
        url = server.base_url + SEED_POST
        return measure_url("nginx static", server, url, wrk, args, args.connections, "<article")
    finally:
        servers.stop(server)


def nginx_front(servers, nginx, wrk, upstream, env, args, work_dir):
    """The seed post through nginx in front of ``upstream``, with the page-cache files."""
    directory = work_dir / "nginx-front"
    directory.mkdir()
    port = sb.free_port()
    config = rejoinder(
        env,
        "nginx_config",
        "--listen",
        f"{sb.HOST}:{port}",
        "--upstream",
        upstream.base_url.removeprefix("http://"),
        "--run-dir",
        str(directory),
    )
    path = directory / "nginx.conf"
    path.write_text(config)
    server = servers.nginx("nginx front", nginx, path, port, upstream=upstream)
    try:
        url = server.base_url + SEED_POST
        row = measure_url("nginx front", server, url, wrk, args, args.connections, "<article")
        cache_dir = Path(env["REJOINDER_PAGE_CACHE_DIR"])
        row["page_cache_files"] = sum(1 for p in cache_dir.rglob("*") if p.is_file())
        # nginx_config's location for cached files marks its answers "X-Page-Cache: file".
        with urllib.request.urlopen(url, timeout=30) as response:
            row["x_page_cache"] = response.headers.get("X-Page-Cache")
        log(f"nginx front: {row['page_cache_files']} files, X-Page-Cache {row['x_page_cache']}")
        return row
    finally:
        servers.stop(server)


class OwnLoad(sb.OtherLoad):
    """OtherLoad that also counts this process's own CPU (the load client's threads and
    the SMTP sink run here) as ours."""

    def __enter__(self):
        self.own = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        return super().__enter__()

    def __exit__(self, *exc):
        own = resource.getrusage(resource.RUSAGE_SELF).ru_utime - self.own
        super().__exit__(*exc)
        if self.cpu_seconds is not None:
            elapsed = time.monotonic() - self.started
            self.cpu_seconds = round(max(0.0, self.cpu_seconds - own), 2)
            self.cores = round(self.cpu_seconds / elapsed, 3)


def comment_load(server, env, args, mail):
    """``--writers`` threads posting comments into the seed post for ``--write-seconds``."""
    rejoinder(env, "shell", "-c", loadclient.LENIENT_RULES)
    with OwnLoad(server.process.pid) as other:
        outcome = loadclient.run(server.base_url, SEED_POST, args.writers, args.write_seconds)
    summary = outcome.summary(args.write_seconds)
    summary["statuses"] = {str(key): value for key, value in summary["statuses"].items()}
    summary.update(
        writers=args.writers,
        seconds=args.write_seconds,
        errors=outcome.errors[:5],
        errors_5xx=sum(
            n for status, n in outcome.statuses.items() if isinstance(status, int) and status >= 500
        ),
        emails_received=len(mail.received),
        other_processes_cores=other.cores,
    )
    if not outcome.acknowledged:
        log(f"no comment was acknowledged; first errors: {outcome.errors[:3]}")
    log(
        f"comment POSTs: {summary['per_second']}/s, p50 {summary['p50_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, statuses {summary['statuses']}, "
        f"other processes {other.cores} cores"
    )
    return summary


# --- the run -----------------------------------------------------------------------------


def run(args, wrk, nginx, work_dir):
    data_dir = work_dir / "data"
    data_dir.mkdir()
    code_dir = work_dir / "code"
    code = sb.snapshot_code(code_dir)
    found = features(code_dir)
    log(f"benchmarking a snapshot of {code['source']} (sha256 {code['sha256'][:12]}); {found}")
    env = base_env(data_dir, code_dir)
    data = build_data(env, args.size)
    addresses = {
        "front": "/",
        "feed": "/feed/",
        "seed": SEED_POST,
        "big": data["big_post"],
        "huge": data["huge_post"],
        "huge_comments": data["huge_comments"],
    }
    record = {"code": code, "features": found, "data": data, "pages": [], "references": {}}
    record["rss"] = {}
    servers = Servers(work_dir, args.workers)
    mail = MailServer()
    mail.start()
    try:
        for cache, paging in SERVER_ORDER:
            if paging == "trivial":
                if "trivial" in args.only:
                    trivial_view(servers, env, wrk, args, record)
                continue
            main = cache == "cached" and paging == "default"
            rows = [r for r in PAGE_ROWS if r[3] == paging and r[0] in args.only]
            if rows or (main and MAIN_SERVER_ROWS & set(args.only)):
                site_server(servers, env, cache, paging, addresses, wrk, nginx, mail, args, record)
    finally:
        servers.stop_all()
        mail.stop()
    return record


def trivial_view(servers, env, wrk, args, record):
    """``/trivial/`` (``trivial_settings``) under the same server, settings and middleware."""
    trivial_env = dict(env, DJANGO_SETTINGS_MODULE="trivial_settings")
    trivial_env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(BENCH_DIR)])
    name = "rejoinder serve, trivial view"
    server = servers.rejoinder(name, trivial_env)
    url = server.base_url + "/trivial/"
    record["references"]["trivial"] = measure_url(
        "trivial view", server, url, wrk, args, args.connections, "ok"
    )
    record["rss"][name] = worker_rss(server)
    servers.stop(server)


def site_server(servers, env, cache, paging, addresses, wrk, nginx, mail, args, record):
    """One ``rejoinder serve`` configuration and every row measured against it.

    The main one (page cache on, default paging) runs as production does, with the task
    worker beside it (its email goes to a local SMTP sink) and, with ``nginx_config``
    available, the page cache's files for the nginx front; after its pages come the nginx
    rows and the comment load, which changes the seed post and so comes last of all.
    """
    main = cache == "cached" and paging == "default"
    front = main and "nginx-front" in args.only and record["features"]["nginx_config"]
    server_env = dict(env)
    extra = []
    if paging == "whole":
        threshold = str(addresses["huge_comments"] + 1)
        server_env["REJOINDER_COMMENTS_PAGE_THRESHOLD"] = threshold
    if cache == "uncached":
        server_env["REJOINDER_PAGE_CACHE"] = "off"
    if main:
        extra = ["--with-worker"]
        server_env.update(REJOINDER_EMAIL_HOST=sb.HOST, REJOINDER_EMAIL_PORT=str(mail.port))
    if front:
        server_env["REJOINDER_PAGE_CACHE_DIR"] = str(servers.work_dir / "page-cache")
    name = f"rejoinder serve, {cache}, {paging} paging"
    server = servers.rejoinder(name, server_env, *extra)
    measure_pages(server, cache, paging, addresses, wrk, args, record["pages"])
    if main and "nginx-static" in args.only:
        html = check_page(server.base_url + SEED_POST, "<article", server)
        record["references"]["nginx-static"] = nginx_static(
            servers, nginx, wrk, html, args, servers.work_dir
        )
    if front:
        record["references"]["nginx-front"] = nginx_front(
            servers, nginx, wrk, server, server_env, args, servers.work_dir
        )
    if main and "comments" in args.only:
        record["comments"] = comment_load(server, env, args, mail)
    record["rss"][name] = worker_rss(server)
    servers.stop(server)


# --- the report --------------------------------------------------------------------------


def figures(row):
    median = row["median"]
    return f"{median['requests_per_second']:,.0f} | {median['p50_ms']:.2f} | {median['p99_ms']:.2f}"


REFERENCE_LABELS = {
    "trivial": "trivial Django view `/trivial/`, rejoinder serve",
    "nginx-static": "nginx: the seed post as a static file",
    "nginx-front": "seed post through nginx in front of rejoinder serve (page-cache files)",
}


def tables(record, args):
    lines = [
        "| page | cache | conns | bytes | req/s | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    order = {key: n for n, key in enumerate(ROW_KEYS)}
    for row in sorted(record["pages"], key=lambda r: (order[r["key"]], r["cache"])):
        lines.append(
            f"| {row['label']} | {row['cache']} | {row['connections']} | {row['bytes']:,} "
            f"| {figures(row)} |"
        )
    for key, label in REFERENCE_LABELS.items():
        row = record["references"].get(key)
        if row:
            lines.append(
                f"| {label} | | {row['connections']} | {row['bytes']:,} | {figures(row)} |"
            )
        elif key in args.only:
            lines.append(f"| {label} | | | | n/a | n/a | n/a |")
    comments = record.get("comments")
    if comments or "comments" in args.only:
        lines += ["", "| comment POSTs (SQLite, seed post) | comments/s | p50 (ms) | p99 (ms) |"]
        lines.append("|---|---:|---:|---:|")
        if comments:
            lines.append(
                f"| {comments['writers']} writers × {comments['seconds']} s "
                f"| {comments['per_second']:,.1f} | {comments['p50_ms']} | {comments['p99_ms']} |"
            )
        else:
            lines.append("| not measured | n/a | n/a | n/a |")
    if record["rss"]:
        lines += ["", "| worker RSS after the run | workers | max (MB) | sum (MB) |"]
        lines.append("|---|---:|---:|---:|")
        for name, rss in record["rss"].items():
            lines.append(f"| {name} | {rss['workers']} | {rss['max_mb']} | {rss['sum_mb']} |")
    lines += ["", "| target (issue 8) | measured | wanted | result |", "|---|---:|---:|---|"]
    for target in record["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {target['wanted']} "
            f"| {target['result']} |"
        )
    lines += ["", TARGETS_NOTE.format(thread_connections=args.thread_connections)]
    return "\n".join(lines)


def page(record, key, cache):
    for row in record["pages"]:
        if row["key"] == key and row["cache"] == cache:
            return row["median"]
    return None


def evaluate(record):
    """Issue 8's targets, each with its measured figure and pass, FAIL or n/a."""
    refs = {key: row["median"] for key, row in record["references"].items()}
    targets = []

    def ratio(name, numerator, denominator, share):
        if numerator and denominator:
            value = numerator["requests_per_second"] / denominator["requests_per_second"]
            measured, ok = f"{value:.0%}" if value >= 0.1 else f"{value:.1%}", value >= share
        else:
            measured, ok = "n/a", None
        targets.append({"target": name, "measured": measured, "wanted": f"≥ {share:.0%}", "ok": ok})

    def below(name, value, limit, unit, fmt="{:.1f}"):
        measured = "n/a" if value is None else fmt.format(value) + f" {unit}"
        ok = None if value is None else value < limit
        targets.append(
            {"target": name, "measured": measured, "wanted": f"< {limit} {unit}", "ok": ok}
        )

    ratio("cached seed post, rejoinder serve / trivial view (req/s)",
          page(record, "seed", "cached"), refs.get("trivial"), 0.9)  # fmt: skip
    ratio("seed post via the nginx front / nginx static (req/s)",
          refs.get("nginx-front"), refs.get("nginx-static"), 0.5)  # fmt: skip
    ratio("uncached seed post / trivial view (req/s)",
          page(record, "seed", "uncached"), refs.get("trivial"), 0.5)  # fmt: skip
    for cache in ("cached", "uncached"):
        whole = page(record, "10k-whole", cache)
        below(f"10k whole thread p50, {cache}", whole and whole["p50_ms"], 250, "ms")
        first = page(record, "10k-first", cache)
        below(f"10k first page p50, {cache}", first and first["p50_ms"], 30, "ms")
    comments = record.get("comments")
    rate = comments and comments["per_second"]
    targets.append(
        {
            "target": "comment POSTs/s (SQLite)",
            "measured": "n/a" if rate is None else f"{rate:,.1f}/s",
            "wanted": "≥ 300/s",
            "ok": None if rate is None else rate >= 300,
        }
    )
    below("comment POST p99", comments and comments["p99_ms"], 100, "ms")
    judged = [
        rss["max_mb"]
        for name, rss in record["rss"].items()
        if "whole" not in name and rss["max_mb"] is not None
    ]
    worst = max(judged) if judged else None
    targets.append(
        {
            "target": "worker RSS, largest worker",
            "measured": "n/a" if worst is None else f"{worst:.1f} MB",
            "wanted": "≤ 80 MB",
            "ok": None if worst is None else worst <= 80,
        }
    )
    for target in targets:
        target["result"] = {True: "pass", False: "**FAIL**", None: "n/a"}[target["ok"]]
    return targets


def notes(record, args):
    found = record["features"]
    lines = []
    if not found["page_cache_switch"] and any(r[0] in args.only for r in PAGE_ROWS):
        lines.append(
            "The code has no REJOINDER_PAGE_CACHE switch yet: 'cached' and 'uncached' rows "
            "ran the same code."
        )
    if not found["nginx_config"] and "nginx-front" in args.only:
        lines.append("The code has no `nginx_config` command yet: no nginx front row.")
    labelled = [(f"{row['label']}, {row['cache']}", row) for row in record["pages"]]
    labelled += [(REFERENCE_LABELS[key], row) for key, row in record["references"].items()]
    disturbed = [
        f"{label} (run {number})"
        for label, row in labelled
        for number, run in enumerate(row["runs"], 1)
        if sb.is_disturbed(run["other_processes_cores"])
    ]
    if disturbed:
        lines.append(
            f"Other processes used more than {sb.OTHER_LOAD_WARNING} of a core during: "
            + "; ".join(disturbed)
            + ". Run again on a quiet machine."
        )
    front = record["references"].get("nginx-front")
    if front and front.get("x_page_cache") != "file":
        lines.append(
            f"The nginx front answered the seed post without `X-Page-Cache: file` (the page "
            f"cache had written {front['page_cache_files']} files): it may have proxied "
            "every request to rejoinder serve."
        )
    comments = record.get("comments")
    if comments and sb.is_disturbed(comments["other_processes_cores"]):
        lines.append("The comment POST load was disturbed by other processes.")
    return lines


# --- command line --------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run",
        description="Issue 8's benchmark: every figure in one command, on a throw-away site.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="measured wrk runs per row")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk warm-up per row")
    parser.add_argument(
        "--connections", type=int, default=32, help="wrk connections for the page rows"
    )
    parser.add_argument(
        "--thread-connections",
        type=int,
        default=1,
        help="wrk connections for the 10k-comment rows, whose p50 is judged",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (at most conns)")
    parser.add_argument("--workers", type=int, default=2, help="granian workers")
    parser.add_argument("--writers", type=int, default=20, help="comment-posting threads")
    parser.add_argument("--write-seconds", type=int, default=20, help="comment load seconds")
    parser.add_argument("--retries", type=int, default=3, help="repeats of a disturbed run")
    parser.add_argument(
        "--quiet-wait", type=int, default=120, help="seconds to wait for a quiet machine"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 1 s runs, once, no warm-up, no repeats, 4 writers for 2 s "
        "(options given explicitly win)",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="a tiny data set: 100- and 300-comment posts, 50 posts in all",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=ROW_KEYS,
        default=argparse.SUPPRESS,
        metavar="ROW",
        help=f"measure only these rows (default: all): {', '.join(ROW_KEYS)}",
    )
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/")
    if parser.parse_known_args(argv)[0].quick:
        parser.set_defaults(**QUICK)  # options given explicitly still win
    args = parser.parse_args(argv)
    args.only = getattr(args, "only", ROW_KEYS)
    args.size = "small" if args.small else "full"
    positive = ("duration", "runs", "connections", "thread_connections", "threads", "workers")
    for name in (*positive, "writers", "write_seconds"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if min(args.warmup, args.retries, args.quiet_wait) < 0:
        parser.error("--warmup, --retries and --quiet-wait cannot be negative")
    if args.duration > 300 or args.write_seconds > 300:
        parser.error("--duration and --write-seconds are capped at 300 seconds")
    return args


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, sb.exit_on_sigterm)
    wrk = sb.ensure_tool("wrk")
    nginx = sb.ensure_tool("nginx", "nginx-light")
    machine = sb.machine_info(wrk)
    banner = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
    machine["nginx"] = (banner.stderr or banner.stdout).strip()
    started = datetime.datetime.now(datetime.UTC)
    log(f"machine: {machine}")
    with tempfile.TemporaryDirectory(prefix="rejoinder-bench-run-") as tmp:
        work_dir = Path(tmp)
        # nginx's workers run as another user when this runs as root: they must read it.
        work_dir.chmod(0o755)
        try:
            record = run(args, wrk, nginx, work_dir)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired, OSError) as error:
            sb.fail(str(error))
    record["targets"] = evaluate(record)
    table = tables(record, args)
    print(table)
    for line in notes(record, args):
        print(f"\nNote: {line}")
    if not args.no_json:
        sb.RESULTS_DIR.mkdir(exist_ok=True)
        path = sb.RESULTS_DIR / f"run-{started:%Y%m%dT%H%M%SZ}.json"
        settings = dict(vars(args))
        record.update(
            started=started.isoformat(timespec="seconds"),
            machine=machine,
            settings=settings,
            table=table,
        )
        path.write_text(json.dumps(record, indent=2) + "\n")
        log(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
