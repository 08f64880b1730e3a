"""Benchmark Rejoinder's front page and a post page under granian and under gunicorn.

Run from the project root with the project's virtualenv:

    .venv/bin/python bench/serve_bench.py [--duration 10] [--runs 3] [--connections 32]

What it does, in order:

1. makes sure ``wrk`` is installed (installs it with apt-get when running as root);
2. copies the installed ``rejoinder`` package into a temporary directory, first on
   PYTHONPATH, so both servers run the same code even if ``src/`` is edited meanwhile;
   builds a throw-away data directory (SQLite) there: ``rejoinder migrate``, the demo
   content through ``rejoinder shell``, then ``rejoinder collectstatic`` once;
3. for each server (granian through ``rejoinder serve``, then gunicorn with sync workers) it
   starts the server in its own process group on a free port of 127.0.0.1, waits until it
   answers, warms it up, runs ``wrk --latency`` against each page ``--runs`` times, then stops
   the whole process group;
4. measures, during each run, the user CPU time of every *other* process on the machine; a
   run during which they used more than a tenth of a core is "disturbed": the script waits
   for the machine to go quiet and repeats it (``--retries``, ``--quiet-wait``);
5. prints a Markdown table of the medians (req/s, p50, p99) and writes every run to a JSON
   file under ``bench/results/`` (gitignored) unless ``--no-json`` is given.

Only the standard library is used. Every load stays on 127.0.0.1 and is bounded in time.
"""

import argparse
import contextlib
import datetime
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

PAGES = {
    "front page": "/",
    "post page": "/2026/10/06/harbour-bridge-money/",
}
# Text each page must contain, so a benchmark of an error page is caught before it starts.
PAGE_MARKERS = {
    "front page": "harbour-bridge-money",
    "post page": "<article",
}

DEMO_SCRIPT = """
from django.contrib.auth import get_user_model
from rejoinder.operations.demo import load_demo
user = get_user_model().objects.create_user("bench", email="bench@example.org")
print(load_demo(user))
"""

START_TIMEOUT = 60  # seconds for a server to answer its first request
STOP_TIMEOUT = 15  # seconds for a server to exit after SIGTERM before SIGKILL
OTHER_LOAD_WARNING = 0.10  # cores of user CPU used by other processes that mark a run disturbed
QUIET_SECONDS = 5  # quiet seconds in a row wanted before a measured run
WRK_TIMEOUT = "5s"  # a request slower than this counts as a wrk timeout error


# The name in messages; scripts that import these helpers (bench/run.py) set their own.
PROGRAM = "serve_bench"


def fail(message):
    sys.stderr.write(f"{PROGRAM}: {message}\n")
    sys.exit(1)


def log(message):
    sys.stderr.write(f"[{PROGRAM}] {message}\n")
    sys.stderr.flush()


# --- wrk ---------------------------------------------------------------------------------


def ensure_tool(command, package=None):
    """The path of ``command``; installed with apt-get (as root) when it is missing.

    Looks in /usr/sbin and /sbin too (nginx lives there and a user's PATH may lack them).
    """
    package = package or command
    search = os.pathsep.join(filter(None, [os.environ.get("PATH"), "/usr/sbin", "/sbin"]))
    path = shutil.which(command, path=search)
    if path:
        return path
    if os.name == "posix" and os.geteuid() == 0 and shutil.which("apt-get"):
        log(f"{command} is not installed; installing {package} with apt-get")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", package]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        path = shutil.which(command, path=search)
        if path:
            return path
        fail(
            f"installing {command} with `apt-get install -y {package}` failed; "
            "install it and run again."
        )
    fail(
        f"{command} is not on PATH. Install it (Debian/Ubuntu: `sudo apt-get install -y "
        f"{package}`) and run again."
    )


def ensure_wrk():
    return ensure_tool("wrk")


UNIT_TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
DURATION_RE = r"([0-9.]+)(us|ms|s|m|h)"


def to_ms(number, unit):
    return float(number) * UNIT_TO_MS[unit]


