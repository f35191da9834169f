#!/usr/bin/python3
"""Sends random signals and kills to running suites and reports hangs, leaks
and lost results (see concbench/chaos.py)."""
from concbench import cli, chaos

cli.main_guard(chaos.main)
