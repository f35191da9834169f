"""concbench's scripts: loading results, statistics, the regression gate,
charts, summaries and exports. The command-line entry points are the thin
scripts one directory up (plot.py, compare.py, regress.py, ...)."""
