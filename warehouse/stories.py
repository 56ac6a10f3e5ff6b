"""Story clusters: syndicated copies of one story share a story_id (MinHash LSH, tasks/neardup.py).

Buckets live in the warehouse (story_buckets), so finding candidates is a join, not an index held in memory,
and clusters grow across runs: an article loaded next month joins the story it copies.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pyarrow as pa

from wirehouse.tasks.neardup import NUM_PERM, assign_clusters, band_keys, from_db, signature, to_db
from wirehouse.warehouse.staging import stage

LEGACY_PER_BATCH = 1000  # pre-cluster articles signed per load: ~1 s of work, bounded memory
_IDS = pa.schema([("article_id", pa.string())])
_BUCKETS = pa.schema([("article_id", pa.string()), ("band", pa.int16()), ("bucket", pa.int64())])
_ASSIGNED = pa.schema([("article_id", pa.string()), ("story_id", pa.string()), ("minhash", pa.list_(pa.int64()))])


def assign_stories(con: duckdb.DuckDBPyConnection, article_ids: Sequence[str], *, threshold: float) -> int:
    """Refresh the buckets of `article_ids` and give a story to every article without one; returns how many.

    Articles without a story are the new ones, and up to LEGACY_PER_BATCH left by a warehouse older than story
    clusters (they have no signature: it is computed here, once). Runs inside the caller's transaction. Ids travel
    as a registered Arrow table, not a list parameter: DuckDB converts list parameters element by element, slowly.
    """
    stage(con, "batch_ids", [{"article_id": aid} for aid in article_ids], _IDS)
    # Articles from before story clusters (no signature) are caught up a bounded slice per batch, so the first
    # load after an upgrade does not sign the whole archive inside one transaction.
    rows = con.execute(
        f"SELECT article_id, minhash, CASE WHEN len(minhash) IS DISTINCT FROM {NUM_PERM} THEN text END, story_id "
        "FROM articles WHERE article_id IN (SELECT article_id FROM batch_ids) "
        "   OR article_id IN (SELECT article_id FROM articles WHERE minhash IS NULL ORDER BY fetched_at LIMIT ?) "
        "ORDER BY fetched_at, article_id",
        [LEGACY_PER_BATCH],
    ).fetchall()
    con.unregister("batch_ids")
    if not rows:
        return 0
    signatures = {aid: signature(text) if text is not None else from_db(minhash) for aid, minhash, text, _ in rows}
    buckets = [{"article_id": aid, "band": band, "bucket": key}
               for aid, sig in signatures.items() for band, key in enumerate(band_keys(sig))]
    stage(con, "staged_buckets", buckets, _BUCKETS)
    con.execute("DELETE FROM story_buckets WHERE article_id IN (SELECT DISTINCT article_id FROM staged_buckets)")
    con.execute("INSERT INTO story_buckets BY NAME SELECT * FROM staged_buckets")

    new = [(aid, signatures[aid]) for aid, _, _, story in rows if story is None]
    if new:
        pairs = con.execute(
            "SELECT DISTINCT s.article_id, o.article_id, a.story_id, a.minhash FROM staged_buckets s "
            "JOIN story_buckets o ON o.band = s.band AND o.bucket = s.bucket AND o.article_id <> s.article_id "
            "JOIN articles a ON a.article_id = o.article_id"
        ).fetchall()
    con.unregister("staged_buckets")
    if not new:
        return 0
    wanted = {aid for aid, _ in new}
    candidates: dict[str, set[str]] = {}
    known = {}
    for new_id, other, story, minhash in pairs:
        if new_id not in wanted:
            continue
        candidates.setdefault(new_id, set()).add(other)
        if story is not None and minhash is not None:
            known[other] = (story, from_db(minhash))
    clusters = assign_clusters(new, known, candidates, threshold)
    assigned = [{"article_id": aid, "story_id": clusters[aid], "minhash": to_db(sig)} for aid, sig in new]
    stage(con, "staged_stories", assigned, _ASSIGNED)
    con.execute("UPDATE articles SET story_id = s.story_id, minhash = s.minhash FROM staged_stories s "
                "WHERE articles.article_id = s.article_id")
    con.unregister("staged_stories")
    return len(assigned)
