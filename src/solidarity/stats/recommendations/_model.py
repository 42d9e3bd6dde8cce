"""The trained classifier: a TF-IDF vocabulary and one logistic-regression head per label.

The model file is a compressed NumPy archive (``.npz``) holding plain arrays — the character
n-gram vocabulary, its inverse document frequencies, the heads' weights and intercepts — and a
JSON metadata record (what it was trained on, when, with which settings). Nothing in it is
executable: loading never unpickles.

Every head's intercept is shifted at training time so that the decision threshold chosen on
held-out sessions falls at a score of 0.5: a score is read the same way for every label.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]  # no sklearn stubs
    TfidfVectorizer,
)

from ._errors import ModelError
from .crosswalk import GROUPS, SELF_RELEVANT_OBJECTIVES
from .keywords import GROUP_RULES

#: Version of the model file's layout; a file of another version is refused, not guessed at.
FORMAT_VERSION = 1

#: The model shipped with Solidarity (see data/PROVENANCE.md for what it was trained on).
DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "classifier.npz"

RELEVANT = "relevant"
OBJECTIVE_PREFIX = "objective:"
GROUP_PREFIX = "group:"

#: Texts are vectorized in batches of this size, so memory stays flat on big files.
BATCH = 2048

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Prediction:
    """What the classifier says about one recommendation.

    Attributes
    ----------
    migration_relevant : bool
        Relevant to the GCM review (migrants, trafficking, refugees and asylum seekers).
    score : float
        0-1; relevant when at least 0.5.
    objectives : tuple of int
        GCM objectives the recommendation bears on, ascending.
    objective_scores : dict
        Score (0-1) of every objective the model knows, by objective number.
    groups : tuple of str
        Codes of the groups in vulnerable situations it names (the reference catalogue's codes).
    model_version : str
        A digest of the model file's arrays, to record with every label the model gives.
    """

    migration_relevant: bool
    score: float
    objectives: tuple[int, ...]
    objective_scores: dict[int, float] = field(hash=False)
    groups: tuple[str, ...]
    model_version: str


class Classifier:
    """A trained recommendation classifier (see `train` to make one, `load_classifier` to read one).

    Parameters
    ----------
    vocabulary : sequence of str
        The n-grams, in feature order.
    idf : array of shape (features,)
    heads : sequence of str
        ``"relevant"``, ``"objective:N"``, ``"group:CODE"``.
    coef : array of shape (heads, features)
    intercept : array of shape (heads,)
    metadata : dict
        JSON-serialisable: ``analyzer``, ``ngram_range`` and the training record.
    """

    def __init__(
        self,
        *,
        vocabulary: Sequence[str],
        idf: npt.NDArray[np.floating[Any]],
        heads: Sequence[str],
        coef: npt.NDArray[np.floating[Any]],
        intercept: npt.NDArray[np.floating[Any]],
        metadata: dict[str, Any],
    ) -> None:
        if coef.shape != (len(heads), len(vocabulary)) or idf.shape != (len(vocabulary),):
            raise ValueError("the arrays do not match the vocabulary and the heads")
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, dtype=np.float32)
        self.heads = list(heads)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.metadata = dict(metadata)
        self.vectorizer = make_vectorizer(
            self.metadata["analyzer"], tuple(self.metadata["ngram_range"]), self.vocabulary
        )
        self.vectorizer.idf_ = self.idf
        self.objectives = tuple(
            int(head.removeprefix(OBJECTIVE_PREFIX))
            for head in self.heads
            if head.startswith(OBJECTIVE_PREFIX)
        )
        digest = hashlib.sha256()
        for array in (self.idf, self.coef, self.intercept):
            digest.update(np.ascontiguousarray(array).tobytes())
        digest.update("\n".join(self.vocabulary).encode())
        self.version = digest.hexdigest()[:12]

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """Score every head for every text: an array of shape (texts, heads), values 0-1."""
        parts = []
        for start in range(0, len(texts), BATCH):
            features = self.vectorizer.transform(texts[start : start + BATCH])
            logits = np.asarray(features @ self.coef.T, dtype=np.float64) + self.intercept
            parts.append(1.0 / (1.0 + np.exp(-logits)))
        if not parts:
            return np.zeros((0, len(self.heads)))
        return np.vstack(parts)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Classify texts (see `classify_texts`)."""
        scores = self.scores(texts)
        relevant = self.heads.index(RELEVANT)
        objective_columns = [
            (objective, self.heads.index(f"{OBJECTIVE_PREFIX}{objective}"))
            for objective in self.objectives
        ]
        group_columns = {
            head.removeprefix(GROUP_PREFIX): index
            for index, head in enumerate(self.heads)
            if head.startswith(GROUP_PREFIX)
        }
        predictions = []
        for text, row in zip(texts, scores, strict=True):
            objective_scores = {
                objective: float(row[column]) for objective, column in objective_columns
            }
            score = float(row[relevant])
            for objective in SELF_RELEVANT_OBJECTIVES:
                # Trafficking makes a recommendation relevant by itself (crosswalk), and its head
                # is the surest of all: when it fires, so does relevance.
                if objective_scores.get(objective, 0.0) >= 0.5:
                    score = max(score, objective_scores[objective])
            # The other objectives are kinds of migrants' recommendations: named only under a
            # relevant one (chosen on held-out sessions 9-10, see docs/rights-classifier.md).
            objectives = tuple(
                objective
                for objective, objective_score in objective_scores.items()
                if objective_score >= 0.5
                and (score >= 0.5 or objective in SELF_RELEVANT_OBJECTIVES)
            )
            groups = tuple(
                group
                for group in GROUPS
                if (
                    row[group_columns[group]] >= 0.5
                    if group in group_columns
                    else GROUP_RULES[group].search(text) is not None
                )
            )
            predictions.append(
                Prediction(
                    migration_relevant=score >= 0.5,
                    score=score,
                    objectives=objectives,
                    objective_scores=objective_scores,
                    groups=groups,
                    model_version=self.version,
                )
            )
        return predictions

    def save(self, path: str | Path) -> None:
        """Write the model as a compressed ``.npz`` (weights as float16: a few hundred KB)."""
        metadata = {**self.metadata, "format_version": FORMAT_VERSION, "heads": self.heads}
        with Path(path).open("wb") as file:
            np.savez_compressed(
                file,
                vocabulary=np.frombuffer("\n".join(self.vocabulary).encode(), dtype=np.uint8),
                idf=self.idf.astype(np.float16),
                coef=self.coef.astype(np.float16),
                intercept=self.intercept,
                metadata=np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8),
            )


