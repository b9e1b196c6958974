"""bench/paired.py: the interval's order statistics and coverage, and the verdicts drawn from it
(ctest bench/paired_noise, host preset)."""

import math
import unittest

import paired


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

    def test_three_repetitions_report_their_low_coverage(self):
        low, high, coverage = paired.median_interval([1.2, 1.1, 1.3])
        self.assertEqual((low, high), (1.1, 1.3))
        self.assertAlmostEqual(coverage, 0.75)
        self.assertEqual(paired.verdict((low, high, coverage)), "too few repetitions")

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


if __name__ == "__main__":
    unittest.main()
