"""Entrants seen as more reputable: why fewer of the run's entrants are left at its end.

Raising ``newcomer_reputation`` lowers ``entrant_survival``. The chain, on paired seeds
(both arms run the same seeds; 95% CI of the paired difference, high minus low):

1. entrants win more: the share of them that ever held a contract rises;
2. a winner no longer counts as a newcomer, so the newcomer share of bids, the signal
   of how open the market is that entry follows (ODD 7.2), falls;
3. fewer NGOs register, above all in the second half of the run;
4. ``entrant_survival`` is the share of all the run's entrants still active at its end,
   and early entrants have had longer to fail: with fewer young entrants it falls,
   though an entrant's yearly chance of exit does not rise.

With entry's openness factor held at 1 (``entry_openness_floor = 1``) the chain breaks
at step 3: entrants still win more, but registrations and ``entrant_survival`` stay put.
``entrant_survival_3y`` judges every entrant at the same age, so the chain leaves it
alone.

"No change" is judged against the change with entry open (over ``SEEDS``): the whole CI
lies within a set share of that change (half for ``entrant_survival``, a quarter for
registrations), and the exit rate rises by less than would, over the years an entrant is
active, account for half the fall of ``entrant_survival``. The fall is small (about
-0.04, with a paired SD of 0.065 per seed) and with entry blind ``entrant_survival``
still falls a little (about -0.007, 2,000 seeds): hence many seeds, more for the blind
arms, so that every bound holds with 2.5 SE to spare on other seeds too.
"""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from simcontract import ContractingModel
from simcontract.experiment.stats import Interval, paired_difference

SEEDS = range(200)
"""Seeds of the chain with entry open."""
BLIND_SEEDS = range(400)
"""Seeds with entry blind to newcomers, where ``entrant_survival`` must stay within half
its fall with entry open."""
LOW, HIGH = 0.5, 0.8  # the default reputation of an entrant, and a better one
SURVIVAL_SHARE = 0.5
"""Largest change in ``entrant_survival`` taken as none, as a share of its change with
entry open; the exit rate's is the rise that would account for that much of it."""
ENTRY_SHARE = 0.25
"""Largest change in registrations taken as none, as a share of their change with entry
open."""


class Entrants(NamedTuple):
    """What became of one run's entrants (the NGOs registered during the run)."""

    survival: float  # the outcome, entrant_survival
    survival_3y: float  # the outcome, entrant_survival_3y
    registered: int
    late: int  # registered in the second half of the run
    contracted: float  # share that ever held a contract
    newcomer_bids: float  # share of the run's bids placed by newcomers
    hazard: float  # exits per entrant-year active
    years_active: float  # entrant-years active per entrant


def entrants(reputation: float, seed: int, floor: float | None = None) -> Entrants:
    """Run ``baseline`` with ``newcomer_reputation = reputation`` (and, if given, that
    ``entry_openness_floor``) and sum up its entrants; one run for every way of calling."""
    return _entrants(reputation, seed, floor)


