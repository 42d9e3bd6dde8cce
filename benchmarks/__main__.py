"""Run every benchmark: ``./dev bench`` (or ``python -m benchmarks``).

Options: ``--rows N`` changes the size of the generated files (default 1,000,000).
"""

from __future__ import annotations

import argparse

from benchmarks import fairshare, ingest, opensdg_read, privacy_tabulate, rights_import


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the generated files")
    arguments = parser.parse_args()
    opensdg_read.run(rows=arguments.rows)
    ingest.run(rows=arguments.rows)
    # A tenth of --rows published observations (100,000 by default), served over HTTP.
    from benchmarks import serving

    serving.run(observations=arguments.rows // 10)
    # The UPR Info file's own size (23,484 rows): its import time is the figure that matters.
    rights_import.run()
    # Classifying and clustering the same file's 23,484 texts, whatever --rows says.
    from benchmarks import rights_classify

    rights_classify.run()
    # Fair shares for the 193 UN Member States: a page's work, whatever --rows says.
    fairshare.run()
    # IATI activity files: one activity per 500 rows (2,000 activities, about 13 MB, by default).
    from benchmarks import iati_import

    iati_import.run(count=max(100, arguments.rows // 500))
    privacy_tabulate.run(rows=arguments.rows)
    # Secondary suppression and its audit (a 37,638-cell four-dimension table by default), and
    # the throughput of the DP sampler (200,000 cells): sizes of their own, whatever --rows says.
    from benchmarks import privacy_dp, privacy_suppression

    privacy_suppression.run()
    privacy_dp.run()
    # A full State dossier's PDF (200 recommendations): a page's work, whatever --rows says.
    from benchmarks import dossier_pdf

    dossier_pdf.run()


if __name__ == "__main__":
    main()
