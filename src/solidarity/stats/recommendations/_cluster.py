"""Near-duplicate recommendations: the same ask from several mechanisms, States and cycles."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any, TypeVar, overload

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]  # no scipy stubs pinned here
from scipy.sparse.csgraph import connected_components  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]  # no sklearn stubs
    TfidfVectorizer,
)

#: Cosine similarity of word TF-IDF vectors from which two recommendations are the same ask;
#: measured on pairs of UPR recommendations read by hand (docs/rights-classifier.md).
THRESHOLD = 0.9

#: Similarities computed at once (rows of a block x all texts); bounds memory, not time.
BLOCK_CELLS = 20_000_000

Id = TypeVar("Id", bound=Hashable)


@overload
def cluster_texts(texts: Sequence[str], *, threshold: float = ...) -> list[int]: ...
@overload
def cluster_texts(
    texts: Sequence[str], *, ids: Sequence[Id], threshold: float = ...
) -> list[Id]: ...
def cluster_texts(
    texts: Sequence[str], *, ids: Sequence[Any] | None = None, threshold: float = THRESHOLD
) -> list[Any]:
    """Group near-duplicate texts; each text's cluster is named by its first member's id.

    Texts are compared by the cosine similarity of their word TF-IDF vectors (words and word
    pairs, sublinear term frequency, IDF fitted on the texts given). Two texts at least
    ``threshold`` alike are linked, and a cluster is a connected group of links. Similarities are
    computed a block of rows at a time and only links are kept, so memory grows with the number of
    links, never with the square of the number of texts.

    Parameters
    ----------
    texts : sequence of str
    ids : sequence, optional
        One id per text (default: the positions 0, 1, …).
    threshold : float
        Cosine similarity, 0-1, from which two texts are linked.

    Returns
    -------
    list
        For each text in order, the id of the first text (in input order) of its cluster; a text
        without near-duplicate is its own cluster.

    Examples
    --------
    >>> cluster_texts([
    ...     "Ratify the International Convention on the Protection of the Rights of All Migrant "
    ...     "Workers and Members of Their Families",
    ...     "Abolish the death penalty",
    ...     "Ratify the International Convention on the Protection of the Rights of all migrant "
    ...     "workers and members of their families.",
    ... ], ids=["A/HRC/8/1 #12", "A/HRC/8/1 #13", "A/HRC/22/4 #7"])
    ['A/HRC/8/1 #12', 'A/HRC/8/1 #13', 'A/HRC/8/1 #12']
    """
    count = len(texts)
    names: Sequence[Any] = range(count) if ids is None else ids
    if len(names) != count:
        raise ValueError(f"{count} texts but {len(names)} ids")
    if count == 0:
        return []
    vectors = _vectors(texts)
    links = _links(vectors, threshold)
    _, component = connected_components(links, directed=False)
    first: dict[int, int] = {}
    for position, label in enumerate(component.tolist()):
        first.setdefault(label, position)
    return [names[first[label]] for label in component.tolist()]


def _vectors(texts: Sequence[str]) -> Any:
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), stop_words="english", sublinear_tf=True, dtype=np.float32
    )
    try:
        return vectorizer.fit_transform(texts).tocsr()
    except ValueError:
        # Nothing but punctuation or stop-less empty texts: no word to compare on.
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _links(vectors: Any, threshold: float) -> Any:
    """Every pair of rows at least ``threshold`` alike, as a sparse (upper) adjacency matrix.

    Prefix filtering (Bayardo, Ma and Srikant, "Scaling up all pairs similarity search", WWW
    2007): order the terms rarest first; a row's *prefix* is its rarest terms up to the point where
    the rest of the row weighs less than ``threshold`` (L2). Two rows whose cosine reaches the
    threshold must share a term of one row's prefix, so only rows sharing a prefix term — mostly
    rare terms, few rows each — are compared, and the result is exact.
    """
    count = vectors.shape[0]
    # Permute the columns so that column order is rarity order (fewest rows first).
    frequency = np.diff(vectors.tocsc().indptr)
    rank = np.empty_like(frequency)
    rank[np.argsort(frequency, kind="stable")] = np.arange(len(frequency))
    ordered = sparse.csr_matrix(
        (vectors.data.copy(), rank[vectors.indices], vectors.indptr.copy()), shape=vectors.shape
    )
    ordered.sort_indices()
    squares = ordered.data.astype(np.float64) ** 2
    running = np.cumsum(squares)
    before_row = np.concatenate(([0.0], running))[ordered.indptr[:-1]]
    row_of = np.repeat(np.arange(count), np.diff(ordered.indptr))
    row_total = np.bincount(row_of, weights=squares, minlength=count)
    # Weight of each entry and everything after it in its row.
    suffix = row_total[row_of] - (running - squares - before_row[row_of])
    in_prefix = suffix >= threshold**2 - 1e-9
    prefix = sparse.csr_matrix(
        (in_prefix.astype(np.float32), ordered.indices.copy(), ordered.indptr.copy()),
        shape=ordered.shape,
    )
    prefix.eliminate_zeros()
    present = ordered.copy()
    present.data = np.ones_like(present.data)
    present_t = present.T.tocsc()
    block = max(1, BLOCK_CELLS // count)
    rows, columns = [], []
    for start in range(0, count, block):
        candidates = (prefix[start : start + block] @ present_t).tocoo()
        first = candidates.row + start
        second = candidates.col
        keep = first != second
        first, second = first[keep], second[keep]
        low, high = np.minimum(first, second), np.maximum(first, second)
        if not len(low):
            continue
        similarity = np.asarray(ordered[low].multiply(ordered[high]).sum(axis=1)).ravel()
        linked = similarity >= threshold
        rows.append(low[linked])
        columns.append(high[linked])
    row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    return sparse.coo_matrix(
        (np.ones(len(row), dtype=np.int8), (row, column)), shape=(count, count)
    )
