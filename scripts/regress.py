#!/usr/bin/python3
"""The regression gate: did the working tree make any benchmark slower? (see concbench/regress.py)."""
from concbench import cli, regress

cli.main_guard(regress.main)
