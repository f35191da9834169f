"""What the scripts share (concbench/cli.py) holds nothing that no script
uses, and the gate's summary mean is scipy.stats.gmean (issue 10, item 9:
use the libraries)."""

import ast
import math
import os
import re
import unittest
from unittest import mock

from tests import helpers
from concbench import cli, gate

PACKAGE = os.path.join(helpers.SCRIPTS, "concbench")


def _sources_but(path):
    out = []
    for root, _, files in os.walk(helpers.SCRIPTS):
        out += [os.path.join(root, f) for f in files
                if f.endswith(".py") and os.path.join(root, f) != path
                and "tests" not in os.path.relpath(root, helpers.SCRIPTS).split(os.sep)]
    text = []
    for f in out:
        with open(f, encoding="utf-8") as fh:
            text.append(fh.read())
    return "\n".join(text)


class SharedCodeTest(unittest.TestCase):
    def test_every_function_and_constant_of_cli_is_used_by_a_script(self):
        path = os.path.join(PACKAGE, "cli.py")
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        names = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        names += [t.id for n in tree.body if isinstance(n, ast.Assign)
                  for t in n.targets if isinstance(t, ast.Name)]
        used_inside = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        others = _sources_but(path)
        unused = [n for n in names
                  if not re.search(rf"\bcli\.{n}\b", others) and n not in used_inside]
        self.assertEqual(unused, [], "dead code in cli.py")

    def test_the_geometric_mean_is_scipys(self):
        self.assertAlmostEqual(gate.geomean([1.0, 4.0, 0.0, math.nan, -2.0]), 2.0)
        self.assertTrue(math.isnan(gate.geomean([])))
        scipy_stats = cli.require("scipy.stats")
        with mock.patch.object(scipy_stats, "gmean", return_value=7.0) as gmean:
            self.assertEqual(gate.geomean([1.0, 2.0]), 7.0)
        gmean.assert_called_once()


if __name__ == "__main__":
    unittest.main()
