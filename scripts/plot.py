#!/usr/bin/python3
"""Redraws the charts and summary.md of a saved concbench run (see concbench/plot.py)."""
from concbench import cli, plot

cli.main_guard(plot.main)
