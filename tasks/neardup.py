"""Near-duplicate detection: MinHash signatures, LSH band keys and story clusters for syndicated copies.

One wire story re-published by many outlets differs only in leftover boilerplate, a rewritten first paragraph or a
small correction: its word 5-shingle sets overlap heavily, and MinHash estimates that overlap (Jaccard) from a
fixed-size signature. The warehouse stores each signature and its band keys; articles sharing a (band, bucket) are
candidates, and assign_clusters checks them against the threshold and files each new article under a story cluster.

Signatures and band keys are stored and compared across runs, so everything here is deterministic across processes,
platforms and numpy versions; changing the normalisation, hashing or constants invalidates stored signatures and
needs a re-signing migration.
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

Signature = NDArray[np.uint32]

NUM_PERM = 128
BANDS = 32  # 4 rows per band: a pair at Jaccard 0.5 is a candidate with p≈0.87, at 0.6 p≈0.99, at 0.3 p≈0.23
ROWS = NUM_PERM // BANDS
SHINGLE_SIZE = 5
# Fewer distinct shingles than this (about 20 words) is a stub, a paywall notice or a caption: such texts get a
# signature that matches nothing rather than clustering every "Subscribe to read" page together.
MIN_SHINGLES = 16
DEFAULT_THRESHOLD = 0.5

_HIGH32 = np.uint64(32)
_EMPTY_VALUE = np.uint32(0xFFFFFFFF)
# Shingles hashed per step: the (NUM_PERM × block) temporary, 64 KiB, is reused from the heap rather than mapped and
# page-faulted in afresh on every call, and memory stays flat however long the text.
_BLOCK = 64
_APOSTROPHES = frozenset("'’ʼ")


def _permutation_parameters() -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    # From blake2b, not numpy's RNG, whose streams numpy does not promise to keep across versions.
    draws = [hashlib.blake2b(i.to_bytes(2, "little"), digest_size=16, person=b"wh-minhash-perm").digest()
             for i in range(NUM_PERM)]
    a = np.array([int.from_bytes(d[:8], "little") for d in draws], dtype=np.uint64)
    b = np.array([int.from_bytes(d[8:], "little") for d in draws], dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False
    return a, b


_A, _B = _permutation_parameters()


class _WordChars(dict[int, int | str | None]):
    """str.translate table, filled as characters are met (a table of all of Unicode would cost import time).

    Punctuation and symbols separate words; apostrophes ("don't" = "don’t" = "dont") and invisible format characters
    (soft hyphens, zero-width joiners, direction marks) are dropped so they split nothing; the rest stays.
    """

    def __missing__(self, code: int) -> int | str | None:
        char = chr(code)
        category = unicodedata.category(char)
        value = None if char in _APOSTROPHES or category == "Cf" else " " if category[0] in "PS" else code
        self[code] = value
        return value


_WORD_CHARS = _WordChars()


def normalize(text: str) -> list[str]:
    """Words of the text, NFKC, case-folded, punctuation stripped: quotes, dashes or case do not tell copies apart."""
    words: list[str] = []
    for chunk in unicodedata.normalize("NFKC", text).casefold().split():
        # Plain ASCII words, most of them, pass as they are: one dash or curly quote in a text would otherwise put
        # str.translate on its slow path for every character after it (measured 3x slower on a wire story).
        words.extend((chunk,) if chunk.isascii() and chunk.isalnum() else chunk.translate(_WORD_CHARS).split())
    return words


def shingles(text: str, k: int = SHINGLE_SIZE) -> set[str]:
    """Word k-shingles of the normalised text; none for a text shorter than k words."""
    words = normalize(text)
    return set(map(" ".join, zip(*(words[i:] for i in range(k)), strict=False)))  # stops at the last full window


def empty_signature() -> Signature:
    """The signature of a text too short to compare: no band keys, similarity 0 to everything, itself included."""
    return np.full(NUM_PERM, _EMPTY_VALUE, dtype=np.uint32)


def is_empty(sig: Signature) -> bool:
    return bool((sig == _EMPTY_VALUE).all())


def signature(text: str) -> Signature:
    """MinHash signature (NUM_PERM uint32) of the text's word 5-shingles."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return empty_signature()
    # crc32 (fixed, unsalted, fast) only has to tell shingles apart: the permutations below do the mixing. Set order
    # varies between runs, the minimum does not.
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))
    mins = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), _BLOCK):
        # Multiply-add-shift, (a·h + b mod 2^64) >> 32: pairwise independent for 32-bit h (Dietzfelbinger 1996).
        # (a·h + b) mod (2^61 - 1) needs a 128-bit product to mix: with the a < 2^32 that uint64 allows it wraps
        # only 8 times, the permutations correlate, and it measured Jaccard 0.75 as 0.31.
        x = np.multiply.outer(_A, hashes[start:start + _BLOCK])
        x += _B[:, np.newaxis]
        np.minimum(mins, x.min(axis=1), out=mins)
    return (mins >> _HIGH32).astype(np.uint32)  # the shift is monotone: the minimum's high half is the minimal one