def parse_wrk(output):
    """Return req/s, p50 and p99 (milliseconds), request count and errors from wrk's text."""
    rps = re.search(r"^Requests/sec:\s+([0-9.]+)", output, re.MULTILINE)
    p50 = re.search(rf"^\s+50%\s+{DURATION_RE}", output, re.MULTILINE)
    p99 = re.search(rf"^\s+99%\s+{DURATION_RE}", output, re.MULTILINE)
    total = re.search(r"^\s+(\d+) requests in", output, re.MULTILINE)
    if not (rps and p50 and p99 and total):
        raise ValueError(f"could not parse wrk output:\n{output}")
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(rps.group(1)),
        "p50_ms": to_ms(*p50.groups()),
        "p99_ms": to_ms(*p99.groups()),
        "requests": int(total.group(1)),
        "socket_errors": dict(
            zip(
                ("connect", "read", "write", "timeout"),
                map(int, socket_errors.groups()) if socket_errors else (0, 0, 0, 0),
                strict=True,
            )
        ),
        "non_2xx_3xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def run_wrk(wrk, url, threads, connections, duration):
    command = [
        wrk,
        "--latency",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        WRK_TIMEOUT,
        url,
    ]
    # wrk stops itself after `duration`; the extra margin only guards against a hang.
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


# --- the site ----------------------------------------------------------------------------


def rejoinder_command():
    """The ``rejoinder`` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "rejoinder"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "rejoinder"]


def snapshot_code(destination):
    """Copy the installed ``rejoinder`` package to ``destination`` and describe the copy.

    Every process of the benchmark imports this copy (it comes first on PYTHONPATH), so both
    servers run the same code even if someone edits the working tree during the run.
    """
    spec = importlib.util.find_spec("rejoinder")
    if spec is None or not spec.submodule_search_locations:
        fail("the rejoinder package is not installed in this Python; use the project's .venv.")
    source = Path(next(iter(spec.submodule_search_locations)))
    target = destination / "rejoinder"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    digest = hashlib.sha256()
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(target)).encode() + b"\0" + path.read_bytes())
    return {"source": str(source), "sha256": digest.hexdigest(), **git_state(source)}


def git_state(path):
    def git(*args):
        result = subprocess.run(
            ["git", "-C", str(path), *args], capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else None

    if not shutil.which("git"):
        return {}
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {}
    return {"git_commit": commit, "git_dirty": bool(git("status", "--porcelain", "--", "."))}


def site_env(data_dir, code_dir):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code_dir), env.get("PYTHONPATH")]))
    # Settings that would point the site elsewhere than the throw-away SQLite data dir.
    for name in ("DATABASE_URL", "REDIS_URL", "REJOINDER_SITE_URL", "REJOINDER_HTTPS"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="rejoinder.settings",
        REJOINDER_ENV="production",
        REJOINDER_DEBUG="false",
        REJOINDER_SECRET_KEY=secrets.token_urlsafe(50),
        REJOINDER_ALLOWED_HOSTS="127.0.0.1,localhost",
        REJOINDER_DATA_DIR=str(data_dir),
        REJOINDER_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def prepare_site(env):
    def rejoinder(*args):
        command = [*rejoinder_command(), *args]
        result = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            fail(f"`{' '.join(command)}` failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    log(f"preparing the data directory {env['REJOINDER_DATA_DIR']}")
    rejoinder("migrate", "--noinput", "--verbosity", "0")
    created = rejoinder("shell", "--no-imports", "--verbosity", "0", "-c", DEMO_SCRIPT)
    created = created.strip().splitlines()[-1]
    log(f"loaded {created} demo posts and pages")
    rejoinder("collectstatic", "--noinput", "--verbosity", "0")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8", "replace")


def granian_server(port, workers):
    return [
        *rejoinder_command(),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


def gunicorn_server(port, workers):
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--no-control-socket",
        "--bind",
        f"{HOST}:{port}",
        "rejoinder.wsgi:application",
    ]


SERVERS = {"granian": granian_server, "gunicorn": gunicorn_server}


class Server:
    """A server process in its own process group, stopped with its workers."""

    def __init__(self, name, command, env, log_path):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_path
        self.process = None

    def start(self, base_url):
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.read_log()}")
            try:
                status, _ = fetch(base_url + "/", timeout=2)
                if status == 200:
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer in {START_TIMEOUT}s:\n{self.read_log()}")

    def read_log(self):
        self.log_file.flush()
        return Path(self.log_path).read_text(errors="replace")[-4000:]

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                log(f"{self.name} ignored SIGTERM for {STOP_TIMEOUT}s; sending SIGKILL")
                self.signal_group(signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        # Workers left behind by a crashed master would still hold the group.
        self.signal_group(signal.SIGKILL)
        self.log_file.close()
        self.process = None

    def signal_group(self, signum):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)


# --- other load on the machine ------------------------------------------------------------
#
# The benchmark shares the machine with whatever else runs on it. To tell a clean run from a
# disturbed one, each run measures the user-space CPU time spent by every *other* process:
# system-wide user time (/proc/stat) minus that of the server's process group and of wrk.
# Kernel time is left out on purpose: loopback networking is charged to softirq, not to a
# process. Linux only; elsewhere the figure is None.

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def system_user_ticks():
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    return int(fields[1]) + int(fields[2])  # user + nice


def group_user_ticks(pgids):
    """User CPU ticks of the processes in the process group(s) ``pgids`` (an id or a set)."""
    pgids = {pgids} if isinstance(pgids, int) else set(pgids)
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) in pgids:
            total += int(fields[11])  # utime
    return total


def children_user_seconds():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime


class OtherLoad:
    """User CPU seconds of other processes between start() and stop().

    ``pgid``: the process group (or a set of groups) whose CPU time is ours, not others'.
    """

    def __init__(self, pgid):
        self.pgid = pgid

    def __enter__(self):
        self.system = system_user_ticks()
        self.group = group_user_ticks(self.pgid)
        self.children = children_user_seconds()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.started
        system = system_user_ticks()
        if system is None or self.system is None:
            self.cpu_seconds = self.cores = None
            return
        ours = (group_user_ticks(self.pgid) - self.group) / CLOCK_TICKS
        ours += children_user_seconds() - self.children  # wrk
        other = max(0.0, (system - self.system) / CLOCK_TICKS - ours)
        self.cpu_seconds = round(other, 2)
        self.cores = round(other / elapsed, 3)


# --- the benchmark -----------------------------------------------------------------------


def check_pages(base_url, server):
    """Fail unless every page answers 200 with its expected text; return the body sizes."""
    sizes = {}
    for page, path in PAGES.items():
        try:
            status, body = fetch(base_url + path)
        except urllib.error.HTTPError as error:
            status, body = error.code, ""
        if status != 200 or PAGE_MARKERS[page] not in body:
            raise RuntimeError(
                f"{base_url}{path} answered {status} without the expected text; "
                f"server log:\n{server.read_log()}"
            )
        sizes[page] = len(body.encode())
    return sizes


def bench_server(name, args, env, wrk, work_dir):
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    server = Server(name, SERVERS[name](port, args.workers), env, str(work_dir / f"{name}.log"))
    results = {}
    log(f"starting {name} on {base_url}: {' '.join(server.command)}")
    try:
        server.start(base_url)
        sizes = check_pages(base_url, server)
        log(f"{name}: page sizes in bytes (uncompressed HTML): {sizes}")
        for page, path in PAGES.items():
            url = base_url + path
            log(f"{name} {page}: warm-up {args.warmup}s")
            run_wrk(wrk, url, args.threads, args.connections, args.warmup)
            runs = []
            for number in range(1, args.runs + 1):
                label = f"{name} {page}: run {number}/{args.runs}"
                runs.append(measure(label, server, url, wrk, args))
            results[page] = {
                "url_path": path,
                "response_bytes": sizes[page],
                "runs": runs,
                "median": medians(runs),
            }
    finally:
        server.stop()
        log(f"stopped {name}")
    return results


def is_disturbed(cores):
    return cores is not None and cores > OTHER_LOAD_WARNING


def wait_for_quiet(pgid, max_wait):
    """Wait until other processes have stayed under OTHER_LOAD_WARNING for QUIET_SECONDS."""
    deadline = time.monotonic() + max_wait
    quiet = 0
    while quiet < QUIET_SECONDS:
        if time.monotonic() >= deadline:
            return False
        with OtherLoad(pgid) as other:
            time.sleep(1)
        quiet = 0 if is_disturbed(other.cores) else quiet + 1
    return True


def process_groups(server):
    """The process groups serving a benchmark: the server's, and those it names (a proxy
    names its upstream's) in a ``process_groups`` attribute."""
    return {server.process.pid, *getattr(server, "process_groups", ())}


