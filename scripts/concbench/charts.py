"""Chart recipes for a concbench run.

Each recipe looks at the names, parameters and counters of one workload's
benchmarks and draws only when its data is there, so a workload added later
is drawn without touching this file: a `serial` variant gives speedup and
scaling charts, an `efficiency` counter an efficiency chart, `ops_per_second`
a throughput-per-primitive chart, a `size` parameter latency/throughput curves,
and anything else a chart of median times.
"""

import math

from concbench import cli, names, units


PLACEMENT_KEYS = ("pin", "placement", "affinity")


def common_params(benches):
    """Parameters with the same value in every benchmark: not worth a label."""
    if not benches:
        return set()
    first = benches[0].params
    return {k for k, v in first.items() if all(b.params.get(k) == v for b in benches)}


def _sort_key(bench):
    return [(names.num(v) if names.num(v) is not None else math.inf, str(v))
            for v in bench.params.values()]


def _spread(values):
    """(median, lower error, upper error) for an error bar from min to max."""
    mid = sorted(values)[len(values) // 2] if values else math.nan
    return mid, mid - min(values), max(values) - mid


def _groups(benches, key):
    out = {}
    for b in sorted(benches, key=_sort_key):
        out.setdefault(key(b), []).append(b)
    return out


def _group_title(key):
    return "/".join(f"{k}:{v}" for k, v in key[1]) or "all"


def _figure(plt, n_panels, width=9.0, height=4.0):
    fig, axes = plt.subplots(n_panels, 1, figsize=(width, height * n_panels), squeeze=False)
    return fig, [row[0] for row in axes]


def speedup(plt, run, workload, benches):
    """Bars of median speedup over serial per variant and worker count."""
    rows = [b for b in benches if b.variant != "serial" and run.speedups(b)]
    if not rows:
        return []
    groups = _groups(rows, lambda b: b.serial_key())
    fig, axes = _figure(plt, len(groups))
    for ax, (key, items) in zip(axes, groups.items()):
        keep = {k for k, _ in key[1]} | {"workers"}
        series = _groups(items, lambda b: b.label(drop=keep))
        workers = sorted({b.params.get("workers", "-") for b in items},
                         key=lambda w: names.num(w) or 0)
        width = 0.8 / len(series)
        for i, (name, bs) in enumerate(series.items()):
            xs, mids, lo, hi = [], [], [], []
            for b in bs:
                med, reps = run.speedups(b)
                x = workers.index(b.params.get("workers", "-")) + (i - (len(series) - 1) / 2) * width
                xs.append(x)
                mids.append(med)
                lo.append(max(med - min(reps), 0))
                hi.append(max(max(reps) - med, 0))
                ax.plot([x] * len(reps), reps, ".", color="black", markersize=3)
            ax.bar(xs, mids, width, yerr=[lo, hi], capsize=3, label=name, alpha=0.8)
        ax.axhline(1.0, color="gray", linestyle="--", linewidth=1, label="serial")
        ax.set_xticks(range(len(workers)), [f"workers:{w}" for w in workers])
        ax.set_ylabel("speedup over serial")
        ax.set_title(_group_title(key), fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    return [("speedup", f"{workload}: speedup over serial (bars: median, whiskers: "
                        "min..max of repetitions, dots: repetitions)", fig)]


def scaling(plt, run, workload, benches):
    """Speedup against worker count, one line per variant, with the ideal line."""
    rows = [b for b in benches if names.num(b.params.get("workers")) and run.speedups(b)]
    if not rows:
        return []
    groups = _groups(rows, lambda b: b.serial_key())
    fig, axes = _figure(plt, len(groups))
    for ax, (key, items) in zip(axes, groups.items()):
        keep = {k for k, _ in key[1]} | {"workers"}
        ws = sorted({names.num(b.params["workers"]) for b in items} | {1.0})
        cores = names.num(run.context.get("logical_cores") or run.context.get("num_cpus"))
        ideal = [min(w, cores) if cores else w for w in ws]
        ax.plot(ws, ideal, "--", color="gray",
                label=f"ideal (min(workers, {cores:g} cores))" if cores else "ideal")
        ax.set_xticks(ws, [f"{w:g}" for w in ws])
        for name, bs in _groups(items, lambda b: b.label(drop=keep)).items():
            bs.sort(key=lambda b: names.num(b.params["workers"]))
            xs = [names.num(b.params["workers"]) for b in bs]
            sp = [run.speedups(b) for b in bs]
            ax.plot(xs, [s[0] for s in sp], "o-", label=name)
            ax.fill_between(xs, [min(s[1]) for s in sp], [max(s[1]) for s in sp], alpha=0.2)
        ax.set_xlabel("workers")
        ax.set_ylabel("speedup over serial")
        ax.set_title(_group_title(key), fontsize=9)
        ax.legend(fontsize=7, ncol=2)
    return [("scaling", f"{workload}: scaling with workers (band: min..max of repetitions)", fig)]


def efficiencies(bench):
    """Per-repetition efficiency: the counter, or ideal_makespan / makespan."""
    if "efficiency" in bench.counters:
        return bench.counters["efficiency"]
    ideal, real = bench.counters.get("ideal_makespan"), bench.counters.get("makespan")
    if ideal and real:
        return [i / r for i, r in zip(ideal, real) if r > 0]
    return []


def efficiency(plt, run, workload, benches):
    rows = [b for b in sorted(benches, key=_sort_key) if efficiencies(b)]
    if not rows:
        return []
    drop = common_params(rows)
    fig, axes = _figure(plt, 1, height=max(2.5, 0.4 * len(rows) + 1.5))
    ax = axes[0]
    for y, b in enumerate(rows):
        med, lo, hi = _spread(efficiencies(b))
        ax.barh(y, med, xerr=[[lo], [hi]], capsize=3, color="tab:blue", alpha=0.8)
        ax.text(med, y, f" {med:.2f}", va="center", fontsize=7)
    ax.axvline(1.0, color="gray", linestyle="--", label="ideal")
    ax.set_yticks(range(len(rows)), [b.label(drop=drop) for b in rows], fontsize=7)
    ax.set_xlabel("efficiency = ideal makespan / measured makespan")
    ax.legend(fontsize=7)
    return [("efficiency", f"{workload}: efficiency against ideal (1.0 = ideal)", fig)]


def throughput_per_primitive(plt, run, workload, benches):
    rows = [b for b in benches if b.counter("ops_per_second")]
    if not rows:
        return []
    groups = _groups(rows, lambda b: (b.modes, tuple(b.params.items())))
    fig, axes = _figure(plt, len(groups))
    for ax, ((modes, params), items) in zip(axes, groups.items()):
        wrong = False
        for x, b in enumerate(items):
            med, lo, hi = _spread(b.counters["ops_per_second"])
            err = b.counter("balance_error") or 0
            bad = err != 0
            wrong |= bad
            ax.bar(x, med, yerr=[[lo], [hi]], capsize=3, alpha=0.8,
                   color="tab:red" if bad else "tab:blue", hatch="//" if bad else None)
            if bad:
                ax.text(x, med / 2, f"balance off\nby {err:g}", ha="center", va="center",
                        fontsize=8, backgroundcolor="white")
        ax.set_xticks(range(len(items)), [b.variant for b in items], rotation=20, fontsize=8)
        ax.set_ylabel("operations per second")
        title = "/".join(list(modes) + [f"{k}:{v}" for k, v in params])
        ax.set_title(title + ("  (red: wrong final balance)" if wrong else ""), fontsize=9)
    return [("throughput", f"{workload}: throughput per primitive (whiskers: min..max)", fig)]


def _placement(bench):
    for key in PLACEMENT_KEYS:
        if key in bench.params:
            return f"{key}:{bench.params[key]}"
    return "any placement"


def by_size(plt, run, workload, benches):
    """Latency (time) or throughput (bytes/s) against message size, log axes."""
    rows = [b for b in benches if names.num(b.params.get("size"))]
    out = []
    for modes, items in _groups(rows, lambda b: b.modes).items():
        is_tp = any("throughput" in m for m in modes)
        places = _groups(items, _placement)
        fig, axes = _figure(plt, len(places))
        drop = {"size", *PLACEMENT_KEYS}
        for ax, (place, bs) in zip(axes, places.items()):
            for name, line in _groups(bs, lambda b: b.label(drop=drop)).items():
                line.sort(key=lambda b: names.num(b.params["size"]))
                xs = [names.num(b.params["size"]) for b in line]
                if is_tp:
                    ys = [b.counter("bytes_per_second") or
                          names.num(b.params["size"]) / (b.median_ns * 1e-9) for b in line]
                else:
                    ys = [b.median_ns / 1e3 for b in line]
                ax.plot(xs, ys, "o-", label=name)
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xlabel("message size (bytes)")
            ax.set_ylabel("bytes per second" if is_tp else "time per round trip (us)")
            ax.set_title(place, fontsize=9)
            ax.legend(fontsize=7)
        what = "throughput" if is_tp else "latency"
        stem = "_".join(modes) if modes else what
        out.append((stem, f"{workload}: {what} vs message size ({'/'.join(modes) or 'all'})", fig))
    return out


def times(plt, run, workload, benches):
    """The fallback: median wall time per benchmark (start-up costs for spawn)."""
    rows = [b for b in sorted(benches, key=_sort_key) if b.times_ns]
    drop = common_params(rows)
    fig, axes = _figure(plt, 1, height=max(2.5, 0.35 * len(rows) + 1.5))
    ax = axes[0]
    for y, b in enumerate(rows):
        t = [x / 1e3 for x in b.times_ns]
        med = b.median_ns / 1e3
        ax.barh(y, med, xerr=[[med - min(t)], [max(t) - med]], capsize=3,
                color="tab:blue", alpha=0.8)
        ax.plot(t, [y] * len(t), ".", color="black", markersize=3)
    ax.set_yticks(range(len(rows)), [b.label(drop=drop) for b in rows], fontsize=7)
    lo, hi = min(min(b.times_ns) for b in rows), max(max(b.times_ns) for b in rows)
    if lo > 0 and hi / lo > 20:
        ax.set_xscale("log")
    ax.set_xlabel("wall time per run (us)")
    return [("times", f"{workload}: median wall time (whiskers: min..max, dots: repetitions)", fig)]


RECIPES = (speedup, scaling, efficiency, throughput_per_primitive, by_size)


def draw_all(run, outdir, formats=("png", "svg")):
    """Draws every applicable chart into outdir; returns the written paths."""
    import os
    plt = cli.pyplot()
    os.makedirs(outdir, exist_ok=True)
    context = units.context_line(run.context)
    written = []
    for workload, benches in run.workloads().items():
        benches = [b for b in benches if b.times_ns]
        if not benches:
            continue
        charts = [c for recipe in RECIPES for c in recipe(plt, run, workload, benches)]
        if not charts:
            charts = times(plt, run, workload, benches)
        for stem, title, fig in charts:
            fig.suptitle(f"{title}\n{context}", fontsize=9)
            fig.tight_layout()
            for fmt in formats:
                path = os.path.join(outdir, f"{workload}_{stem}.{fmt}")
                fig.savefig(path, dpi=100)
                written.append(path)
            plt.close(fig)
    return written
