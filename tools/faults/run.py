#!/usr/bin/env python3
"""repstore's fault-injection suite: seeded trials per fault family, each in its own folder; prints the figures.

  python3 tools/faults/run.py --repstore .build/release/repstore --trials-scale full --seed 1
  python3 tools/faults/run.py --repstore BIN --family kills --seed 1 --trial 7      # one trial again

Every trial ends caught, harmless, lost or crash (see RELIABILITY.md). The run fails (exit 1) when any trial is lost or
crashed, and lists each with the command that repeats it.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import catalog_flips  # noqa: E402
import full_disk  # noqa: E402
import kills  # noqa: E402
import races  # noqa: E402
import read_only  # noqa: E402
import segment_flips  # noqa: E402
import harness  # noqa: E402
from harness import CRASH, LOST, OUTCOMES, SKIPPED, Context, Finding, Repstore, Trial  # noqa: E402

FAMILIES = {m.NAME: m for m in (segment_flips, catalog_flips, kills, races, read_only, full_disk)}


def parse():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repstore", required=True, help="the binary under test")
    parser.add_argument("--trials-scale", choices=("ci", "full"), default="ci")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES), help="run only these (repeatable)")
    parser.add_argument("--trial", type=int, action="append", help="run only these trial numbers (repeatable)")
    parser.add_argument("--trials", type=int, help="trials per family instead of the scale's")
    parser.add_argument("--timeout", type=float, default=120, help="seconds any one repstore command may take")
    parser.add_argument("--known-open", action="append", default=[], choices=sorted(FAMILIES), metavar="FAMILY",
                        help="report this family's lost and crashed trials without failing the run: a known bug that "
                             "is being fixed (remove the option when it is)")
    parser.add_argument("--keep", action="store_true", help="keep the trial folders")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every trial")
    return parser.parse_args()


def run_one(ctx, module, trial):
    started = time.monotonic()
    trial.rng = random.Random(f"{ctx.seed}:{trial.family}:{trial.index}")
    harness.CURRENT["trial"] = f"{trial.family} #{trial.index}"
    try:
        outcome = module.run_trial(ctx, trial)
        trial.outcome, trial.detail = outcome
    except Finding as finding:
        trial.outcome, trial.detail = finding.outcome, finding.detail
    except Exception:  # the harness's own failure must not pass as a clean trial
        trial.outcome, trial.detail = CRASH, "harness error: " + traceback.format_exc().strip().splitlines()[-1]
        if ctx.verbose:
            traceback.print_exc()
    trial.seconds = time.monotonic() - started
    return trial


def main():
    args = parse()
    work = tempfile.mkdtemp(prefix="repstore-faults-")
    os.chmod(work, 0o755)  # the read-only family runs commands as another user
    ctx = Context(Repstore(args.repstore, args.timeout), args.seed, args.trials_scale, work, args.verbose)
    families = args.family or list(FAMILIES)
    figures, failing, known = [], [], []
    print(f"repstore fault injection: {args.repstore}, scale {args.trials_scale}, seed {args.seed}", flush=True)
    try:
        for name in families:
            module = FAMILIES[name]
            count = args.trials or module.TRIALS[args.trials_scale]
            indices = args.trial or range(count)
            started = time.monotonic()
            counts = dict.fromkeys(OUTCOMES + (SKIPPED,), 0)
            for index in indices:
                trial = run_one(ctx, module, Trial(name, index, args.seed))
                counts[trial.outcome] += 1
                if ctx.verbose or trial.outcome in (LOST, CRASH):
                    print(f"  {name} #{index}: {trial.outcome}: {trial.detail}", flush=True)
                if trial.outcome == SKIPPED and counts[SKIPPED] == 1:
                    print(f"  {name}: skipped: {trial.detail}", flush=True)
                if trial.outcome in (LOST, CRASH):
                    (known if name in args.known_open else failing).append(trial)
                if not args.keep:
                    for entry in os.listdir(work):
                        if entry.startswith(f"{name}-{index}-"):
                            shutil.rmtree(os.path.join(work, entry), ignore_errors=True)
            seconds = time.monotonic() - started
            figures.append((name, len(indices), counts, seconds))
            print(f"  {name}: " + ", ".join(f"{counts[o]} {o}" for o in OUTCOMES + (SKIPPED,) if counts[o])
                  + f" ({seconds:.1f} s)", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"trial folders kept in {work}")
    print_figures(figures, args.known_open)
    if harness.RAW_MESSAGES:
        trials = sorted({label for label, _ in harness.RAW_MESSAGES})
        print(f"\nmessages in SQLite's words (reported faults, but not in repstore's terms) in {len(trials)} trial(s), "
              f"e.g. {trials[0]}:\n  {harness.RAW_MESSAGES[0][1][:300]}")
    for title, trials in (("known open (--known-open)", known), ("FAILED", failing)):
        if not trials:
            continue
        print(f"\n{title}: {len(trials)} trial(s) lost or crashed:")
        for trial in trials:
            print(f"  {trial.family} #{trial.index} {trial.outcome}: {trial.detail}")
            print(f"    repeat: python3 tools/faults/run.py --repstore {args.repstore} --family {trial.family} "
                  f"--seed {trial.seed} --trial {trial.index} -v")
    return 1 if failing else 0


def print_figures(figures, allowed):
    print()
    header = f"{'family':<16}{'trials':>8}" + "".join(f"{o:>10}" for o in OUTCOMES + (SKIPPED,)) + f"{'seconds':>10}"
    print(header)
    print("-" * len(header))
    totals = dict.fromkeys(OUTCOMES + (SKIPPED,), 0)
    for name, trials, counts, seconds in figures:
        for o in totals:
            totals[o] += counts[o]
        mark = " (known open: not failing the run)" if name in allowed and counts[LOST] + counts[CRASH] else ""
        print(f"{name:<16}{trials:>8}" + "".join(f"{counts[o]:>10}" for o in OUTCOMES + (SKIPPED,))
              + f"{seconds:>10.1f}{mark}")
    print("-" * len(header))
    print(f"{'total':<16}{sum(f[1] for f in figures):>8}" + "".join(f"{totals[o]:>10}" for o in OUTCOMES + (SKIPPED,))
          + f"{sum(f[3] for f in figures):>10.1f}")


if __name__ == "__main__":
    sys.exit(main())
