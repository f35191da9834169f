#!/usr/bin/python3
"""Compares two concbench runs benchmark by benchmark (see concbench/compare.py)."""
from concbench import cli, compare

cli.main_guard(compare.main)
