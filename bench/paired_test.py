"""bench/paired.py: the interval's order statistics and coverage, and the verdicts drawn from it;
bench.py's never-worse target and threads_bench.py's speedup target built on them (ctest
bench/paired_noise, host preset)."""

import math
import unittest

import bench
import paired
import threads_bench


class MedianInterval(unittest.TestCase):
    def test_seven_repetitions_take_min_and_max(self):
        # k = 2 would cover only 1 - 2 * 8/128 = 87.5%, below 90%: k = 1, 1 - 2/128.
        low, high, coverage = paired.median_interval([1.3, 0.9, 1.1, 1.0, 1.2, 0.8, 1.4])
        self.assertEqual((low, high), (0.8, 1.4))
        self.assertAlmostEqual(coverage, 1 - 2 / 128)

    def test_ten_repetitions_drop_one_from_each_end(self):
        ratios = [float(i) for i in range(10, 0, -1)]
        low, high, coverage = paired.median_interval(ratios)
        self.assertEqual((low, high), (2.0, 9.0))
        self.assertAlmostEqual(coverage, 1 - 2 * 11 / 1024)

    def test_coverage_is_at_least_the_goal_and_k_is_the_largest(self):
        for n in range(5, 40):
            ratios = list(range(n))
            low, high, coverage = paired.median_interval(ratios)
            k = low + 1  # ratios are 0..n-1, so r_(k) = k - 1
            self.assertEqual(high, n - k)
            self.assertGreaterEqual(coverage, paired.COVERAGE)
            wider = 1 - 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n
            self.assertTrue(k + 1 > (n + 1) // 2 or wider < paired.COVERAGE, n)

    def test_known_intervals(self):
        # (n, k, coverage) worked out by hand from the binomial tail P(Bin(n, 1/2) < k).
        for n, k, coverage in [(5, 1, 1 - 2 / 32), (8, 2, 1 - 2 * 9 / 256),
                               (11, 3, 1 - 2 * 67 / 2048), (20, 6, 1 - 2 * 21700 / 1048576)]:
            low, high, got = paired.median_interval(list(range(n)))
            self.assertEqual((low, high), (k - 1, n - k), n)
            self.assertAlmostEqual(got, coverage, msg=str(n))

    def test_three_repetitions_report_their_low_coverage(self):
        low, high, coverage = paired.median_interval([1.2, 1.1, 1.3])
        self.assertEqual((low, high), (1.1, 1.3))
        self.assertAlmostEqual(coverage, 0.75)
        self.assertEqual(paired.verdict((low, high, coverage)), paired.TOO_FEW)

    def test_no_ratios(self):
        self.assertIsNone(paired.median_interval([]))
        self.assertIsNone(paired.summary([], [], True))


class Verdicts(unittest.TestCase):
    def test_times_lower_is_better(self):
        # Alligator slower than dlmalloc in every one of seven repetitions: worse.
        base = [100, 110, 90, 105, 95, 100, 120]
        slower = [b * 1.05 for b in base]
        row = paired.summary(base, slower, higher=False)
        self.assertEqual(row["verdict"], "worse")
        self.assertEqual((row["better"], row["worse"]), (0, 7))
        self.assertAlmostEqual(row["median"], 1 / 1.05, places=4)

    def test_one_faster_repetition_leaves_it_within_noise(self):
        base = [100, 110, 90, 105, 95, 100, 120]
        values = [b * 1.05 for b in base]
        values[2] = 80  # faster once
        row = paired.summary(base, values, higher=False)
        self.assertEqual(row["verdict"], "within noise")
        self.assertEqual((row["better"], row["worse"]), (1, 6))

    def test_throughput_higher_is_better(self):
        base = [10.0] * 7
        row = paired.summary(base, [12.0, 11.0, 13.0, 12.5, 11.5, 12.0, 14.0], higher=True)
        self.assertEqual(row["verdict"], "better")
        self.assertEqual(row["low"], 1.1)

    def test_pairs_only_common_repetitions(self):
        # A run that failed ends its allocator's list: the rest of dlmalloc's are unpaired.
        self.assertEqual(paired.advantages([10, 20, 30], [20], higher=True), [2.0])
        self.assertEqual(paired.advantages([10, 20], [5, 40], higher=False), [2.0, 0.5])

    def test_zero_throughput_counts_as_worse(self):
        self.assertEqual(paired.advantages([10, 0], [0, 5], higher=True), [0.0])
        self.assertEqual(paired.advantages([10, 20], [0, 40], higher=False), [0.5])


def row(verdict, median, better=0, worse=7):
    return {"alligator": {"verdict": verdict, "median": median, "better": better,
                          "worse": worse}}


class NeverWorseTarget(unittest.TestCase):
    def test_a_row_worse_beyond_noise_misses_the_goal(self):
        _, measured, met = bench.never_worse_status(
            {"sqlite": row("better", 1.2, 7, 0), "tree_sitter": row("worse", 0.9)})
        self.assertIs(met, False)
        self.assertIn("worse beyond noise: tree_sitter 0.900 (7 of 7 worse)", measured)

    def test_a_median_below_one_within_noise_is_not_shown(self):
        _, measured, met = bench.never_worse_status(
            {"sqlite": row("within noise", 1.01, 4, 3),
             "tree_sitter": row("within noise", 0.92, 2, 5)})
        self.assertEqual(met, bench.NOT_SHOWN)
        self.assertIn("median below 1 within noise: tree_sitter", measured)
        self.assertNotIn("sqlite", measured)
        # latest.json keeps the string: it must not become true.
        self.assertEqual(bench.target_entry("t", measured, met)["met"], "not shown")

    def test_every_median_at_or_above_one_meets_it(self):
        _, _, met = bench.never_worse_status(
            {"sqlite": row("within noise", 1.0, 3, 3), "small_churn": row("better", 2.0, 7, 0)})
        self.assertIs(met, True)
        self.assertIs(bench.target_entry("t", "m", met)["met"], True)

    def test_rows_without_a_verdict_leave_it_undecided(self):
        _, measured, met = bench.never_worse_status(
            {"sqlite": row(paired.TOO_FEW, 1.1, 3, 0), "tree_sitter": {"alligator": None}})
        self.assertIsNone(met)
        self.assertIn("no verdict: sqlite, tree_sitter", measured)
        self.assertIsNone(bench.target_entry("t", measured, met)["met"])


def thread_samples(one, two):
    return {"threads_1": {"alligator": one}, "threads_2": {"alligator": two}}


class SpeedupTarget(unittest.TestCase):
    """threads_speedup_2 >= 1.7, judged on each repetition's two-thread / one-thread figures."""

    def test_every_repetition_at_or_above_the_goal_meets_it(self):
        target, measured, met = threads_bench.speedup_target(
            thread_samples([10] * 7, [17, 18, 19, 20, 21, 22, 23]))
        self.assertIs(met, True)
        self.assertIn(">= 1.7", target)
        self.assertEqual(measured, "7 pairs: median 2.00, interval 1.70 to 2.30 (98.4%)")

    def test_one_repetition_above_the_goal_is_not_shown(self):
        # Median 1.5, below the goal, but the interval (min..max for seven) reaches 1.8.
        _, _, met = threads_bench.speedup_target(
            thread_samples([10] * 7, [12, 13, 14, 15, 16, 16, 18]))
        self.assertEqual(met, paired.NOT_SHOWN)
        self.assertEqual(bench.target_entry("t", "m", met)["met"], "not shown")

    def test_every_repetition_below_the_goal_misses_it(self):
        _, _, met = threads_bench.speedup_target(
            thread_samples([10] * 7, [12, 13, 14, 15, 16, 16, 16.9]))
        self.assertIs(met, False)

    def test_pairs_runs_of_the_same_repetition(self):
        # The first repetition's one-thread run was slow: only pairing shows 2.0 everywhere.
        one = [5, 10, 10, 10, 10, 10, 10]
        _, measured, met = threads_bench.speedup_target(thread_samples(one, [10] + [20] * 6))
        self.assertIs(met, True)
        self.assertIn("interval 2.00 to 2.00", measured)

    def test_reports_what_the_machine_allowed_beside_it(self):
        samples = thread_samples([10] * 7, [17, 18, 19, 20, 21, 22, 23])
        samples["threads_1"]["bump"] = [10] * 7
        samples["threads_2"]["bump"] = [15, 16, 17, 18, 19, 20, 21]
        _, measured, met = threads_bench.speedup_target(samples)
        self.assertIs(met, True)  # judged on Alligator's figures alone
        self.assertEqual(measured, "7 pairs: median 2.00, interval 1.70 to 2.30 (98.4%); "
                                   "no allocator: median 1.80, interval 1.50 to 2.10")

    def test_extra_pairs_join_the_repetitions(self):
        # Seven repetitions straddle the goal (1.2 to 2.3); 33 extra pairs at 1.8 to 2.0 put the
        # order statistics of the 40 pairs' median above it.
        samples = thread_samples([10] * 7, [12, 13, 18, 20, 21, 22, 23])
        samples["speedup_extra_1"] = {"alligator": [10] * 33}
        samples["speedup_extra_2"] = {"alligator": [18 + (i % 3) for i in range(33)]}
        _, _, met_alone = threads_bench.speedup_target(thread_samples(
            samples["threads_1"]["alligator"], samples["threads_2"]["alligator"]))
        self.assertEqual(met_alone, paired.NOT_SHOWN)
        _, measured, met = threads_bench.speedup_target(samples)
        self.assertIs(met, True)
        self.assertEqual(measured, "40 pairs: median 1.90, interval 1.90 to 2.00 (91.9%)")
        self.assertEqual(threads_bench.speedup_pairs(samples, "bump"), [])

    def test_the_row_is_the_median_of_each_allocators_pairs(self):
        # dlmalloc's medians would give 20 / 10 = 2.0; its pairs (runs seconds apart) say 1.5.
        samples = {"threads_1": {"dlmalloc": [10, 10, 20], "alligator": [10] * 3},
                   "threads_2": {"dlmalloc": [15, 15, 30], "alligator": [17, 18, 30]},
                   "speedup_extra_1": {"alligator": [10] * 2},
                   "speedup_extra_2": {"alligator": [19, 20]}}
        row = threads_bench.speedup_row(samples)
        self.assertEqual(row["dlmalloc"], 1.5)
        self.assertEqual(row["alligator"], 1.9)  # 1.7, 1.8, 3.0, 1.9, 2.0: extra pairs count
        self.assertIsNone(row["emmalloc"])

    def test_too_few_repetitions_leave_it_undecided(self):
        _, _, met = threads_bench.speedup_target(thread_samples([10] * 3, [20] * 3))
        self.assertIsNone(met)
        _, measured, met = threads_bench.speedup_target({})
        self.assertEqual((measured, met), ("n/a", None))


if __name__ == "__main__":
    unittest.main()
