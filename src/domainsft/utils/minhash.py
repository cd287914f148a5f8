"""Near-duplicate pages across documents: MinHash over character shingles, LSH banding.

* Shingles are character 5-grams of the text with all whitespace removed, so Chinese needs no
  word segmentation and the same page extracted with different spacing (``2019 年`` vs
  ``2019年``) still matches. Digits are kept.
* Signatures: each shingle is hashed to a 32-bit key with a vectorised polynomial hash plus the
  SplitMix64 finaliser, then ``num_perm`` multiply-add-shift hash functions (Dietzfelbinger
  1996, ``(a*x + b) mod 2^64 >> 32``: 2-universal for 32-bit keys) give the minimum of each.
  Seeds are fixed, so signatures are identical across runs and processes (Python's ``hash()``
  is never used).
* Candidates come from LSH banding (``bands x rows <= num_perm``, chosen to minimise the
  weighted false-positive plus false-negative area around ``threshold``, as in Leskovec et al.,
  *Mining of Massive Datasets*, ch. 3). Misses weigh 9x false candidates: a false candidate
  costs one 64-slot comparison, a miss leaves a duplicate in the corpus. A candidate is a
  duplicate when the estimated Jaccard similarity (share of equal signature slots) is
  ``>= threshold``; identical texts (after whitespace removal) are caught by an exact digest.
* Figures decide: two pages are duplicates only if they also print exactly the same multiset of
  numbers. A page whose figures differ is a different page for a financial corpus, however
  similar its wording; identical boilerplate (重要提示, legal notices) carries the same numbers.
* Texts shorter than ``min_chars`` non-whitespace characters are never flagged nor indexed.
* A page flagged as a duplicate is not indexed: later copies point at the first one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_POLY = np.uint64(0x100000001B3)  # FNV-1a 64-bit prime, as the base of the rolling hash
_FP_WEIGHT, _FN_WEIGHT = 0.1, 0.9  # see the module docstring
_CHUNK = 8192  # shingles per block when hashing a very long page, to bound memory


@dataclass(frozen=True)
class _Entry:
    key: str
    signature: np.ndarray
    numbers: bytes


class NearDuplicateIndex:
    """Index of page texts; ``add`` answers which earlier page a new one duplicates, if any."""

    def __init__(
        self,
        threshold: float = 0.9,
        num_perm: int = 64,
        shingle: int = 5,
        *,
        min_chars: int = 50,
        seed: int = 1,
    ) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle = shingle
        self.min_chars = max(min_chars, shingle)
        self.bands, self.rows = lsh_params(threshold, num_perm)
        rng = np.random.default_rng(seed)
        high = np.iinfo(np.uint64).max
        self._a = rng.integers(1, high, size=num_perm, dtype=np.uint64, endpoint=True) | 1
        self._b = rng.integers(0, high, size=num_perm, dtype=np.uint64, endpoint=True)
        self._powers = _POLY ** np.arange(shingle - 1, -1, -1, dtype=np.uint64)
        self._entries: list[_Entry] = []
        self._exact: dict[bytes, str] = {}
        self._buckets: list[dict[bytes, list[int]]] = [{} for _ in range(self.bands)]

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: str, text: str) -> str | None:
        """Index ``text`` under ``key``; return the key of an earlier near-duplicate instead."""
        norm = _squeeze(text)
        if len(norm) < self.min_chars:
            return None
        digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=16).digest()
        if digest in self._exact:
            return self._exact[digest]
        signature = self._minhash(norm)
        numbers = _numbers_fingerprint(text)
        bands = self._band_keys(signature)
        for i in self._candidates(bands):
            entry = self._entries[i]
            if entry.numbers == numbers and self._similar(entry.signature, signature):
                return entry.key
        self._store(key, signature, numbers, digest, bands)
        return None

    def signature(self, text: str) -> np.ndarray:
        """MinHash signature (``num_perm`` uint32) of a text's character shingles."""
        return self._minhash(_squeeze(text))

    def _minhash(self, norm: str) -> np.ndarray:
        shingles = self._shingle_hashes(norm)
        sig = np.full(self.num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
        for lo in range(0, len(shingles), _CHUNK):
            x = shingles[lo : lo + _CHUNK]
            hashed = (self._a[:, None] * x[None, :] + self._b[:, None]) >> np.uint64(32)
            np.minimum(sig, hashed.min(axis=1), out=sig)
        return sig.astype(np.uint32)

    def _shingle_hashes(self, norm: str) -> np.ndarray:
        codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        k = min(self.shingle, len(codes))  # a text shorter than a shingle is one shingle
        if k == 0:
            return np.zeros(0, dtype=np.uint64)
        n = len(codes) - k + 1
        h = np.zeros(n, dtype=np.uint64)
        for j, power in enumerate(self._powers[self.shingle - k :]):
            h += codes[j : j + n] * power
        # 32-bit keys: multiply-add-shift is 2-universal for w-bit keys in 2w-bit arithmetic.
        # Repeated shingles are kept: they cannot change a minimum, and dropping them costs a sort.
        return _splitmix64(h) >> np.uint64(32)

    def _similar(self, a: np.ndarray, b: np.ndarray) -> bool:
        return float(np.count_nonzero(a == b)) / self.num_perm >= self.threshold

    def _band_keys(self, signature: np.ndarray) -> list[bytes]:
        r = self.rows
        return [signature[i * r : (i + 1) * r].tobytes() for i in range(self.bands)]

    def _candidates(self, bands: list[bytes]) -> list[int]:
        found: set[int] = set()
        for table, band in zip(self._buckets, bands, strict=True):
            found.update(table.get(band, ()))
        return sorted(found)  # earliest page first: the answer is deterministic

    def _store(
        self, key: str, signature: np.ndarray, numbers: bytes, digest: bytes, bands: list[bytes]
    ) -> None:
        index = len(self._entries)
        self._entries.append(_Entry(key, signature, numbers))
        self._exact[digest] = key
        for table, band in zip(self._buckets, bands, strict=True):
            table.setdefault(band, []).append(index)


def _squeeze(text: str) -> str:
    return "".join(text.split())  # str.split is C-fast; same whitespace as the regex \\s


def _splitmix64(x: np.ndarray) -> np.ndarray:
    # SplitMix64 finaliser (Steele, Lea & Flood 2014): spreads the polynomial hash over 64 bits.
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _numbers_fingerprint(text: str) -> bytes:
    """Digest of the sorted multiset of numbers printed in ``text`` (thousands commas ignored)."""
    numbers = sorted(n.replace(",", "") for n in _NUMBER.findall(text))
    return hashlib.blake2b("\x1f".join(numbers).encode(), digest_size=16).digest()


@cache
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false-positive + false-negative mass at threshold."""
    s = np.linspace(0.0, 1.0, 201)
    best: tuple[float, int, int] | None = None
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            p = 1.0 - (1.0 - s**r) ** b
            fp = np.trapezoid(np.where(s < threshold, p, 0.0), s)
            fn = np.trapezoid(np.where(s >= threshold, 1.0 - p, 0.0), s)
            cost = _FP_WEIGHT * fp + _FN_WEIGHT * fn
            if best is None or cost < best[0]:
                best = (cost, b, r)
    assert best is not None
    return best[1], best[2]
