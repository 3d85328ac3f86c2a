"""Fixed-seed summaries, to compare the model's results before and after a change.

Usage: ``python benchmarks/fixed_seed.py [--seed 42] [--seeds 30] [--save F] [--against F]``.
For every built-in scenario prints the run summary for one seed and the mean over
``--seeds`` seeds (``0 .. seeds-1``). ``--save`` writes both to a JSON file;
``--against`` prints them next to a saved file's, with the difference of the means in
units of their standard error (so a change of random stream shows as noise, a change of
behaviour as large values), and ends with how many values are identical to the last digit
(a change that keeps every draw and every sum keeps them all); outcomes or scenarios new
since the saved file are listed, not compared.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from simcontract import OUTCOMES, ContractingModel
from simcontract.scenario import builtin_names


def summaries(name: str, seed: int, seeds: int) -> dict[str, object]:
    """The summary for ``seed`` and the mean and standard error over ``seeds`` seeds."""
    model = ContractingModel(name, rng=seed).run()
    one = model.summary()
    model.release()
    runs = []
    for s in range(seeds):
        model = ContractingModel(name, rng=s).run()
        runs.append(model.summary())
        model.release()
    mean, se = {}, {}
    for key in OUTCOMES:
        values = np.array([r[key] for r in runs], dtype=float)
        values = values[~np.isnan(values)]
        mean[key] = float(values.mean()) if len(values) else math.nan
        se[key] = float(values.std(ddof=1) / math.sqrt(len(values))) if len(values) > 1 else 0.0
    return {"seed": one, "mean": mean, "se": se}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    args = parser.parse_args()
    old = json.loads(args.against.read_text()) if args.against else None
    out = {}
    same = compared = 0
    new: set[str] = set()
    for name in builtin_names():
        out[name] = summaries(name, args.seed, args.seeds)
        print(f"\n## {name}")
        if old is None:
            print(f"{'outcome':24s} {'seed ' + str(args.seed):>14s} {'mean':>14s} {'se':>10s}")
        else:
            print(
                f"{'outcome':24s} {'seed before':>12s} {'seed after':>12s} "
                f"{'mean before':>12s} {'mean after':>12s} {'diff/se':>8s}"
            )
        for key in OUTCOMES:
            now = out[name]
            if old is None:
                print(
                    f"{key:24s} {now['seed'][key]:14.4g} {now['mean'][key]:14.4g} "
                    f"{now['se'][key]:10.3g}"
                )
                continue
            was = old.get(name)
            if was is None or key not in was["mean"]:
                new.add(f"{name}/{key}" if was is None else key)
                print(f"{key:24s} {'(new)':>12s} {now['seed'][key]:12.4g}")
                continue
            for part in ("seed", "mean"):
                compared += 1
                same += _identical(now[part][key], was[part][key])
            se = math.hypot(now["se"][key], was["se"][key])
            diff = now["mean"][key] - was["mean"][key]
            z = diff / se if se > 0 else (0.0 if diff == 0 else math.inf)
            print(
                f"{key:24s} {was['seed'][key]:12.4g} {now['seed'][key]:12.4g} "
                f"{was['mean'][key]:12.4g} {now['mean'][key]:12.4g} {z:8.2f}"
            )
    if old is not None:
        print(f"\nidentical to the last digit: {same} of {compared} values (seed and mean)")
        if new:
            print(f"not in {args.against} (new since): {', '.join(sorted(new))}")
    if args.save:
        args.save.write_text(json.dumps(out, indent=1))


def _identical(a: float, b: float) -> bool:
    """Equal, or both NaN."""
    return a == b or (math.isnan(a) and math.isnan(b))


if __name__ == "__main__":
    main()
