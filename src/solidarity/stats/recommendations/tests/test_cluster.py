"""Near-duplicate clustering on real UPR recommendations, and the exactness of its pruning."""

from __future__ import annotations

import numpy as np
import pytest

from solidarity.stats.recommendations import THRESHOLD, UprInfoRecommendation, cluster_texts
from solidarity.stats.recommendations._cluster import _links, _vectors


def brute_force_links(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    vectors = _vectors(texts)
    similarity = (vectors @ vectors.T).tocoo()
    keep = (similarity.data >= threshold) & (similarity.col > similarity.row)
    return set(zip(similarity.row[keep].tolist(), similarity.col[keep].tolist(), strict=True))


@pytest.mark.parametrize("threshold", [0.5, 0.8, THRESHOLD])
def test_pruning_finds_exactly_the_pairs_a_full_comparison_finds(
    upr_rows: list[UprInfoRecommendation], threshold: float
) -> None:
    texts = [r.text for r in upr_rows[::20]]  # 1,175 texts across all sessions
    links = _links(_vectors(texts), threshold).tocoo()
    found = set(zip(links.row.tolist(), links.col.tolist(), strict=True))
    expected = brute_force_links(texts, threshold)
    assert len(expected) > 20
    assert found == expected


def test_the_same_ask_across_sessions_is_one_cluster(
    upr_rows: list[UprInfoRecommendation],
) -> None:
    icrmw = [
        r
        for r in upr_rows
        if r.text.rstrip(". ").lower()
        == "ratify the international convention on the protection of the rights of all migrant "
        "workers and members of their families"
    ]
    assert len({r.session for r in icrmw}) > 3
    others = [r for r in upr_rows if r.session == 12][:200]
    texts = [r.text for r in icrmw + others]
    ids = [f"{r.session}/{r.row}" for r in icrmw + others]
    clusters = cluster_texts(texts, ids=ids)
    assert set(clusters[: len(icrmw)]) == {ids[0]}
    # Other wordings of the same ask may join; unrelated recommendations do not.
    joined = [text for text, cluster in zip(texts, clusters, strict=True) if cluster == ids[0]]
    assert all("Migrant Workers" in text or "ICRMW" in text for text in joined)


def test_cluster_ids_are_the_first_member_s_id() -> None:
    assert cluster_texts([]) == []
    assert cluster_texts(["...", "!!!"]) == [0, 1]
    texts = ["Abolish the death penalty", "Ratify the ICRMW", "Abolish the death penalty."]
    assert cluster_texts(texts, ids=["x", "y", "z"]) == ["x", "y", "x"]
    with pytest.raises(ValueError, match="2 texts but 1 ids"):
        cluster_texts(["a", "b"], ids=["x"])


def test_memory_is_bounded_by_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Ratify ICRMW", "Ratify the ICRMW", "Abolish the death penalty"] * 30
    whole = cluster_texts(texts)
    monkeypatch.setattr("solidarity.stats.recommendations._cluster.BLOCK_CELLS", 100)
    assert cluster_texts(texts) == whole
    # "the" is a stop word: the first two are the same ask.
    assert np.unique(whole).tolist() == [0, 2]
