"""The dossier as plain JSON-ready data, for the API and ``solidarity dossier --json``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from solidarity.dossiers.sections import Section
from solidarity.dossiers.selectors import Dossier


def _number(value: Decimal | None) -> str | None:
    """Money and counts as decimal strings: exact, whatever the reader's float."""
    return None if value is None else format(value.normalize(), "f")


def _review(data: dict[str, Any]) -> dict[str, Any]:
    review, version = data["review"], data["version"]
    return {
        "status": review.status,
        "version": version.number,
        "published_at": review.published_at,
        "parts": [
            {
                "part": part.part,
                "objective": part.objective_id,
                "texts": part.texts(),
                "citations": [
                    {"kind": citation.kind, "reference": citation.reference}
                    for citation in part.citations.all()
                ],
            }
            for part in data["parts"]
        ],
    }


def _stakeholders(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "inputs": [
            {
                "organisation": item.organisation.name,
                "organisation_kind": item.organisation.kind,
                "objective": item.objective_id,
                "title": item.title,
                "body": item.body,
                "submitted_at": item.submitted_at,
            }
            for item in data["inputs"]
        ],
        "comments": [
            {
                "organisation": comment.organisation.name if comment.organisation else "",
                "section": comment.section_key,
                "field": comment.field,
                "paragraph": comment.paragraph,
                "text": comment.text,
                "created_at": comment.created_at,
            }
            for comment in data["comments"]
        ],
    }


def _testimonies(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "testimonies": [
            {
                "id": str(item.testimony.public_id),
                "language": item.testimony.language,
                "text": item.text,
                "attribution": item.attribution,
                "objectives": [objective.number for objective in item.testimony.objectives.all()],
            }
            for item in data["testimonies"]
        ]
    }


def _recommendations(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "statuses": data["statuses"],
        "not_mapped": data["unmapped"],
        "objectives": [
            {
                "objective": group.objective.number,
                "count": group.count,
                "recommendations": [
                    {
                        "id": item.pk,
                        "mechanism": item.mechanism_id,
                        "document": item.document.symbol if item.document else "",
                        "published_on": item.published_on,
                        "text": item.text,
                        "status": item.status,
                        "similar": len(cluster.history),
                        "assessments": [
                            {
                                "grade": assessment.grade,
                                "assessor": assessment.assessor_label,
                                "assessed_on": assessment.assessed_on,
                            }
                            for assessment in item.assessments.all()
                        ],
                    }
                    for cluster in group.clusters
                    for item in [cluster.first]
                ],
            }
            for group in data["groups"]
        ],
    }


def _ratifications(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "treaties": [
            {
                "treaty": treaty.code,
                "status": ratification.status if ratification else None,
                "year": ratification.year if ratification else None,
            }
            for treaty, ratification in data["rows"]
        ]
    }


def _indicators(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "indicators": [
            {
                "indicator": row.indicator,
                "name": row.indicator_name,
                "providers": row.providers,
                "breakdowns_present": row.present,
                "breakdowns_missing": row.missing,
            }
            for row in data["rows"]
        ]
    }


def _pledges(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "pledged_usd": _number(data["totals"]["pledged"]),
        "committed_usd": _number(data["totals"]["committed"]),
        "disbursed_usd": _number(data["totals"]["disbursed"]),
        "not_converted": data["not_converted"],
        "pledges": [
            {
                "id": pledge.pk,
                "title": pledge.title,
                "state": pledge.state_id,
                "organisation": pledge.organisation.name if pledge.organisation else "",
                "objectives": [objective.number for objective in pledge.objectives.all()],
                "pledged_usd": _number(pledge.pledged_usd),
                "committed_usd": _number(pledge.committed_usd),
                "disbursed_usd": _number(pledge.disbursed_usd),
            }
            for pledge in data["pledges"]
        ],
    }


def _fair_share(data: dict[str, Any]) -> dict[str, Any]:
    row, share_range = data["row"], data["range"]
    return {
        "key": data["key"].name,
        "group": data["group"].spec,
        "year": data["year"],
        "burden": _number(data["burden"]),
        "key_share": _number(row.key_share) if row else None,
        "fair_share": _number(row.fair_share) if row else None,
        "actual": _number(row.actual) if row else None,
        "gap": _number(row.gap) if row else None,
        "ratio": _number(row.ratio) if row else None,
        "key_share_low": share_range.low if share_range else None,
        "key_share_high": share_range.high if share_range else None,
    }


def _follow_up(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "recommendations": [
            {
                "text": item.text,
                "source": item.source,
                "objective": item.objective_id,
                "status": item.status,
            }
            for item in data["recommendations"]
        ]
    }


SERIALIZERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "review": _review,
    "stakeholders": _stakeholders,
    "testimonies": _testimonies,
    "recommendations": _recommendations,
    "ratifications": _ratifications,
    "indicators": _indicators,
    "pledges": _pledges,
    "fair_share": _fair_share,
    "follow_up": _follow_up,
}


def section_as_json(section: Section) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "missing": section.missing,
        "summary": section.summary,
        "sources": [{"label": source.label, "as_of": source.as_of} for source in section.sources],
        "data": SERIALIZERS[section.key](section.data) if section.data else {},
    }


def dossier_as_json(dossier: Dossier) -> dict[str, Any]:
    return {
        "state": dossier.state.iso3,
        "state_name": dossier.state.name,
        "cycle": dossier.cycle.code,
        "cycle_title": dossier.cycle.title,
        "published": dossier.published,
        "generated_at": dossier.generated_at,
        "sections": [section_as_json(section) for section in dossier.sections],
    }
