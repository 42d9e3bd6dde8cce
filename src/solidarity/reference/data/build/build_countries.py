# ruff: noqa: E501, SIM905 (code lists are easier to check as one string per group)
"""Regenerate ``regions.csv`` and ``countries.csv`` (run by hand when a source changes; not used at
run time).

    python src/solidarity/reference/data/build/build_countries.py [path/to/country_data.tsv]

Sources: ISO 3166-1 codes and names in English, French and Spanish from ``pycountry`` (its
iso-codes gettext catalogues); the UN M49 structure and the LDC/LLDC/SIDS groupings typed in below
from UNSD's "Standard country or area codes for statistical use (M49)" and UN-OHRLLS; UN membership
cross-checked against the ``UNmember`` column of country_converter's ``country_data.tsv`` when its
path is given.
"""

from __future__ import annotations

import csv
import gettext
import sys
from pathlib import Path

import pycountry

DATA = Path(__file__).resolve().parent.parent

# m49: (level, parent, English, French, Spanish) — UNSD M49 names in the three languages.
REGIONS: dict[str, tuple[str, str, str, str, str]] = {
    "001": ("world", "", "World", "Monde", "Mundo"),
    "002": ("region", "001", "Africa", "Afrique", "África"),
    "015": ("subregion", "002", "Northern Africa", "Afrique du Nord", "África septentrional"),
    "202": (
        "subregion",
        "002",
        "Sub-Saharan Africa",
        "Afrique subsaharienne",
        "África subsahariana",
    ),
    "014": ("intermediate", "202", "Eastern Africa", "Afrique orientale", "África oriental"),
    "017": ("intermediate", "202", "Middle Africa", "Afrique centrale", "África central"),
    "018": ("intermediate", "202", "Southern Africa", "Afrique australe", "África meridional"),
    "011": ("intermediate", "202", "Western Africa", "Afrique de l'Ouest", "África occidental"),
    "019": ("region", "001", "Americas", "Amériques", "Américas"),
    "419": (
        "subregion",
        "019",
        "Latin America and the Caribbean",
        "Amérique latine et Caraïbes",
        "América Latina y el Caribe",
    ),
    "029": ("intermediate", "419", "Caribbean", "Caraïbes", "Caribe"),
    "013": ("intermediate", "419", "Central America", "Amérique centrale", "Centroamérica"),
    "005": ("intermediate", "419", "South America", "Amérique du Sud", "América del Sur"),
    "021": (
        "subregion",
        "019",
        "Northern America",
        "Amérique septentrionale",
        "América septentrional",
    ),
    "142": ("region", "001", "Asia", "Asie", "Asia"),
    "143": ("subregion", "142", "Central Asia", "Asie centrale", "Asia central"),
    "030": ("subregion", "142", "Eastern Asia", "Asie orientale", "Asia oriental"),
    "035": ("subregion", "142", "South-eastern Asia", "Asie du Sud-Est", "Asia sudoriental"),
    "034": ("subregion", "142", "Southern Asia", "Asie du Sud", "Asia meridional"),
    "145": ("subregion", "142", "Western Asia", "Asie occidentale", "Asia occidental"),
    "150": ("region", "001", "Europe", "Europe", "Europa"),
    "151": ("subregion", "150", "Eastern Europe", "Europe orientale", "Europa oriental"),
    "154": ("subregion", "150", "Northern Europe", "Europe septentrionale", "Europa septentrional"),
    "830": ("intermediate", "154", "Channel Islands", "Îles Anglo-Normandes", "Islas del Canal"),
    "039": ("subregion", "150", "Southern Europe", "Europe méridionale", "Europa meridional"),
    "155": ("subregion", "150", "Western Europe", "Europe occidentale", "Europa occidental"),
    "009": ("region", "001", "Oceania", "Océanie", "Oceanía"),
    "053": (
        "subregion",
        "009",
        "Australia and New Zealand",
        "Australie et Nouvelle-Zélande",
        "Australia y Nueva Zelandia",
    ),
    "054": ("subregion", "009", "Melanesia", "Mélanésie", "Melanesia"),
    "057": ("subregion", "009", "Micronesia", "Micronésie", "Micronesia"),
    "061": ("subregion", "009", "Polynesia", "Polynésie", "Polinesia"),
}

