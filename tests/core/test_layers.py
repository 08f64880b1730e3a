"""The apps' layers hold and no app's modules import in a cycle (docs/architecture.md), and
the check would see either broken."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(source_root):
    """``lint-imports`` with the project's contracts, on the package under ``source_root``."""
    env = {**os.environ, "PYTHONPATH": str(source_root)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", str(ROOT / "pyproject.toml")],
        cwd=source_root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def with_violation(tmp_path, module, line):
    """A copy of the package in which ``module`` also runs ``line``, inside a function."""
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "rejoinder", copy / "rejoinder")
    target = copy / "rejoinder" / module
    target.write_text(target.read_text() + f"\n\ndef _violation():\n    {line}  # noqa\n")
    return copy


def broken_contract(result):
    """The name of the (first) broken contract in ``lint-imports``'s report."""
    return result.stdout.split("Broken contracts")[1].splitlines()[3]


def test_the_layers_and_the_views_rule_hold_and_no_app_imports_in_a_cycle():
    """core < publishing < discussion < interop < operations; no app imports another's
    views; no cycles inside core, publishing, interop or operations."""
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("publishing/search.py", "from rejoinder.discussion import models", "layered"),
        ("core/links.py", "import rejoinder.operations.backups", "layered"),
        ("discussion/feeds.py", "from rejoinder.publishing import views", "views"),
        ("interop/wxr.py", "from rejoinder.discussion.views import edit", "views"),
        # Notifications and interop are independent siblings of one layer.
        ("interop/wxr.py", "from rejoinder.notifications import models", "layered"),
        ("notifications/views.py", "from rejoinder.interop.api import pages", "layered"),
    ],
)
def test_a_deliberate_violation_breaks_the_check(tmp_path, module, line, broken):
    """An upward import, even inside a function, or a reach into another app's views,
    fails the test command's check, naming the import."""
    result = lint_imports(with_violation(tmp_path, module, line))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "2 kept, 1 broken" in result.stdout
    assert broken in broken_contract(result)
    assert f"rejoinder.{module.removesuffix('.py').replace('/', '.')} ->" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "package", "other"),
    [
        # The cycle Post.save once hid (quotations imports the models).
        ("publishing/models.py", "from . import quotations", "publishing", "quotations"),
        ("core/versions.py", "from . import pagecache", "core", "pagecache"),
        ("interop/wxr.py", "from . import wordpress", "interop", "wordpress"),
        ("interop/api/problems.py", "from . import posts", "interop.api", "posts"),
        ("operations/demo.py", "from .management.commands import run", "operations", "management"),
        # The cycles the notifications split removed: email queued from the comment
        # workflow, and a ban's pending comments spammed from the rules.
        ("discussion/moderation.py", "from . import comments", "discussion", "comments"),
        ("notifications/messages.py", "from . import tasks", "notifications", "tasks"),
        ("discussion/thread/pages.py", "from . import locations", "discussion.thread", "locations"),
    ],
)
def test_a_deliberate_cycle_inside_an_app_breaks_the_check(tmp_path, module, line, package, other):
    """Two modules of one app (or of one package in it) importing each other, even inside
    a function, fail the test command's check, naming the package and an import of the
    cycle to drop (the check picks which way)."""
    result = lint_imports(with_violation(tmp_path, module, line))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "2 kept, 1 broken" in result.stdout
    assert "No import cycles inside" in broken_contract(result)
    assert f"No cycles are allowed in rejoinder.{package}." in result.stdout
    this = Path(module).stem
    either_way = {f"- .{this} -> .{other} (1 import)", f"- .{other} -> .{this} (1 import)"}
    assert either_way & set(result.stdout.splitlines()), result.stdout[-3000:]