def band_keys(sig: Signature) -> list[int]:
    """One bucket per band (signed 64-bit, a DuckDB BIGINT), index = band; none for a text too short to compare."""
    if is_empty(sig):
        return []
    rows = np.asarray(sig, dtype="<u4").reshape(BANDS, ROWS)  # little-endian bytes on every platform
    return [int.from_bytes(hashlib.blake2b(rows[band].tobytes(), digest_size=8).digest(), "little", signed=True)
            for band in range(BANDS)]


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets (standard error ≤ 0.045 at NUM_PERM = 128)."""
    if is_empty(a) or is_empty(b):
        return 0.0
    return int(np.count_nonzero(a == b)) / NUM_PERM


def to_db(sig: Signature) -> list[int]:
    """A signature as a DuckDB UINTEGER[] value."""
    return sig.tolist()


def from_db(values: Iterable[int]) -> Signature:
    """A signature read back from a DuckDB UINTEGER[] column (a list or an array)."""
    sig = np.asarray(list(values), dtype=np.uint32)
    if sig.shape != (NUM_PERM,):
        raise ValueError(f"a signature has {NUM_PERM} values, got {sig.shape[0]}")
    return sig


def assign_clusters(
    new: Sequence[tuple[str, Signature]],
    known: Mapping[str, tuple[str, Signature]],
    candidates: Mapping[str, Iterable[str]],
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[str, str]:
    """Story cluster of each new article: that of its most similar candidate at ≥ threshold, else its own id.

    new: the batch in load order; known: stored articles sharing a bucket with a new one, id → (cluster, signature);
    candidates: new id → the ids (known, or new) sharing a bucket with it. A new article sees the batch's earlier
    articles once they are assigned, never later ones. Stored clusters are never merged or renamed, so analysts' ids
    stay valid. Ties go to the smallest candidate id, whatever order the candidates came in.
    """
    if not 0 < threshold <= 1:  # at 0 every candidate, unrelated or empty, would join
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    cluster_of = {article: cluster for article, (cluster, _) in known.items()}
    signature_of = {article: sig for article, (_, sig) in known.items()}
    assigned: dict[str, str] = {}
    for article, sig in new:
        best: tuple[float, str] | None = None  # (-similarity, candidate id): the minimum wins
        for candidate in candidates.get(article, ()):
            if candidate == article or candidate not in cluster_of:
                continue
            score = similarity(sig, signature_of[candidate])
            if score >= threshold and (best is None or (-score, candidate) < best):
                best = (-score, candidate)
        cluster = article if best is None else cluster_of[best[1]]
        assigned[article] = cluster_of[article] = cluster
        signature_of[article] = sig
    return assigned
