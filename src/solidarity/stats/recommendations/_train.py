"""Training and evaluating the classifier on UPR Info's labelled recommendations."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]  # no stubs
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

from ._model import (
    GROUP_PREFIX,
    OBJECTIVE_PREFIX,
    RELEVANT,
    Classifier,
    Prediction,
    logit,
    make_vectorizer,
)
from ._reader import LabelDecision, UprInfoRecommendation
from .crosswalk import GROUP_ISSUES, OBJECTIVES, labels_from_issues
from .keywords import GROUP_RULES, keyword_objectives, keyword_relevant

#: Regularisation strengths tried for every head (inverse: larger fits the training data closer).
C_GRID = (8.0, 32.0, 128.0)
#: Decision thresholds tried for every head, on the held-out sessions.
THRESHOLDS = tuple(round(0.05 * step, 2) for step in range(1, 20))

#: Feature settings: ``char`` is the shipped model, ``word`` the TF-IDF baseline.
FEATURES: dict[str, dict[str, Any]] = {
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5), "min_df": 3, "max_features": 15000},
    "word": {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": None},
}


@dataclass
class _Example:
    text: str
    labels: dict[str, bool]
    session: int | None


def _heads() -> list[str]:
    return [
        RELEVANT,
        *(f"{OBJECTIVE_PREFIX}{objective}" for objective in OBJECTIVES),
        *(f"{GROUP_PREFIX}{group}" for group in GROUP_ISSUES),
    ]


def _examples(
    recommendations: Iterable[UprInfoRecommendation], decisions: Sequence[LabelDecision]
) -> tuple[list[_Example], int]:
    examples = []
    by_text: dict[str, list[_Example]] = {}
    for recommendation in recommendations:
        labels = labels_from_issues(recommendation.issues)
        example = _Example(
            text=recommendation.text,
            labels={
                RELEVANT: labels.relevant,
                **{f"{OBJECTIVE_PREFIX}{o}": o in labels.objectives for o in OBJECTIVES},
                **{f"{GROUP_PREFIX}{g}": g in labels.groups for g in GROUP_ISSUES},
            },
            session=recommendation.session,
        )
        examples.append(example)
        by_text.setdefault(_normal(recommendation.text), []).append(example)
    ignored = 0
    for decision in decisions:
        head = f"{OBJECTIVE_PREFIX}{decision.objective}"
        if decision.objective not in OBJECTIVES:
            # No head to teach: without labels for the other recommendations, one person's
            # confirmation cannot tell the model what the objective is *not*.
            ignored += 1
            continue
        # A person's decision overrides UPR Info's label for the same text; a text UPR Info never
        # saw becomes an example for that objective (and, when confirmed, for relevance) only.
        matches = by_text.get(_normal(decision.text))
        if matches:
            for example in matches:
                example.labels[head] = decision.confirmed
                if decision.confirmed:
                    example.labels[RELEVANT] = True
        else:
            taught = {head: decision.confirmed}
            if decision.confirmed:
                taught[RELEVANT] = True
            example = _Example(text=decision.text, labels=taught, session=None)
            examples.append(example)
            by_text[_normal(decision.text)] = [example]
    return examples, ignored


def _normal(text: str) -> str:
    return " ".join(text.lower().split())


def _f1(truth: npt.NDArray[np.bool_], predicted: npt.NDArray[np.bool_]) -> float:
    true_positives = int(np.sum(truth & predicted))
    if true_positives == 0:
        return 0.0
    return 2 * true_positives / (int(truth.sum()) + int(predicted.sum()))


def _fit(features: Any, labels: npt.NDArray[np.bool_], strength: float) -> Any:
    model = LogisticRegression(C=strength, class_weight="balanced", max_iter=5000)
    with warnings.catch_warnings():
        # A head that has not fully converged after 5000 iterations is still usable, and its
        # figures on held-out sessions say how good it is; the warning would only stop training.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(features, labels)
    return model


def train(
    recommendations: Iterable[UprInfoRecommendation],
    *,
    decisions: Sequence[LabelDecision] = (),
    features: str = "char",
    validation_sessions: int = 2,
    source: str = "",
) -> Classifier:
    """Train a classifier on UPR Info recommendations (and people's label decisions).

    Every head — relevance, each objective of the crosswalk, each group with a UPR Info issue —
    is a class-balanced logistic regression on TF-IDF features of the text. Its regularisation
    and its decision threshold are chosen on the last ``validation_sessions`` UPR sessions of the
    training data, with a model trained on the earlier ones; the head is then refitted on all of
    the training data.

    Parameters
    ----------
    recommendations : iterable of UprInfoRecommendation
        With their ``issues`` and ``session`` (read with ``require_labels=True``).
    decisions : sequence of LabelDecision
        People's confirmed or rejected objective labels; they override UPR Info's labels for the
        same text and add examples for texts UPR Info did not label. Decisions on objectives
        outside the crosswalk are not used (counted in the metadata).
    features : {"char", "word"}
        ``char`` (character 2-5-grams within words, the shipped model) or ``word`` (words and
        word pairs: the TF-IDF baseline).
    validation_sessions : int
    source : str
        What the recommendations are, for the model's provenance record.

    Returns
    -------
    Classifier
    """
    settings = FEATURES[features]
    examples, ignored = _examples(recommendations, decisions)
    sessions = sorted({e.session for e in examples if e.session is not None})
    if len(sessions) <= validation_sessions:
        raise ValueError(
            f"training needs more than {validation_sessions} UPR sessions; got {len(sessions)}"
        )
    first_held_out = sessions[-validation_sessions]
    early = [e for e in examples if e.session is None or e.session < first_held_out]
    late = [e for e in examples if e.session is not None and e.session >= first_held_out]
    heads = _heads()

    def vectorize(fit_on: list[_Example]) -> Any:
        vectorizer = make_vectorizer(
            settings["analyzer"],
            settings["ngram_range"],
            min_df=settings["min_df"],
            max_features=settings["max_features"],
        )
        vectorizer.fit([e.text for e in fit_on])
        return vectorizer

    def rows(group: list[_Example], head: str) -> tuple[list[int], npt.NDArray[np.bool_]]:
        index = [i for i, e in enumerate(group) if head in e.labels]
        return index, np.array([group[i].labels[head] for i in index], dtype=bool)

    tuning_vectorizer = vectorize(early)
    early_features = tuning_vectorizer.transform([e.text for e in early])
    late_features = tuning_vectorizer.transform([e.text for e in late])
    final_vectorizer = vectorize(examples)
    all_features = final_vectorizer.transform([e.text for e in examples])
    vocabulary = [""] * len(final_vectorizer.vocabulary_)
    for term, position in final_vectorizer.vocabulary_.items():
        vocabulary[position] = term
    idf = final_vectorizer.idf_.astype(np.float16).astype(np.float32)

    coefficients, intercepts, choices, kept = [], [], {}, []
    skipped: list[str] = []
    for head in heads:
        train_index, train_labels = rows(early, head)
        held_index, held_labels = rows(late, head)
        best = (-1.0, C_GRID[0], 0.5)
        if train_labels.any() and held_labels.any():
            for strength in C_GRID:
                model = _fit(early_features[train_index], train_labels, strength)
                scores = model.predict_proba(late_features[held_index])[:, 1]
                for threshold in THRESHOLDS:
                    score = _f1(held_labels, scores >= threshold)
                    if score > best[0]:
                        best = (score, strength, threshold)
        held_f1, strength, threshold = best
        index, labels = rows(examples, head)
        if labels.all() or not labels.any():
            if head == RELEVANT:
                raise ValueError("relevance needs relevant and other recommendations to learn from")
            # Nothing to tell apart: the head is left out, and its label is never predicted.
            skipped.append(head)
            continue
        model = _fit(all_features[index], labels, strength)
        coefficients.append(model.coef_[0].astype(np.float16).astype(np.float32))
        # Shift the intercept so that the chosen threshold falls at 0.5.
        intercepts.append(float(model.intercept_[0]) - logit(threshold))
        kept.append(head)
        choices[head] = {
            "C": strength,
            "threshold": threshold,
            "validation_f1": round(held_f1, 4),
            "positives": int(labels.sum()),
            "examples": len(labels),
        }
    metadata = {
        "analyzer": settings["analyzer"],
        "ngram_range": list(settings["ngram_range"]),
        "features": features,
        "trained_on": source,
        "trained_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sessions": sessions,
        "validation_sessions": sessions[-validation_sessions:],
        "recommendations": sum(1 for e in examples if e.session is not None),
        "decisions_used": len(decisions) - ignored,
        "decisions_ignored": ignored,
        "heads_chosen": choices,
        "heads_skipped": skipped,
    }
    return Classifier(
        vocabulary=vocabulary,
        idf=idf,
        heads=kept,
        coef=np.vstack(coefficients),
        intercept=np.array(intercepts),
        metadata=metadata,
    )


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 of one method on one label, on the test sessions."""

    label: str
    method: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass
class Evaluation:
    """What `evaluate` measured: scores by label and method, and the classifier's mistakes."""

    train_sessions: list[int]
    test_sessions: list[int]
    train_size: int
    test_size: int
    scores: list[Score]
    objective_support: dict[int, int]
    false_positives: list[tuple[str, tuple[str, ...], float]] = field(default_factory=list)
    false_negatives: list[tuple[str, tuple[str, ...], float]] = field(default_factory=list)

    def score(self, label: str, method: str) -> Score:
        """The score of one method on one label."""
        for score in self.scores:
            if score.label == label and score.method == method:
                return score
        raise KeyError((label, method))

    def to_markdown(self) -> str:
        """The evaluation as Markdown tables, for docs/rights-classifier.md."""
        methods = list(dict.fromkeys(score.method for score in self.scores))
        labels = list(dict.fromkeys(score.label for score in self.scores))
        lines = [
            f"Train: sessions {self.train_sessions[0]}-{self.train_sessions[-1]} "
            f"({self.train_size} recommendations); test: sessions "
            f"{self.test_sessions[0]}-{self.test_sessions[-1]} ({self.test_size}).",
            "",
            "| label | support | " + " | ".join(methods) + " |",
            "|---|---:|" + "---|" * len(methods),
        ]
        for label in labels:
            cells = []
            support = 0
            for method in methods:
                try:
                    s = self.score(label, method)
                except KeyError:
                    cells.append("—")
                    continue
                support = s.support
                cells.append(f"P {s.precision:.3f} R {s.recall:.3f} **F1 {s.f1:.3f}**")
            lines.append(f"| {label} | {support} | " + " | ".join(cells) + " |")
        lines += ["", "Support of every objective in the test sessions (crosswalk labels):", ""]
        lines.append(
            "| objective | "
            + " | ".join(str(o) for o in range(1, 24))
            + " |\n|---|"
            + "---:|" * 23
            + "\n| support | "
            + " | ".join(str(self.objective_support.get(o, "—")) for o in range(1, 24))
            + " |"
        )
        return "\n".join(lines)


def _score(label: str, method: str, truth: Sequence[bool], predicted: Sequence[bool]) -> Score:
    t = np.array(truth, dtype=bool)
    p = np.array(predicted, dtype=bool)
    hits = int(np.sum(t & p))
    precision = hits / int(p.sum()) if p.any() else 0.0
    recall = hits / int(t.sum()) if t.any() else 0.0
    return Score(label, method, precision, recall, _f1(t, p), int(t.sum()), int(p.sum()))


def evaluate(
    recommendations: Iterable[UprInfoRecommendation], *, test_from_session: int = 11
) -> Evaluation:
    """Train on the sessions before ``test_from_session`` and measure on the later ones.

    Four methods are measured on every label: the minimal and the extended keyword rules (see
    `keywords`), TF-IDF of words and word pairs with logistic regression (the baseline), and the
    classifier as shipped (character n-grams, `train`'s defaults). Only the texts are given to the
    methods; the labels come from the crosswalk of UPR Info's issues.

    Examples
    --------
    See docs/rights-classifier.md for the figures on UPR sessions 1-13.
    """
    everything = list(recommendations)
    early = [r for r in everything if r.session is not None and r.session < test_from_session]
    late = [r for r in everything if r.session is not None and r.session >= test_from_session]
    if not early or not late:
        raise ValueError(f"no recommendation before or from session {test_from_session}")
    texts = [r.text for r in late]
    truth = [labels_from_issues(r.issues) for r in late]
    predictions: dict[str, list[Prediction]] = {
        "TF-IDF words + LR": train(early, features="word").predict(texts),
    }
    classifier = train(early)
    predictions["Solidarity (char n-grams + LR)"] = classifier.predict(texts)
    scores = []
    relevant = [t.relevant for t in truth]
    scores.append(
        _score(
            "GCM relevance",
            "keyword rule (minimal)",
            relevant,
            [keyword_relevant(x, minimal=True) for x in texts],
        )
    )
    scores.append(
        _score(
            "GCM relevance",
            "keyword rule (extended)",
            relevant,
            [keyword_relevant(x) for x in texts],
        )
    )
    for method, predicted in predictions.items():
        scores.append(
            _score("GCM relevance", method, relevant, [p.migration_relevant for p in predicted])
        )
    rules = [keyword_objectives(x) for x in texts]
    for objective in OBJECTIVES:
        label = f"objective {objective}"
        wanted = [objective in t.objectives for t in truth]
        scores.append(
            _score(label, "keyword rule (extended)", wanted, [objective in r for r in rules])
        )
        for method, predicted in predictions.items():
            scores.append(
                _score(label, method, wanted, [objective in p.objectives for p in predicted])
            )
    for group in GROUP_ISSUES:
        label = f"group: {group}"
        wanted = [group in t.groups for t in truth]
        scores.append(
            _score(
                label,
                "keyword rule (extended)",
                wanted,
                [GROUP_RULES[group].search(x) is not None for x in texts],
            )
        )
        for method, predicted in predictions.items():
            scores.append(_score(label, method, wanted, [group in p.groups for p in predicted]))
    support = {o: sum(o in t.objectives for t in truth) for o in OBJECTIVES}
    ours = predictions["Solidarity (char n-grams + LR)"]
    false_positives = [
        (r.text, r.issues, p.score)
        for r, t, p in zip(late, truth, ours, strict=True)
        if p.migration_relevant and not t.relevant
    ]
    false_negatives = [
        (r.text, r.issues, p.score)
        for r, t, p in zip(late, truth, ours, strict=True)
        if t.relevant and not p.migration_relevant
    ]
    return Evaluation(
        train_sessions=sorted({r.session for r in early if r.session is not None}),
        test_sessions=sorted({r.session for r in late if r.session is not None}),
        train_size=len(early),
        test_size=len(late),
        scores=scores,
        objective_support=support,
        false_positives=false_positives,
        false_negatives=false_negatives,
    )
