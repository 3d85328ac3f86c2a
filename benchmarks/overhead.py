"""Cost of one model year against Mesa's bare activation of as many trivial agents.

Usage: ``python benchmarks/overhead.py [--scenario baseline --scenario guangzhou_ifsc]
[--cities 1] [--years 20] [--rounds 5]``. Runs each scenario (with ``--cities`` copies
of its city) ``--rounds`` times; by default ``baseline``, whose ratio is the target, and
``guangzhou_ifsc``, a market with about seven times as many agents. After every model
year it times ``AgentSet.shuffle_do("step")`` over as many agents as the model has,
whose ``step`` does nothing, so both are measured side by side and a machine that speeds
up or slows down affects both alike. Prints, per scenario, the mean time of one model year, of one
bare activation, and their ratio (median over rounds).
"""

from __future__ import annotations

import argparse
import statistics
import time

import mesa

from simcontract import ContractingModel, load_scenario

SCENARIOS = ("baseline", "guangzhou_ifsc")
"""Scenarios measured when none is named: the target's and a large market's."""

TARGET = 10.0
"""The ratio aimed at for one ``baseline`` year."""


class Idle(mesa.Agent):
    """An agent that does nothing."""

    def step(self) -> None:
        pass


def bare_activation(n: int, repeats: int = 20) -> float:
    """Mean time of ``shuffle_do("step")`` over ``n`` idle agents, in seconds."""
    bare = mesa.Model(rng=1)
    for _ in range(n):
        Idle(bare)
    start = time.perf_counter()
    for _ in range(repeats):
        bare.agents.shuffle_do("step")
    return (time.perf_counter() - start) / repeats


def one_round(scenario, seed: int) -> tuple[float, float, int]:
    """Total time of the model's years and of as many bare activations, and agents."""
    model = ContractingModel(scenario, rng=seed)
    model_time = bare_time = 0.0
    while model.running:
        start = time.perf_counter()
        model.step()
        model_time += time.perf_counter() - start
        bare_time += bare_activation(len(model.agents))
    n = len(model.agents)
    model.release()
    return model_time, bare_time, n


def measure(name: str, cities: int, years: int, rounds: int) -> None:
    """Run scenario ``name`` ``rounds`` times and print its figures."""
    scenario = load_scenario(name)
    scenario = scenario.replace(years=years, n_cities=scenario["n_cities"] * cities)
    results = [one_round(scenario, seed) for seed in range(rounds)]
    year = statistics.median(m for m, _, _ in results) / years
    activation = statistics.median(b for _, b, _ in results) / years
    ratio = statistics.median(m / b for m, b, _ in results)
    target = f" (target <= {TARGET:g}x)" if name == "baseline" else ""
    print(f"scenario {name} x{cities}: {results[0][2]} agents at the end of {years} years")
    print(f"  one model year:                      {year * 1e3:9.3f} ms")
    print(f"  bare shuffle_do over as many agents: {activation * 1e3:9.3f} ms")
    print(f"  ratio:                               {ratio:9.1f}x{target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        action="append",
        help=f"a scenario to measure (repeatable; default: {', '.join(SCENARIOS)})",
    )
    parser.add_argument("--cities", type=int, default=1)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    for name in args.scenario or SCENARIOS:
        measure(name, args.cities, args.years, args.rounds)


if __name__ == "__main__":
    main()
