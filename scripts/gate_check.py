#!/usr/bin/python3
"""Calibrates the regression gate on this machine's real noise (see concbench/gate_check.py)."""
from concbench import cli, gate_check

cli.main_guard(gate_check.main)
