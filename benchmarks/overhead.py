"""Cost of one model year against Mesa's bare activation of as many trivial agents.

Usage: ``python benchmarks/overhead.py [--scenario baseline] [--years 20]``. Prints the
mean time of one model year, the mean time of ``AgentSet.shuffle_do("step")`` over the
same number of agents whose ``step`` does nothing, and their ratio.
"""

from __future__ import annotations

import argparse
import time

import mesa

from simcontract import ContractingModel, load_scenario


class Idle(mesa.Agent):
    """An agent that does nothing."""

    def step(self) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--years", type=int, default=20)
    args = parser.parse_args()
    scenario = load_scenario(args.scenario).replace(years=args.years)
    model = ContractingModel(scenario, rng=1)
    start = time.perf_counter()
    model.run()
    year = (time.perf_counter() - start) / args.years
    n = len(model.agents)
    bare = mesa.Model(rng=1)
    for _ in range(n):
        Idle(bare)
    rounds = max(100, int(1.0 / max(year, 1e-6)))
    start = time.perf_counter()
    for _ in range(rounds):
        bare.agents.shuffle_do("step")
    activation = (time.perf_counter() - start) / rounds
    print(f"scenario {args.scenario}: {n} agents at the end of {args.years} years")
    print(f"one model year:                 {year * 1e3:9.3f} ms")
    print(f"bare shuffle_do over {n:6d} agents: {activation * 1e3:9.3f} ms")
    print(f"ratio:                          {year / activation:9.1f}x (target <= 10x)")


if __name__ == "__main__":
    main()