def measure(label, server, url, wrk, args):
    """One wrk run; a run disturbed by other processes is repeated up to --retries times."""
    for attempt in range(args.retries + 1):
        if args.retries and not wait_for_quiet(process_groups(server), args.quiet_wait):
            log(f"{label}: the machine stayed busy for {args.quiet_wait}s; measuring anyway")
        with OtherLoad(process_groups(server)) as other:
            output = run_wrk(wrk, url, args.threads, args.connections, args.duration)
        run = parse_wrk(output)
        run["other_processes_cpu_seconds"] = other.cpu_seconds
        run["other_processes_cores"] = other.cores
        run["attempt"] = attempt + 1
        errors = sum(run["socket_errors"].values()) + run["non_2xx_3xx"]
        note = ""
        if other.cores is not None:
            note = f", other processes {other.cores:.2f} cores"
        if is_disturbed(other.cores):
            note += " (DISTURBED: something else was busy)"
        log(
            f"{label}: {run['requests_per_second']:.0f} req/s, p50 {run['p50_ms']:.2f} ms, "
            f"p99 {run['p99_ms']:.2f} ms, errors {errors}{note}"
        )
        if not is_disturbed(other.cores):
            break
        if attempt < args.retries:
            log(f"{label}: repeating the disturbed run")
    return run


