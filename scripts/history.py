#!/usr/bin/python3
"""Keeps the medians of every run, so a slow drift over many commits shows (see concbench/history.py)."""
from concbench import cli, history

cli.main_guard(history.main)