# The lowest M49 grouping of each ISO 3166-1 country or area.
MEMBERS: dict[str, str] = {
    "015": "DZA EGY LBY MAR SDN TUN ESH",
    "014": "IOT BDI COM DJI ERI ETH ATF KEN MDG MWI MUS MYT MOZ REU RWA SYC SOM SSD UGA TZA ZMB ZWE",
    "017": "AGO CMR CAF TCD COG COD GNQ GAB STP",
    "018": "BWA SWZ LSO NAM ZAF",
    "011": "BEN BFA CPV CIV GMB GHA GIN GNB LBR MLI MRT NER NGA SHN SEN SLE TGO",
    "029": "AIA ATG ABW BHS BRB BES VGB CYM CUB CUW DMA DOM GRD GLP HTI JAM MTQ MSR PRI BLM KNA "
    "LCA MAF VCT SXM TTO TCA VIR",
    "013": "BLZ CRI SLV GTM HND MEX NIC PAN",
    "005": "ARG BOL BVT BRA CHL COL ECU FLK GUF GUY PRY PER SGS SUR URY VEN",
    "021": "BMU CAN GRL SPM USA",
    "143": "KAZ KGZ TJK TKM UZB",
    # TWN: not listed by UNSD; placed in Eastern Asia by us (see PROVENANCE.md).
    "030": "CHN HKG MAC PRK JPN MNG KOR TWN",
    "035": "BRN KHM IDN LAO MYS MMR PHL SGP THA TLS VNM",
    "034": "AFG BGD BTN IND IRN MDV NPL PAK LKA",
    "145": "ARM AZE BHR CYP GEO IRQ ISR JOR KWT LBN OMN QAT SAU PSE SYR TUR ARE YEM",
    "151": "BLR BGR CZE HUN POL MDA ROU RUS SVK UKR",
    "154": "ALA DNK EST FRO FIN ISL IRL IMN LVA LTU NOR SJM SWE GBR",
    "830": "GGY JEY",
    "039": "ALB AND BIH HRV GIB GRC VAT ITA MLT MNE MKD PRT SMR SRB SVN ESP",
    "155": "AUT BEL FRA DEU LIE LUX MCO NLD CHE",
    "053": "AUS CXR CCK HMD NZL NFK",
    "054": "FJI NCL PNG SLB VUT",
    "057": "GUM KIR MHL FSM NRU MNP PLW UMI",
    "061": "ASM COK PYF NIU PCN WSM TKL TON TUV WLF",
    # Antarctica (ATA, M49 010) belongs to no region below World.
}

# UN-OHRLLS / UNSD M49, as of December 2024 (Bhutan graduated 2023, São Tomé and Príncipe 2024).
LDC = (
    "AGO BEN BFA BDI CAF TCD COM COD DJI ERI ETH GMB GIN GNB LSO LBR MDG MWI MLI MRT MOZ NER "
    "RWA SEN SLE SOM SSD SDN TGO UGA TZA ZMB AFG BGD KHM LAO MMR NPL TLS YEM HTI KIR SLB TUV"
).split()
LLDC = (
    "BWA BFA BDI CAF TCD SWZ ETH LSO MWI MLI NER RWA SSD UGA ZMB ZWE AFG BTN LAO MNG NPL KAZ "
    "KGZ TJK TKM UZB ARM AZE MKD MDA BOL PRY"
).split()
SIDS = (
    # UN members: Caribbean, Pacific, Atlantic-Indian Ocean-South China Sea.
    "ATG BHS BRB BLZ CUB DMA DOM GRD GUY HTI JAM KNA LCA VCT SUR TTO "
    "FJI KIR MHL FSM NRU PLW PNG WSM SLB TLS TON TUV VUT "
    "BHR CPV COM GNB MDV MUS STP SYC SGP "
    # Non-UN members / associate members of the regional commissions.
    "AIA ABW BMU VGB CYM COK CUW PYF GLP MTQ MSR NCL NIU PRI SXM TCA VIR ASM GUM MNP"
).split()
# UNCTAD classification of economies: developed = Europe, Northern America, Australia,
# New Zealand, Israel, Japan, Republic of Korea; every other economy is developing.
DEVELOPED_REGIONS = {"150", "021"}
DEVELOPED_ECONOMIES = {"AUS", "NZL", "ISR", "JPN", "KOR"}
NOT_UN_MEMBERS = {"VAT", "PSE"}  # observer States; every other sovereign State below is a member


def chain(m49: str) -> list[str]:
    codes = []
    while m49:
        codes.append(m49)
        m49 = REGIONS[m49][1]
    return codes


def main() -> None:
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    es = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    lowest = {iso3: m49 for m49, codes in MEMBERS.items() for iso3 in codes.split()}
    un_members: set[str] | None = None
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as tsv:
            un_members = {
                row["ISO3"]
                for row in csv.DictReader(tsv, delimiter="\t")
                if row["UNmember"].strip()
            }
    with open(DATA / "regions.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["m49", "level", "parent", "name", "name_fr", "name_es"])
        for m49, (level, parent, en, name_fr, name_es) in REGIONS.items():
            writer.writerow([m49, level, parent, en, name_fr, name_es])
    rows = []
    for country in pycountry.countries:
        iso3 = country.alpha_3
        levels = {REGIONS[code][0]: code for code in chain(lowest[iso3])} if iso3 != "ATA" else {}
        region, subregion = levels.get("region", ""), levels.get("subregion", "")
        developed = region in DEVELOPED_REGIONS or subregion in DEVELOPED_REGIONS
        developed = developed or iso3 in DEVELOPED_ECONOMIES
        rows.append(
            [
                iso3,
                country.alpha_2,
                country.numeric,
                country.name,
                fr.gettext(country.name),
                es.gettext(country.name),
                region,
                subregion,
                levels.get("intermediate", ""),
                int(iso3 in un_members) if un_members is not None else "",
                int(iso3 in LDC),
                int(iso3 in LLDC),
                int(iso3 in SIDS),
                int(not developed),
            ]
        )
    assert set(lowest) | {"ATA"} == {row[0] for row in rows}, "M49 table and ISO 3166-1 differ"
    with open(DATA / "countries.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "iso3",
                "iso2",
                "m49",
                "name",
                "name_fr",
                "name_es",
                "region",
                "subregion",
                "intermediate_region",
                "un_member",
                "ldc",
                "lldc",
                "sids",
                "developing",
            ]
        )
        writer.writerows(sorted(rows))


if __name__ == "__main__":
    main()
