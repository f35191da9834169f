#!/usr/bin/python3
"""Writes the self-contained HTML report of a concbench run (see concbench/report.py)."""
from concbench import cli, report

cli.main_guard(report.main)
