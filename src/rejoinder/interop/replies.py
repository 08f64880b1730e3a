"""Put imported replies in an order where every parent comes before its children, and say
which ones the depth limit moved."""

from django.conf import settings


def order_replies(fresh, known, warn, key):
    """Return (``fresh`` reordered, {id: parent}) for ``bulk_create_comments``.

    ``fresh`` are records with ``id`` and ``parent`` (``""``/``"0"``/None for top level);
    ``known`` maps ids imported earlier to saved comment pks. Each parent becomes an id in
    ``fresh`` (str), a saved pk (int) or None. A parent that is missing or belongs to
    another post, and a loop of replies, make the comment top-level, with a warning.
    Records are taken in ``key`` order (oldest first) wherever parents allow.
    """
    by_id = {record.id: record for record in fresh}
    parents = {}
    for record in fresh:
        parent = (record.parent or "").strip()
        if parent in ("", "0"):
            parents[record.id] = None
        elif parent in by_id:
            parents[record.id] = parent
        elif parent in known:
            parents[record.id] = known[parent]
        else:
            warn(
                f"comment {record.id}: its parent {parent} is not in this post's comments; "
                "shown as a top-level comment"
            )
            parents[record.id] = None
    ordered, placed, visiting = [], set(), set()
    for record in sorted(fresh, key=key):
        chain = []
        node = record.id
        while isinstance(node, str) and node not in placed:
            if node in visiting:
                # A loop: cut it above the last comment reached, which becomes top-level.
                warn(f"comment {chain[-1]}: its replies form a loop; made top-level")
                parents[chain[-1]] = None
                break
            visiting.add(node)
            chain.append(node)
            node = parents[node]
        for pending in reversed(chain):
            placed.add(pending)
            ordered.append(by_id[pending])
    return ordered, parents


def warn_reattached(pairs, warn):
    """Warn of the replies stored at ``REJOINDER_MAX_REPLY_DEPTH`` instead of deeper.

    ``pairs`` are (id in the file, row made by ``bulk_create_threads``). The warning says
    how many and names the first few, so nothing changes place without a word.
    """
    moved = [source_id for source_id, row in pairs if row.reattached]
    if not moved:
        return
    limit = settings.MAX_REPLY_DEPTH
    named = ", ".join(moved[:10]) + (", …" if len(moved) > 10 else "")
    replies = "reply was" if len(moved) == 1 else "replies were"
    warn(
        f"{len(moved)} {replies} deeper than REJOINDER_MAX_REPLY_DEPTH ({limit} levels): "
        f"kept, attached at level {limit} to their ancestor there (comments {named})"
    )
