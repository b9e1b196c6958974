"""bench.py's memory breakdown (bench/growth_breakdown.cpp's line): parsed, checked to add up to
the memory at exit, and tabulated (ctest bench/memory_breakdown, host preset)."""

import unittest

import bench

# sqlite_memory's breakdown from the full run at 27456dc (unreadable_mini_pages came later).
LINE = ('GROWTH_BREAKDOWN {"growths": 153, "below_heap": 1119904, "start_alignment": 59744, '
        '"heap": 18284544, "grown": 262144, "live_segments": 17531184, "large_blocks": 49152, '
        '"free_segments": 112272, "mini_page_ends": 98368, "free_spans": 223232, '
        '"free_span_count": 36, "spare_spans": 0, "metadata": 270336, '
        '"unreadable_mini_pages": 0, "memory_at_exit": 19726336, '
        '"top_classes": [[1088, 10140], [4352, 1490], [8704, 1]]}')


class Breakdown(unittest.TestCase):
    def setUp(self):
        self.breakdown = bench.parse_breakdown("RESULT 1576\n" + LINE + "\n")

    def test_the_line_is_found_among_the_output(self):
        self.assertEqual(self.breakdown["memory_at_exit"], 19726336)
        self.assertEqual(self.breakdown["top_classes"][0], [1088, 10140])
        self.assertIsNone(bench.parse_breakdown("RESULT 1576\nCHECK 1\n"))

    def test_a_complete_breakdown_adds_up(self):
        self.assertIsNone(bench.breakdown_problem(self.breakdown))

    def test_a_part_the_walk_missed_is_reported(self):
        self.breakdown["free_spans"] -= 2048
        self.assertIn("parts add up to", bench.breakdown_problem(self.breakdown))

    def test_a_mini_page_the_walk_could_not_read_is_reported(self):
        self.breakdown["unreadable_mini_pages"] = 1
        self.assertIn("could not read", bench.breakdown_problem(self.breakdown))

    def test_a_garbled_line_is_no_breakdown(self):
        self.assertIsNone(bench.parse_breakdown('GROWTH_BREAKDOWN {"growths": 1,}\n'))

    def test_memory_the_breakdown_does_not_place_is_reported(self):
        self.breakdown["memory_at_exit"] += 65536
        self.assertIn("memory at exit", bench.breakdown_problem(self.breakdown))

    def test_the_table_row_gives_kib_and_the_rows_ratio(self):
        self.breakdown.update(row_alligator=19726336, row_dlmalloc=18219008)
        lines = bench.breakdown_lines({"sqlite_memory": self.breakdown})
        row = lines[-1]
        self.assertTrue(row.startswith("| sqlite_memory | 19,264 | 1.083 | 1,094 | 58 | 17,120 |"),
                        row)
        self.assertIn("| 36 | 153 | 1088 x 10140, 4352 x 1490, 8704 x 1 |", row)


if __name__ == "__main__":
    unittest.main()
