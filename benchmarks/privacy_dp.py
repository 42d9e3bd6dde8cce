"""Differential privacy: noise throughput of the vetted sampler, in cells per second.

What: `solidarity.stats.privacy.dp.add_noise`, OpenDP's exact discrete Gaussian sampler
(``make_gaussian`` on a vector of integers, zero-concentrated DP) adding noise to ``cells``
counts, at the scale of a release of rho = 0.5 with the sensitivity of a four-dimension table
with all its margins (sqrt(16) = 4). The counts are seeded Zipf-like integers (the values do
not change the sampler's work).

Floor, in the same run: NumPy drawing as many continuous Gaussian numbers and rounding them —
fast, but neither exact nor safe against floating-point attacks, which is why the release uses
OpenDP's sampler; the ratio says what that safety costs.

Run with ``python -m benchmarks.privacy_dp [--cells N]`` (default 200,000).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from solidarity.stats.privacy.dp import add_noise

SEED = 20181219


def run(*, cells: int = 200_000) -> dict[str, float]:
    randomness = np.random.default_rng(SEED)
    counts = randomness.zipf(1.5, cells).astype(np.int64) % 1_000_000
    scale = 4.0 / math.sqrt(2 * 0.5)
    add_noise(counts[:10], scale=scale)  # load OpenDP once, outside the timing
    started, cpu = time.perf_counter(), time.process_time()
    noisy = add_noise(counts, scale=scale)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    assert len(noisy) == cells
    floor_started = time.perf_counter()
    floor = np.rint(counts + randomness.normal(0.0, scale, cells)).astype(np.int64)
    floor_seconds = time.perf_counter() - floor_started
    assert len(floor) == cells
    rate = cells / seconds
    print(
        f"privacy_dp: {cells:,} cells, discrete Gaussian of scale {scale:.2f} (OpenDP): "
        f"{seconds:.2f} s ({cpu_seconds:.2f} s of CPU), {rate:,.0f} cells/s "
        f"({cells / cpu_seconds:,.0f} per CPU second); floor, NumPy rounded normal: "
        f"{floor_seconds:.3f} s ({seconds / floor_seconds:,.0f}x faster)"
    )
    return {"cells_per_second": rate, "cells_per_cpu_second": cells / cpu_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.privacy_dp")
    parser.add_argument("--cells", type=int, default=200_000)
    arguments = parser.parse_args()
    run(cells=arguments.cells)


if __name__ == "__main__":
    main()