def medians(runs):
    return {
        key: statistics.median(run[key] for run in runs)
        for key in ("requests_per_second", "p50_ms", "p99_ms")
    }


def package_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine_info(wrk):
    wrk_banner = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": package_version("Django"),
        "granian": package_version("granian"),
        "gunicorn": package_version("gunicorn"),
        "wrk": (wrk_banner.stdout + wrk_banner.stderr).splitlines()[0].strip(),
    }


def markdown_table(results):
    lines = [
        "| server | page | req/s (median) | p50 (ms) | p99 (ms) |",
        "|---|---|---:|---:|---:|",
    ]
    for server, pages in results.items():
        for page, data in pages.items():
            median = data["median"]
            lines.append(
                f"| {server} | {page} | {median['requests_per_second']:,.0f} "
                f"| {median['p50_ms']:.2f} | {median['p99_ms']:.2f} |"
            )
    if {"granian", "gunicorn"} <= results.keys():
        lines.append("")
        lines.append("| page | granian / gunicorn req/s |")
        lines.append("|---|---:|")
        for page in PAGES:
            granian = results["granian"][page]["median"]["requests_per_second"]
            gunicorn = results["gunicorn"][page]["median"]["requests_per_second"]
            lines.append(f"| {page} | {granian / gunicorn:.2f}× |")
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per server and page")
    parser.add_argument("--connections", type=int, default=32, help="wrk open connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk warm-up per page")
    parser.add_argument(
        "--servers",
        nargs="+",
        choices=sorted(SERVERS),
        default=list(SERVERS),
        help="servers to benchmark (default: both)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=3,
        help="repeat a run disturbed by other processes up to this many times (0: never)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=int,
        default=120,
        help="seconds to wait for other processes to go quiet before each run",
    )
    parser.add_argument("--no-json", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    for name in ("duration", "runs", "connections", "threads", "workers", "warmup"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.retries < 0 or args.quiet_wait < 0:
        parser.error("--retries and --quiet-wait cannot be negative")
    if args.duration > 300:
        parser.error("--duration is capped at 300 seconds")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads")
    return args


def exit_on_sigterm(signum, frame):
    # Turn SIGTERM into SystemExit, so the `finally` blocks stop the server and remove the
    # temporary directory.
    sys.exit(128 + signum)


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, exit_on_sigterm)
    wrk = ensure_wrk()
    machine = machine_info(wrk)
    started = datetime.datetime.now(datetime.UTC)
    log(f"machine: {machine}")
    results = {}
    load_before = {}
    with tempfile.TemporaryDirectory(prefix="rejoinder-bench-") as tmp:
        work_dir = Path(tmp)
        data_dir = work_dir / "data"
        data_dir.mkdir()
        code_dir = work_dir / "code"
        code = snapshot_code(code_dir)
        log(f"benchmarking a snapshot of {code['source']} (sha256 {code['sha256'][:12]})")
        env = site_env(data_dir, code_dir)
        prepare_site(env)
        for name in args.servers:
            load_before[name] = os.getloadavg()
            try:
                results[name] = bench_server(name, args, env, wrk, work_dir)
            except (RuntimeError, ValueError, subprocess.TimeoutExpired) as error:
                fail(f"{name}: {error}")

    table = markdown_table(results)
    print(table)
    disturbed = [
        f"{server} {page} run {number}"
        for server, pages in results.items()
        for page, data in pages.items()
        for number, run in enumerate(data["runs"], 1)
        if is_disturbed(run["other_processes_cores"])
    ]
    if disturbed:
        print(
            f"\nWarning: other processes used more than {OTHER_LOAD_WARNING} of a core during: "
            + "; ".join(disturbed)
            + ". Run again on a quiet machine."
        )
    if not args.no_json:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"serve_bench-{started:%Y%m%dT%H%M%SZ}.json"
        settings = {
            key: getattr(args, key)
            for key in (
                "duration",
                "runs",
                "connections",
                "threads",
                "workers",
                "warmup",
                "retries",
                "quiet_wait",
            )
        }
        record = {
            "started": started.isoformat(timespec="seconds"),
            "machine": machine,
            "code": code,
            "settings": settings,
            "load_average_before": load_before,
            "results": results,
            "table": table,
        }
        path.write_text(json.dumps(record, indent=2) + "\n")
        log(f"wrote {path.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
