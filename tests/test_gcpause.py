"""The cyclic garbage collector is paused while a model runs, and only then."""

from __future__ import annotations

import gc
import threading
import weakref
from unittest import mock

from simcontract import ContractingModel, gcpause
from simcontract.experiment import batches, run_split
from simcontract.scenario import Scenario

TINY = Scenario({"years": 6, "initial_ngos": 30, "n_bureaux": 6, "n_mass_orgs": 2}, name="tiny")


def test_a_run_makes_no_cyclic_garbage() -> None:
    # Why the pause is safe: nothing is left for the collector once the run ends.
    # Earlier tests' garbage can free more as it goes (weak references' callbacks,
    # finalizers): collect until nothing is left, so only the run is counted.
    for _ in range(10):
        if gc.collect() == 0:
            break
    model = ContractingModel(TINY.replace(n_cities=2), rng=3).run()
    assert gc.collect() == 0
    assert model.year == 6


def test_the_collector_is_off_during_a_run_and_as_it_was_after() -> None:
    seen = []

    class Watched(ContractingModel):
        def step(self) -> None:
            seen.append(gc.isenabled())
            super().step()

    assert gc.isenabled()
    Watched(TINY, rng=1).run()
    assert seen == [False] * 6
    assert gc.isenabled()
    gc.disable()
    try:
        Watched(TINY, rng=1).run()
        assert not gc.isenabled()  # a caller's own choice is kept
    finally:
        gc.enable()


def test_runs_in_several_threads_share_one_pause() -> None:
    first_in, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gcpause.paused():
            first_in.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    first_in.wait(10)
    with gcpause.paused():
        assert not gc.isenabled()
    assert not gc.isenabled()  # the other thread's run still goes on
    release.set()
    holder.join(10)
    assert gc.isenabled()


def test_the_pause_changes_no_result() -> None:
    scenario = TINY.replace(n_cities=3)
    gc.disable()
    try:
        alone = ContractingModel(scenario, rng=5)
        while alone.running:
            alone.step()
    finally:
        gc.enable()
    stepped = ContractingModel(scenario, rng=5)
    while stepped.running:
        stepped.step()
    assert alone.summary() == stepped.summary() == ContractingModel(scenario, rng=5).run().summary()
    assert run_split(scenario, 5, workers=1).summary() == alone.summary()


def test_a_dropped_run_is_freed_inside_a_pause() -> None:
    with gcpause.paused():
        model = ContractingModel(TINY, rng=2).run()
        model.release()
        alive = weakref.ref(model)
        del model
        assert alive() is not None  # agents and model point at each other: a cycle
        gcpause.free_run()
        assert alive() is None
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_batch_of_runs_leaves_no_model_behind() -> None:
    made = []

    class Counted(ContractingModel):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            made.append(weakref.ref(self))

    tasks = [(0, rep, rep + 1, TINY) for rep in range(3)]
    with mock.patch.object(batches, "ContractingModel", Counted):
        runs, _ = batches.run_tasks(tasks, series=False)
    assert runs.num_rows == 3
    assert len(made) == 3 and all(ref() is None for ref in made)
    assert gc.isenabled()
