"""Loading enrichment: each article's sentences, mentions, quotes and summary row, swapped in atomically."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from wirehouse.models import EVERYTHING, ArticleEnrichment, ArticleText, Selection
from wirehouse.warehouse.db import run_sql
from wirehouse.warehouse.staging import TS, now, stage, transaction

ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW",
                           "LANGUAGE"})
SPEAKER_LABELS = ("PERSON", "ORG", "NORP", "GPE")  # in order of preference


def articles_to_enrich(
    con: duckdb.DuckDBPyConnection, version: str, limit: int, after: str = "", selection: Selection = EVERYTHING
) -> list[ArticleText]:
    """Articles never enriched, enriched by another version, or whose text changed since (ids after `after`);
    within the selection, and also those enriched before selection.done_since (a re-enrich backfill)."""
    params = {"version": version, "limit": limit, "after": after, "done_since": selection.done_since}
    rows = run_sql(con, "articles_to_enrich", params | selection.sql_params()).fetchall()
    return [ArticleText(*row) for row in rows]


_SCHEMAS = {
    "staged_enriched": pa.schema(
        [("article_id", pa.string()), ("text_hash", pa.string()), ("mentions", pa.int32()),
         ("language", pa.string()), ("keyphrases", pa.list_(pa.string())), ("sentiment", pa.float64()),
         ("summary", pa.string()), ("word_count", pa.int32()), ("reading_minutes", pa.float64()),
         ("skipped", pa.list_(pa.string()))]
    ),
    "staged_sentences": pa.schema(
        [("article_id", pa.string()), ("sentence_index", pa.int32()), ("start_char", pa.int32()),
         ("end_char", pa.int32())]
    ),
    "staged_mentions": pa.schema(
        [("article_id", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()), ("text", pa.string()),
         ("label", pa.string()), ("sentence_index", pa.int32()), ("canonical", pa.string()),
         ("entity_id", pa.string()), ("linked_by", pa.string())]
    ),
    "staged_entities": pa.schema(
        [("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()), ("country_code", pa.string()),
         ("first_seen_at", TS)]
    ),
    "staged_quotes": pa.schema(
        [("article_id", pa.string()), ("quote_index", pa.int32()), ("start_char", pa.int32()),
         ("end_char", pa.int32()), ("text", pa.string()), ("speaker", pa.string()), ("speaker_kind", pa.string()),
         ("speaker_entity_id", pa.string()), ("speaker_canonical", pa.string()), ("verb", pa.string())]
    ),
}


def _rows(results: Sequence[ArticleEnrichment]) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {name: [] for name in _SCHEMAS}
    seen = now()
    for r in results:
        rows["staged_enriched"].append(
            {"article_id": r.article_id, "text_hash": r.text_hash, "mentions": len(r.mentions),
             "language": r.language, "keyphrases": r.keyphrases, "sentiment": r.sentiment, "summary": r.summary,
             "word_count": r.word_count, "reading_minutes": r.reading_minutes, "skipped": r.skipped}
        )
        rows["staged_sentences"].extend(
            {"article_id": r.article_id, "sentence_index": i, "start_char": start, "end_char": end}
            for i, (start, end) in enumerate(r.sentences)
        )
        starts = [start for start, _ in r.sentences]
        # a speaker is a person or an organisation (or a place speaking for its government), never a date
        ids_by_name: dict[str, str] = {}
        speakers = [m for m in r.mentions if m.label in SPEAKER_LABELS]
        for m in sorted(speakers, key=lambda m: SPEAKER_LABELS.index(m.label)):
            ids_by_name.setdefault(m.canonical, m.entity_id)
        for m in r.mentions:
            sentence = max(bisect.bisect_right(starts, m.start) - 1, 0) if starts else None
            rows["staged_mentions"].append(
                {"article_id": r.article_id, "start_char": m.start, "end_char": m.end, "text": m.text,
                 "label": m.label, "sentence_index": sentence, "canonical": m.canonical, "entity_id": m.entity_id,
                 "linked_by": m.linked_by}
            )
            if m.label in ENTITY_LABELS:  # dates and amounts are mentions, not entities
                rows["staged_entities"].append(
                    {"entity_id": m.entity_id, "name": m.canonical, "label": m.label,
                     "country_code": m.country_code, "first_seen_at": seen}
                )
        rows["staged_quotes"].extend(
            {"article_id": r.article_id, "quote_index": i, "start_char": q.start, "end_char": q.end, "text": q.text,
             "speaker": q.speaker, "speaker_kind": q.speaker_kind,
             "speaker_entity_id": ids_by_name.get(q.speaker_canonical) if q.speaker_canonical else None,
             "speaker_canonical": q.speaker_canonical, "verb": q.verb}
            for i, q in enumerate(r.quotes)
        )
    return rows


def replace_enrichments(
    con: duckdb.DuckDBPyConnection, results: Sequence[ArticleEnrichment], *, version: str, run_id: str
) -> None:
    """Swap in a batch's enrichment in one transaction: readers see each article's old rows or its new ones."""
    rows = _rows(results)
    with transaction(con):
        for name, schema in _SCHEMAS.items():
            stage(con, name, rows[name], schema)
        run_sql(con, "replace_enrichments", {"version": version, "run_id": run_id, "now": now()})
        for name in _SCHEMAS:
            con.unregister(name)
