"""Cost of one model year against Mesa's bare activation of as many trivial agents.

Usage: ``python benchmarks/overhead.py [--scenario baseline] [--cities 1] [--years 20]
[--rounds 5]``. Runs the scenario (with ``--cities`` copies of its city) ``--rounds``
times. After every model year it times ``AgentSet.shuffle_do("step")`` over as many
agents as the model has, whose ``step`` does nothing, so both are measured side by side
and a machine that speeds up or slows down affects both alike. Prints the mean time of
one model year, of one bare activation, and their ratio (median over rounds).
"""

from __future__ import annotations

import argparse
import statistics
import time

import mesa

from simcontract import ContractingModel, load_scenario


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--cities", type=int, default=1)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    scenario = scenario.replace(years=args.years, n_cities=scenario["n_cities"] * args.cities)
    rounds = [one_round(scenario, seed) for seed in range(args.rounds)]
    year = statistics.median(m for m, _, _ in rounds) / args.years
    activation = statistics.median(b for _, b, _ in rounds) / args.years
    ratio = statistics.median(m / b for m, b, _ in rounds)
    n = rounds[0][2]
    print(f"scenario {args.scenario} x{args.cities}: {n} agents at the end of {args.years} years")
    print(f"one model year:                  {year * 1e3:9.3f} ms")
    print(f"bare shuffle_do over as many agents: {activation * 1e3:9.3f} ms")
    print(f"ratio:                           {ratio:9.1f}x (target <= 10x)")


if __name__ == "__main__":
    main()
