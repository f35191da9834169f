"""How an answer names a winner: alone, after its claim ("fastest:",
"cheapest:"), only where its interval separates it from every other
(stats.ranked); otherwise "tie:" and the tied variants, each with its
figure; "undecided:" when there is no interval (a single repetition). A
ranked list is cut into such tiers, so it claims no order inside the noise.
Each `fmt(label, estimate)` formats one variant's figure with its interval."""

from concbench import figures, stats

TIED_NAMED = 4  # tied variants shown with their figures; the rest by name only


def _named(labels, estimates, fmt, limit=TIED_NAMED):
    """'A fig, B fig' for the first `limit` labels, then 'and N more: C, D'
    (every tied variant is named; the figures of the rest are in the table)."""
    shown = ", ".join(f"{k} {fmt(k, estimates[k])}" for k in labels[:limit])
    rest = labels[limit:]
    return shown + (f" and {len(rest)} more: {', '.join(rest)}" if rest else "")


def winner_text(estimates, better, fmt, claim=None):
    """'<claim>: X fig' (just 'X fig' without a claim) when X is alone the
    best of {label: Estimate}; 'tie: X fig, Y fig (intervals overlap)' or
    'undecided: X fig, Y fig (no interval: ...)' otherwise; None when there
    is nothing to rank."""
    winners, _ = stats.ranked(estimates, better)
    if not winners:
        return None
    best = winners[0]
    if len(winners) == 1:
        text = f"{best} {fmt(best, estimates[best])}"
        return f"{claim}: {text}" if claim else text
    if not figures.has_interval(estimates[best]):
        return (f"undecided: {_named(winners, estimates, fmt)} "
                "(no interval: too few repetitions to tell them apart)")
    return f"tie: {_named(winners, estimates, fmt)} (intervals overlap)"


def tiers(estimates, better):
    """The labels of {label: Estimate} best first, in tiers: the first tier
    is stats.ranked's winners (the best and every one it ties with), the next
    tier the same among the rest, and so on."""
    rest = dict(estimates)
    out = []
    while rest:
        winners, _ = stats.ranked(rest, better)
        if not winners:
            break
        out.append(winners)
        for k in winners:
            del rest[k]
    return out


def tiered_text(estimates, better, fmt, limit):
    """'A fig; tie: B fig, C fig (intervals overlap); D fig; and N more':
    the first `limit` variants in tiers (see tiers), '; ' between tiers."""
    parts, shown, ranked = [], 0, tiers(estimates, better)
    for tier in ranked:
        if shown >= limit:
            break
        take = tier[:limit - shown]
        if len(tier) == 1:
            parts.append(f"{tier[0]} {fmt(tier[0], estimates[tier[0]])}")
        else:
            cut = f" and {len(tier) - len(take)} more" if len(take) < len(tier) else ""
            reason = ("intervals overlap" if figures.has_interval(estimates[tier[0]])
                      else "no interval")
            parts.append(f"tie: {_named(take, estimates, fmt, len(take))}{cut} ({reason})")
        shown += len(take)
    left = sum(len(t) for t in ranked) - shown
    return "; ".join(parts) + (f"; and {left} more" if left > 0 else "")
