"""CPython rows (impl:cpython) in the charts of their C++ twins: a CPython
row is drawn in the panel of the C++ problem it pairs with (the same
parameters; for a row that ran `scale` times fewer tasks, the C++ task
count), in its variant's colour and marker, with a half-filled marker and a
thinner line, labelled "(CPython)"."""

from concbench import names

IMPL = "impl"
CPYTHON = "cpython"
LABEL = " (CPython)"


def is_row(bench):
    return bench.params.get(IMPL) == CPYTHON


def _twin_shape(bench, shape):
    """The shape of the C++ problem a CPython row pairs with: its own
    without impl, with tasks times its `scale` counter when it has one."""
    scale = bench.counter("scale")
    out = []
    for k, v in shape(bench):
        if k == IMPL:
            continue
        if k == "tasks" and scale and scale != 1 and names.num(v) is not None:
            v = f"{names.num(v) * scale:g}"
        out.append((k, v))
    return tuple(out)


def panel_shapes(rows, shape):
    """A function giving each row the panel it is drawn in: its shape, or
    for a CPython row, its C++ twin's shape when the run has that problem."""
    cpp = {shape(b) for b in rows if not is_row(b)}
    panel = {}
    for b in rows:
        own = shape(b)
        twin = _twin_shape(b, shape) if is_row(b) else own
        panel[b.name] = twin if twin in cpp else own
    return lambda b: panel.get(b.name, shape(b))


def series_label(key, bench, text):
    """The legend label of a series: without impl:cpython, which becomes
    the suffix " (CPython)"; a scaled row says how many tasks it ran."""
    if not is_row(bench):
        return text
    text = "/".join(seg for seg in text.split("/") if seg != f"{IMPL}:{CPYTHON}")
    return text + LABEL


def panel_title(shape, members, text):
    """The panel's title; where its CPython rows ran fewer tasks, says so."""
    own = {b.params.get("tasks") for b in members if is_row(b)}
    twin = dict(shape).get("tasks")
    ran = sorted(t for t in own if t and t != twin)
    if ran:
        text += f" (CPython: tasks:{','.join(ran)})"
    return text or "all"
