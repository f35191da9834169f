#!/usr/bin/python3
"""Exports a concbench run for continuous-benchmarking services (see concbench/export.py)."""
from concbench import cli, export

cli.main_guard(export.main)
