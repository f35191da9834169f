"""How an answer names a winner: alone where its interval separates it from
the rest, otherwise with the variants it ties with (stats.ranked), and
without any claim when there is no interval (a single repetition)."""

from concbench import figures

TIED_NAMED = 4  # tied variants named before "and N more"


def tie_text(winners, best):
    """' (tie with Y, Z: intervals overlap)', ' (no interval: ...)' or ''
    for the winners of stats.ranked, best first; `best` is the first's
    Estimate."""
    tied = winners[1:]
    if not tied:
        return ""
    if not figures.has_interval(best):
        return " (no interval: too few repetitions to tell it from the rest)"
    named = ", ".join(tied[:TIED_NAMED])
    more = f" and {len(tied) - TIED_NAMED} more" if len(tied) > TIED_NAMED else ""
    return f" (tie with {named}{more}: intervals overlap)"
