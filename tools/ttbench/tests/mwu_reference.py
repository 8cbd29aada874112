#!/usr/bin/env python3
"""Reference p-values of the two-sided Mann-Whitney U test for test_stats.cpp.

How the values in mwu_reference.json were made: this script, run once offline
(`python3 mwu_reference.py > mwu_reference.json`), with the Python standard library only, as an
implementation independent of ttbench's (SciPy was not available where the harness was written):

- "exact": the permutation distribution enumerated directly. Every way of choosing which m of the
  m + n pooled values form the first sample is listed (itertools.combinations), U is computed for
  each from mid-ranks, and p is the fraction of splits at least as far from m*n/2 as the observed U.
  This is the definition of the exact test, with no recurrence or symmetry argument shared with the
  C++ (which counts U with a dynamic program). It is also computed for samples with ties (then it is
  the exact conditional test, which ttbench does not use: with ties it uses the normal approximation,
  and the test checks the two agree roughly).
- "normal": the normal approximation with tie correction of the variance and continuity correction,
  as in SciPy's mannwhitneyu(method="asymptotic", use_continuity=True):
  z = (|U - mn/2| - 0.5) / sqrt(mn/12 * ((N + 1) - sum(t^3 - t) / (N (N - 1)))), p = erfc(z / sqrt 2).
  Computed for every case where ttbench uses it (ties, or a sample above 50 values).

Samples are drawn from a seeded random.Random, so rerunning the script reproduces the file.
"""
import itertools
import json
import math
import random


def midranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j < len(order) and values[order[j]] == values[order[i]]:
            j += 1
        for k in range(i, j):
            ranks[order[k]] = (i + j + 1) / 2  # mean of ranks i+1 .. j
        i = j
    return ranks


def u_statistic(x, y):
    ranks = midranks(x + y)
    return sum(ranks[: len(x)]) - len(x) * (len(x) + 1) / 2


def exact_p(x, y):
    pooled = x + y
    ranks = midranks(pooled)
    m, n = len(x), len(y)
    center = m * n / 2
    observed = abs(sum(ranks[:m]) - m * (m + 1) / 2 - center)
    extreme = total = 0
    for chosen in itertools.combinations(range(m + n), m):
        u = sum(ranks[i] for i in chosen) - m * (m + 1) / 2
        total += 1
        if abs(u - center) >= observed - 1e-9:
            extreme += 1
    return extreme / total


def normal_p(x, y):
    m, n = len(x), len(y)
    total = m + n
    u = u_statistic(x, y)
    pooled = sorted(x + y)
    tie_term = 0
    i = 0
    while i < total:
        j = i
        while j < total and pooled[j] == pooled[i]:
            j += 1
        t = j - i
        tie_term += t ** 3 - t
        i = j
    variance = m * n / 12 * ((total + 1) - tie_term / (total * (total - 1)))
    z = (abs(u - m * n / 2) - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))


def main():
    rng = random.Random(20240611)
    cases = []
    # No ties, small samples: ttbench uses the exact distribution.
    for m, n, shift in [(1, 1, 0), (2, 3, 1), (3, 3, 0.5), (3, 3, 3), (4, 4, 2), (5, 5, 0), (5, 5, 1.5),
                        (4, 7, 1), (6, 6, 0.8), (7, 5, -1), (8, 8, 1), (10, 10, 0.7), (10, 10, 0), (9, 11, -0.9)]:
        x = [rng.gauss(0, 1) for _ in range(m)]
        y = [rng.gauss(shift, 1) for _ in range(n)]
        cases.append({"x": x, "y": y, "method": "exact", "u": u_statistic(x, y), "p": exact_p(x, y)})
    # Ties (values rounded): normal approximation, with the exact conditional p for comparison.
    for m, n, shift in [(5, 5, 1), (6, 6, 0), (8, 7, 1), (10, 10, 0.5)]:
        x = [round(rng.gauss(0, 1), 0) for _ in range(m)]
        y = [round(rng.gauss(shift, 1), 0) for _ in range(n)]
        cases.append({"x": x, "y": y, "method": "normal", "u": u_statistic(x, y), "p": normal_p(x, y),
                      "exact_conditional_p": exact_p(x, y)})
    # Large samples without ties: normal approximation.
    for m, n, shift in [(60, 60, 0.3), (55, 70, 0)]:
        x = [rng.gauss(0, 1) for _ in range(m)]
        y = [rng.gauss(shift, 1) for _ in range(n)]
        cases.append({"x": x, "y": y, "method": "normal", "u": u_statistic(x, y), "p": normal_p(x, y)})
    print(json.dumps({"generator": "tools/ttbench/tests/mwu_reference.py (see its docstring)", "cases": cases},
                     indent=1))


if __name__ == "__main__":
    main()
