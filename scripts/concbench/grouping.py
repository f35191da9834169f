"""How reports order and group benchmarks: by variant (in the palette's
order), then modes, then parameters (numbers numerically), and the labels
that leave out what every benchmark of a group shares."""

import math

from concbench import names, palette

# Parameters that say how the work is split, not what the work is.
HOW_PARAMS = names.SPLIT_PARAMS


def _value_key(value):
    n = names.num(value)
    return (0, n, "") if n is not None else (1, math.inf, str(value))


def params_key(params):
    """Sort key of parameters (a dict or pairs), numbers numerically:
    tasks:300 before tasks:1000."""
    items = params.items() if isinstance(params, dict) else params
    return tuple((k, _value_key(v)) for k, v in items)


def sort_key(bench):
    """Variant (palette order), modes, then each parameter's value."""
    return (palette.order(bench.variant), bench.modes, params_key(bench.params))


def ordered(benches):
    return sorted(benches, key=sort_key)


def common_params(benches):
    """Parameters with one value in every benchmark: not worth a label."""
    benches = list(benches)
    if not benches:
        return set()
    first = benches[0].params
    return {k for k, v in first.items() if all(b.params.get(k) == v for b in benches)}


def label(bench, drop=()):
    """The name without the workload and the given parameters."""
    segs = [bench.variant, *bench.modes]
    segs += [f"{k}:{v}" for k, v in bench.params.items() if k not in drop]
    return "/".join(s for s in segs if s) or bench.name


def params_text(params, drop=()):
    """'tasks:100/sleep_ms:1' from a dict or pairs, without `drop`."""
    items = params.items() if isinstance(params, dict) else params
    return "/".join(f"{k}:{v}" for k, v in items if k not in drop)


def group_by(benches, key, order=None):
    """{key(b): [benches in sort order]} in the order keys first appear, or
    in the order of order(first bench of the group) when given."""
    out = {}
    for b in ordered(benches):
        out.setdefault(key(b), []).append(b)
    if order is not None:
        out = dict(sorted(out.items(), key=lambda item: order(item[1][0])))
    return out


def shape(bench):
    """The problem a benchmark solves: its parameters minus HOW_PARAMS."""
    return tuple((k, v) for k, v in bench.params.items() if k not in HOW_PARAMS)


def series_key(bench, drop):
    """What tells one line of a chart from another: variant, modes and the
    parameters not in `drop`."""
    return (bench.variant, bench.modes,
            tuple((k, v) for k, v in bench.params.items() if k not in drop))


def series_label(key, drop=()):
    """The label of a series_key, without the parameters in `drop`."""
    variant, modes, params = key
    return "/".join([variant, *modes] + [f"{k}:{v}" for k, v in params if k not in drop])
