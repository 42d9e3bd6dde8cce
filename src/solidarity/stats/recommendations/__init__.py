"""Human-rights recommendations for the GCM review: read, classify, cluster — without Django.

UPR Info's CSV layout is read by `read_upr_info_csv`; `classify_texts` says, from the text alone,
whether a recommendation is relevant to the review of the Global Compact for Migration, which of
its objectives it bears on and which groups in vulnerable situations it names; `cluster_texts`
groups near-duplicate recommendations (the same ask from several States, bodies and cycles).
The classifier ships as a small trained model file (``data/classifier.npz``) that `train`
rebuilds from UPR Info's labels, through the crosswalk in `crosswalk`, and from people's confirmed
or rejected labels; `evaluate` measures it against its baselines on later UPR sessions.
docs/rights-classifier.md has the figures.

Examples
--------
>>> from solidarity.stats.recommendations import classify_texts, cluster_texts
>>> predictions = classify_texts(["Ratify the ICRMW", "Abolish the death penalty"])
>>> [p.migration_relevant for p in predictions]
[True, False]
>>> cluster_texts(["Abolish the death penalty", "Ratify ICRMW", "Abolish the death penalty."])
[0, 1, 0]
"""

from ._cluster import THRESHOLD, cluster_texts
from ._errors import FileFormatError, ModelError, RecommendationsError
from ._model import DEFAULT_MODEL, Classifier, Prediction, classify_texts, load_classifier
from ._reader import (
    UPR_INFO_COLUMNS,
    LabelDecision,
    UprInfoRecommendation,
    read_label_decisions,
    read_upr_info_csv,
)
from ._train import Evaluation, Score, evaluate, train
from .crosswalk import GROUPS, OBJECTIVES, IssueLabels, labels_from_issues

__all__ = [
    "DEFAULT_MODEL",
    "GROUPS",
    "OBJECTIVES",
    "THRESHOLD",
    "UPR_INFO_COLUMNS",
    "Classifier",
    "Evaluation",
    "FileFormatError",
    "IssueLabels",
    "LabelDecision",
    "ModelError",
    "Prediction",
    "RecommendationsError",
    "Score",
    "UprInfoRecommendation",
    "classify_texts",
    "cluster_texts",
    "evaluate",
    "labels_from_issues",
    "load_classifier",
    "read_label_decisions",
    "read_upr_info_csv",
    "train",
]