def make_vectorizer(
    analyzer: str,
    ngram_range: tuple[int, int],
    vocabulary: Sequence[str] | None = None,
    **kwargs: Any,
) -> Any:
    """The TF-IDF vectorizer every model uses: lower-cased, sublinear term frequency, L2 norm."""
    return TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngram_range,
        lowercase=True,
        sublinear_tf=True,
        dtype=np.float32,
        vocabulary=None if vocabulary is None else {term: i for i, term in enumerate(vocabulary)},
        **kwargs,
    )


def load_classifier(path: str | Path | None = None) -> Classifier:
    """Read a model file (by default the one shipped with Solidarity).

    Raises
    ------
    ModelError
        When the file is missing, is not a model file, or was written by another format version.

    Examples
    --------
    >>> classifier = load_classifier()
    >>> classifier.objectives
    (6, 10, 13, 15, 17)
    """
    return _load(Path(path) if path is not None else DEFAULT_MODEL)


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> Classifier:
    name = str(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            metadata = json.loads(archive["metadata"].tobytes().decode())
            if metadata.get("format_version") != FORMAT_VERSION:
                raise ModelError(
                    f"is a model of format {metadata.get('format_version')!r}; "
                    f"this version of Solidarity reads format {FORMAT_VERSION}",
                    file=name,
                )
            vocabulary = archive["vocabulary"].tobytes().decode().split("\n")
            return Classifier(
                vocabulary=vocabulary,
                idf=archive["idf"],
                heads=metadata.pop("heads"),
                coef=archive["coef"],
                intercept=archive["intercept"],
                metadata=metadata,
            )
    except FileNotFoundError:
        raise ModelError("does not exist", file=name) from None
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"is not a classifier model file ({error})", file=name) from None


def classify_texts(texts: Iterable[str], *, model: str | Path | None = None) -> list[Prediction]:
    """Classify recommendation texts: relevance, objectives, groups — from the text alone.

    Parameters
    ----------
    texts : iterable of str
    model : path, optional
        A model file written by `train`; by default the model shipped with Solidarity.

    Returns
    -------
    list of Prediction
        One per text, in order.

    Examples
    --------
    >>> first, second = classify_texts([
    ...     "Take measures to combat trafficking in persons, in particular of women and girls",
    ...     "Abolish the death penalty",
    ... ])
    >>> first.migration_relevant, first.objectives, first.groups
    (True, (10,), ('women-and-girls', 'children-and-adolescents'))
    >>> second.migration_relevant, second.objectives
    (False, ())
    """
    return load_classifier(model).predict(list(texts))


def logit(probability: float) -> float:
    """The log-odds of a probability strictly between 0 and 1."""
    return math.log(probability / (1.0 - probability))
