"""Peak memory of one run against its bids and contracts, as the market grows by budget.

Usage: ``python benchmarks/memory.py [--growth 0.03,0.2,0.3,0.4] [--years 20]``. Each
``budget_growth`` runs ``baseline`` once in a fresh process and prints the largest
year's open tender round (NGOs × open tenders: the cells a dense array of the round
would hold), the largest year's bids, the contracts in force at the end, the peak
resident memory above the interpreter's own (after imports), the memory
:mod:`simcontract.marketsize` projects before the run (the size guard), and the log-log
slope of the measured memory against bids plus contracts (1.0 = linear).
``--growth 0.5`` runs too, in under a minute (20 years of 50% growth reach about 60,000
NGOs and 20,000 tenders a year).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np

from simcontract import load_scenario
from simcontract.marketsize import projected_size

CHILD = """
import json, sys
sys.path.insert(0, {here!r})
from _common import peak_mib, timed
from simcontract import ContractingModel, load_scenario
from simcontract.phases import tendering

floor = peak_mib()
cells = [0]
choices = tendering.Interest.choices

def counted(self, rng, propensity):
    cells[0] = max(cells[0], len(self.budget) * len(self.slot_district))
    return choices(self, rng, propensity)

tendering.Interest.choices = counted
scenario = load_scenario("baseline").replace(budget_growth={growth}, years={years})
model = ContractingModel(scenario, rng=1)
seconds = timed(model.run)
bids = max(r.bids for r in model.records)
contracts = len(model.contract_table())
print(json.dumps({{"seconds": seconds, "mib": peak_mib() - floor, "bids": bids,
                  "contracts": contracts, "cells": cells[0], "ngos": len(model.ngos)}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--growth", default="0.03,0.2,0.3,0.4")
    parser.add_argument("--years", type=int, default=20)
    args = parser.parse_args()
    here = str(__import__("pathlib").Path(__file__).resolve().parent)
    rows = []
    print(
        f"{'growth':>6} {'NGOs':>7} {'NGO x tender':>13} {'bids/yr':>8} {'contracts':>9} "
        f"{'s/run':>7} {'MiB':>7} {'projected':>9}"
    )
    for growth in (float(g) for g in args.growth.split(",")):
        code = CHILD.format(here=here, growth=growth, years=args.years)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"budget_growth={growth}: {out.stderr.strip().splitlines()[-1]}")
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        scenario = load_scenario("baseline").replace(budget_growth=growth, years=args.years)
        projected = projected_size(scenario).memory / 2**20
        print(
            f"{growth:>6g} {row['ngos']:>7} {row['cells']:>13,} {row['bids']:>8} "
            f"{row['contracts']:>9} {row['seconds']:>7.1f} {row['mib']:>7.0f} {projected:>9.0f}"
        )
    usable = [r for r in rows if r["mib"] > 0 and r["bids"] + r["contracts"] > 0]
    if len(usable) > 1:
        x = np.log([r["bids"] + r["contracts"] for r in usable])
        y = np.log([r["mib"] for r in usable])
        slope = float(np.polyfit(x, y, 1)[0])
        print(f"log-log slope of peak memory against bids + contracts: {slope:.3f} (linear: 1)")


if __name__ == "__main__":
    main()
