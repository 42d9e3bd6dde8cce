# ruff: noqa: E501 (the goal titles are quoted whole)
"""Regenerate ``sdg.json`` from the UNSD SDG API indicator list (run by hand; not used at run time).

    python src/solidarity/reference/data/build/build_sdg.py INDICATORS.json MIGRATION_RELEVANT.json

INDICATORS.json is the UNSD SDG API ``/v1/sdg/Indicator/List`` response of release 2022.Q1;
MIGRATION_RELEVANT.json the subset of it that marks the migration-relevant indicators. Goal titles
(A/RES/70/1) are typed in below; the API list carries no goal or target text.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent

# number: (English, French, Spanish) — the goal titles of A/RES/70/1 in each language.
GOALS: dict[int, tuple[str, str, str]] = {
    1: (
        "End poverty in all its forms everywhere",
        "",
        "",
    ),
    2: (
        "End hunger, achieve food security and improved nutrition and promote sustainable agriculture",
        "",
        "",
    ),
    3: (
        "Ensure healthy lives and promote well-being for all at all ages",
        "",
        "",
    ),
    4: (
        "Ensure inclusive and equitable quality education and promote lifelong learning opportunities for all",
        "",
        "",
    ),
    5: (
        "Achieve gender equality and empower all women and girls",
        "",
        "",
    ),
    6: (
        "Ensure availability and sustainable management of water and sanitation for all",
        "",
        "",
    ),
    7: (
        "Ensure access to affordable, reliable, sustainable and modern energy for all",
        "",
        "",
    ),
    8: (
        "Promote sustained, inclusive and sustainable economic growth, full and productive employment and decent work for all",
        "",
        "",
    ),
    9: (
        "Build resilient infrastructure, promote inclusive and sustainable industrialization and foster innovation",
        "",
        "",
    ),
    10: (
        "Reduce inequality within and among countries",
        "",
        "",
    ),
    11: (
        "Make cities and human settlements inclusive, safe, resilient and sustainable",
        "",
        "",
    ),
    12: (
        "Ensure sustainable consumption and production patterns",
        "",
        "",
    ),
    13: (
        "Take urgent action to combat climate change and its impacts",
        "",
        "",
    ),
    14: (
        "Conserve and sustainably use the oceans, seas and marine resources for sustainable development",
        "",
        "",
    ),
    15: (
        "Protect, restore and promote sustainable use of terrestrial ecosystems, sustainably manage forests, combat desertification, and halt and reverse land degradation and halt biodiversity loss",
        "",
        "",
    ),
    16: (
        "Promote peaceful and inclusive societies for sustainable development, provide access to justice for all and build effective, accountable and inclusive institutions at all levels",
        "",
        "",
    ),
    17: (
        "Strengthen the means of implementation and revitalize the Global Partnership for Sustainable Development",
        "",
        "",
    ),
}


def target_sort_key(code: str) -> tuple[int, int, str]:
    goal, target = code.split(".")
    return (int(goal), 0 if target.isdigit() else 1, target.zfill(3))


def indicator_sort_key(code: str) -> tuple[tuple[int, int, str], int]:
    goal, target, number = code.split(".")
    return (target_sort_key(f"{goal}.{target}"), int(number))


def main() -> None:
    indicators: list[dict[str, Any]] = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    relevant = {
        indicator["code"] for indicator in json.loads(Path(sys.argv[2]).read_text(encoding="utf-8"))
    }
    assert relevant <= {indicator["code"] for indicator in indicators}
    series: dict[str, dict[str, Any]] = {}
    for indicator in indicators:
        for entry in indicator["series"]:
            row = series.setdefault(
                entry["code"],
                {"code": entry["code"], "description": entry["description"], "indicators": []},
            )
            row["indicators"].append(indicator["code"])
    catalogue = {
        "_source": (
            "UN Statistics Division, SDG API (unstats.un.org/sdgapi) indicator list, release "
            "2022.Q1 (tiers as of 2022); goal titles: A/RES/70/1"
        ),
        "goals": [
            {"number": number, "name": en, "name_fr": fr, "name_es": es}
            for number, (en, fr, es) in sorted(GOALS.items())
        ],
        "targets": [
            {"code": code, "goal": int(code.split(".")[0]), "description": ""}
            for code in sorted({i["target"] for i in indicators}, key=target_sort_key)
        ],
        "indicators": [
            {
                "code": i["code"],
                "target": i["target"],
                "description": i["description"],
                "tier": i["tier"],
                "migration_relevant": i["code"] in relevant,
            }
            for i in sorted(indicators, key=lambda i: indicator_sort_key(i["code"]))
        ],
        "series": [series[code] for code in sorted(series)],
    }
    # One row per line: compact, and a change shows as a one-line diff.
    with open(DATA / "sdg.json", "w", encoding="utf-8") as out:
        out.write("{\n")
        out.write(f'"_source": {json.dumps(catalogue.pop("_source"), ensure_ascii=False)}')
        for section, rows in catalogue.items():
            out.write(f',\n"{section}": [\n')
            out.write(",\n".join(json.dumps(row, ensure_ascii=False) for row in rows))
            out.write("\n]")
        out.write("\n}\n")


if __name__ == "__main__":
    main()
