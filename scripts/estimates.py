#!/usr/bin/python3
"""Writes every figure and ratio of a run with its interval (see concbench/estimates.py)."""
from concbench import cli, estimates

cli.main_guard(estimates.main)
