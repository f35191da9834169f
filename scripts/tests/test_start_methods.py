"""The summary sets a row started another way than fork (start:forkserver)
beside its fork twin and its floor, from the names and floors alone."""

import json
import os
import tempfile
import unittest

from concbench import answers, results


def entry(name, seconds, family, rep):
    return {"name": name, "run_name": name, "run_type": "iteration", "family_index": family,
            "repetitions": 3, "repetition_index": rep, "iterations": 1,
            "real_time": seconds * 1e9, "cpu_time": seconds * 1e9, "time_unit": "ns"}


class StartMethodAnswerTest(unittest.TestCase):
    def run_of(self, rows):
        floor = "limits/fork_exit_wait"
        metric = {"name": "real_time", "unit": "s", "better": "lower", "kind": "latency"}
        described = [{"name": n, "metric": metric, "floor": floor if n != floor else None}
                     for n, _ in rows]
        doc = {"context": {"concbench": {"schema": 2, "benchmarks": described}},
               "benchmarks": [entry(n, s, f, i) for f, (n, s) in enumerate(rows)
                              for i in range(3)]}
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "run.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(doc, f)
            return results.load_run(path)

    def test_forkserver_meets_fork_and_floor(self):
        run = self.run_of([("limits/fork_exit_wait", 2e-4),
                           ("spawn/process_start_join", 1e-3),
                           ("spawn/process_start_join/start:forkserver", 3e-4)])
        lines = answers.start_method_answers(run, list(run.benches.values()))
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("process_start_join/start:forkserver: 300 us [300, 300 us] against fork "
                      "1 ms [1, 1 ms] (0.3x [0.3, 0.3] the fork cost)", lines[0])
        self.assertIn("; 1.5x [1.5, 1.5]", lines[0])
        self.assertIn("its floor limits/fork_exit_wait", lines[0])

    def test_no_twin_no_line(self):
        run = self.run_of([("spawn/process_start_join/start:forkserver", 3e-4),
                           ("spawn/thread_start_join", 3e-5)])
        self.assertEqual(answers.start_method_answers(run, list(run.benches.values())), [])


if __name__ == "__main__":
    unittest.main()
