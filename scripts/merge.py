#!/usr/bin/python3
"""Adds one Google Benchmark JSON file's benchmarks to a concbench run (see concbench/merge.py)."""
from concbench import cli, merge

cli.main_guard(merge.main)
