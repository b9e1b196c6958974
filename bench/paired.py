"""Paired ratios and their noise, for the timed rows of scripts/bench.

Each repetition runs every allocator's build of a workload back to back, so the two runs of one
repetition share whatever the machine was doing then; their ratio cancels much of it. A row's
repetitions give n such ratios, and the interval below says how far their median can be trusted
on this machine, from the runs themselves: a distribution-free confidence interval for the median
(order statistics, assuming only that repetitions are independent), so no noise figure is
guessed.

Ratios here are advantages over dlmalloc: above 1 is better whichever way the metric points
(value / dlmalloc's for higher-is-better rows, dlmalloc's / value for times)."""

import math
import statistics

# The least coverage an interval is chosen for; with fewer repetitions than that allows (n < 5
# gives at most 1 - 2 / 2^n), the widest interval, min..max, is used and its coverage reported.
COVERAGE = 0.90
TOO_FEW = "too few repetitions"
# A target's "met" when its interval straddles the goal: the run cannot tell.
NOT_SHOWN = "not shown"


def advantages(base, values, higher):
    """Per-repetition advantages of `values` over `base`. Both lists are in repetition order and
    each is a prefix of the repetitions (bench.py and threads_bench.py stop running an allocator
    after a failed run), so index i pairs repetition i. A zero throughput counts (advantage 0);
    a pair whose ratio is undefined (a zero time, or dlmalloc's throughput zero) is left out."""
    if higher:
        return [v / b for b, v in zip(base, values) if b > 0]
    return [b / v for b, v in zip(base, values) if v > 0]


def _below(k, n):
    """P(X < k) for X ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(k)) / 2 ** n


def median_interval(ratios):
    """(low, high, coverage): the order statistics r_(k) and r_(n+1-k) of the sorted ratios,
    with the largest k whose coverage 1 - 2 P(X < k) is at least COVERAGE (X ~ Bin(n, 1/2): the
    count of ratios below the true median). None for no ratios."""
    if not ratios:
        return None
    ordered = sorted(ratios)
    n = len(ordered)
    k = 1
    while k + 1 <= (n + 1) // 2 and 1 - 2 * _below(k + 1, n) >= COVERAGE:
        k += 1
    return ordered[k - 1], ordered[n - k], 1 - 2 * _below(k, n)


def verdict(interval):
    """'better' or 'worse' than dlmalloc when the whole interval lies on that side of 1,
    'within noise' when it contains 1; TOO_FEW when no interval reaches COVERAGE (fewer than
    five repetitions)."""
    low, high, coverage = interval
    if coverage < COVERAGE:
        return TOO_FEW
    if low > 1:
        return "better"
    if high < 1:
        return "worse"
    return "within noise"


def summary(base, values, higher):
    """What the reports print for one row and allocator: the median advantage, its interval and
    coverage, how many repetitions were better and worse than dlmalloc, and the verdict."""
    ratios = advantages(base, values, higher)
    interval = median_interval(ratios)
    if interval is None:
        return None
    low, high, coverage = interval
    return {"median": round(statistics.median(ratios), 4), "low": round(low, 4),
            "high": round(high, 4), "coverage": round(coverage, 4),
            "better": sum(r > 1 for r in ratios), "worse": sum(r < 1 for r in ratios),
            "verdict": verdict(interval)}
