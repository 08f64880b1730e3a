"""Cached pages as files, for nginx to serve before the application (as WP Super Cache
does for WordPress): ``<dir>/<path>/index.html`` for a page, ``index.xml`` for a feed,
``<dir>/sitemap.xml`` for an address that names a file.

Each file is listed under every tag it depends on (``<dir>/.tags/<tag>``, one path a line,
appended before the file is written), so invalidating a tag deletes exactly its files.
``rejoinder nginx_config`` prints the server block that serves them.
"""

import os
import time
from pathlib import Path

from . import versions

TAGS = ".tags"
HTML, XML = "index.html", "index.xml"


def file_for(root, path, content_type):
    """Where the page at ``path`` is written, or None if it cannot be a file."""
    parts = [part for part in path.split("/") if part]
    if any(part.startswith(".") or "\0" in part or "\\" in part for part in parts):
        return None
    xml = "xml" in content_type
    if not path.endswith("/"):
        if not (xml and path.endswith(".xml")):
            return None
        return Path(root, *parts)
    return Path(root, *parts, XML if xml else HTML)


def write(root, path, entry, tags):
    """Write a cached page's body as a file; return its path (None if it has none)."""
    content_type = dict((k.lower(), v) for k, v in entry["headers"]).get("content-type", "")
    target = file_for(root, path, content_type)
    if target is None:
        return None
    relative = str(target.relative_to(root))
    tag_dir = Path(root, TAGS)
    tag_dir.mkdir(parents=True, exist_ok=True)
    for tag in tags:
        # O_APPEND: lines from several processes never interleave within a line.
        with open(tag_dir / versions.file_name(tag), "a", encoding="utf-8") as listing:
            listing.write(relative + "\n")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}")
    temporary.write_bytes(entry["body"])
    os.replace(temporary, target)  # nginx never serves half a file
    return target


def delete_tagged(root, tags):
    """Delete every file written under any of ``tags``."""
    tag_dir = Path(root, TAGS)
    for tag in tags:
        listing = tag_dir / versions.file_name(tag)
        claimed = listing.with_name(f"{listing.name}.{os.getpid()}.{time.monotonic_ns()}")
        try:
            listing.rename(claimed)  # later writers start a new listing
        except FileNotFoundError:
            continue
        for line in set(claimed.read_text(encoding="utf-8").splitlines()):
            if line and not line.startswith(".") and ".." not in line.split("/"):
                unlink(Path(root, line))
        unlink(claimed)


def clear(root):
    """Delete every cached file."""
    for directory, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            unlink(Path(directory, name))


def prune(root, older_than):
    """Delete cached files written more than ``older_than`` seconds ago; return how many."""
    limit, count = time.time() - older_than, 0
    for directory, _dirs, files in os.walk(root):
        if Path(directory).name == TAGS:
            continue
        for name in files:
            path = Path(directory, name)
            try:
                old = path.stat().st_mtime < limit
            except FileNotFoundError:
                continue
            if old:
                unlink(path)
                count += 1
    return count


def unlink(path):
    Path(path).unlink(missing_ok=True)