@cache
def _entrants(reputation: float, seed: int, floor: float | None) -> Entrants:
    extra = {} if floor is None else {"entry_openness_floor": floor}
    model = ContractingModel("baseline", rng=seed, newcomer_reputation=reputation, **extra)
    model.run()
    years = model.rules["years"]
    new = [n for n in model.ngos if n.entry_year > 0]
    exits = sum(not n.alive for n in new)
    # An NGO is active in the year it exits: its years run from entry to exit, or the end.
    exposure = sum((years if n.alive else n.exit_year) - n.entry_year + 1 for n in new)
    return Entrants(
        survival=model.summary()["entrant_survival"],
        survival_3y=model.summary()["entrant_survival_3y"],
        registered=len(new),
        late=sum(n.entry_year > years // 2 for n in new),
        contracted=sum(n.track_record > 0 for n in new) / len(new),
        newcomer_bids=sum(r.newcomer_bids for r in model.records)
        / sum(r.bids for r in model.records),
        hazard=exits / exposure,
        years_active=exposure / len(new),
    )


def change(measure: str, floor: float | None = None) -> Interval:
    """Paired difference of ``measure`` (an :class:`Entrants` field), ``HIGH`` minus
    ``LOW``, over ``SEEDS`` (``BLIND_SEEDS`` with a ``floor``)."""
    seeds = SEEDS if floor is None else BLIND_SEEDS
    low = [getattr(entrants(LOW, s, floor), measure) for s in seeds]
    high = [getattr(entrants(HIGH, s, floor), measure) for s in seeds]
    return paired_difference(low, high)


def mean_low(measure: str) -> float:
    """Mean of ``measure`` over ``SEEDS`` in the ``LOW`` arm, entry open."""
    return sum(getattr(entrants(LOW, s), measure) for s in SEEDS) / len(SEEDS)


def assert_no_change(interval: Interval, margin: float) -> None:
    """The whole CI lies within ``margin`` of 0."""
    assert abs(interval.low) < margin and abs(interval.high) < margin, (interval, margin)


def hazard_margin() -> float:
    """The rise in entrants' yearly exit rate that would, over the years an entrant is
    active, lower ``entrant_survival`` by ``SURVIVAL_SHARE`` of its fall (about 0.002;
    the rate is about 0.018)."""
    return SURVIVAL_SHARE * abs(change("survival").mean) / mean_low("years_active")


def test_reputable_entrants_win_more_and_so_fewer_register() -> None:
    contracted, bids = change("contracted"), change("newcomer_bids")
    assert contracted.low > 0, contracted
    assert bids.high < 0, bids
    registered, late = change("registered"), change("late")
    assert registered.high < 0, registered
    assert late.high < 0, late


def test_fewer_young_entrants_not_a_higher_exit_rate_lower_entrant_survival() -> None:
    """``entrant_survival`` falls; the exit rate does not rise by enough to account for
    half the fall (if anything it falls a little)."""
    survival, hazard = change("survival"), change("hazard")
    assert survival.high < 0, survival
    assert hazard.high < hazard_margin(), (hazard, hazard_margin())


def test_with_entry_blind_to_newcomers_survival_does_not_move() -> None:
    """Entrants still win more, but registrations change by less than a quarter of their
    change with entry open, and ``entrant_survival`` by less than half of its."""
    contracted = change("contracted", floor=1.0)
    assert contracted.low > 0, contracted
    registered = change("registered", floor=1.0)
    assert_no_change(registered, ENTRY_SHARE * abs(change("registered").mean))
    survival = change("survival", floor=1.0)
    assert_no_change(survival, SURVIVAL_SHARE * abs(change("survival").mean))


def test_entrants_judged_at_the_same_age_lose_less_survival() -> None:
    """Most of the fall of ``entrant_survival`` is the entrants' ages: judged at the same
    age, the fall is smaller, seed by seed."""
    run_wide = [entrants(HIGH, s).survival - entrants(LOW, s).survival for s in SEEDS]
    same_age = [entrants(HIGH, s).survival_3y - entrants(LOW, s).survival_3y for s in SEEDS]
    assert paired_difference(run_wide, same_age).low > 0


def test_entrant_survival_3y_counts_each_entrant_at_the_end_of_its_third_year() -> None:
    model = ContractingModel("baseline", rng=0, years=9)
    model.run()
    judged = [n for n in model.ngos if 0 < n.entry_year <= 9 - 2]
    alive = [n.alive or n.exit_year > n.entry_year + 2 for n in judged]
    assert 0 < sum(alive) < len(judged)
    assert model.summary()["entrant_survival_3y"] == sum(alive) / len(judged)
    series = model.series()["entrant_survival_3y"]
    assert series.iloc[:2].isna().all() and series.iloc[2:].notna().any()
