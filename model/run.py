#!/usr/bin/env python3
"""run.py: `make model`. Builds model/mig.pml with SPIN, runs every
verification of model/README.md, prints one line per property per model
with its result and figures, translates every counterexample SPIN reports
for draft-05 into a scenario that the C simulator must reproduce, and runs
the cross-check of model/cross.py. Exit 1 when (a) does not show GAP-1,
when (b) shows any violation, when a mutant is not caught, when a
translated scenario does not reproduce in the C simulator, or when the
cross-check disagrees.

    run.py [--cli build/mlsmig] [--build build/model] [--maxf 2] [--k 1] [--jobs 2]
"""
import argparse
import os
import re
import subprocess
import sys
import time

import mmc

FAULTS = "crash,jump,deny,flip,taken,ocommit"
# (a)'s progress run leaves out `flip` (the policy allowing alice again),
# which the C scenario format cannot say, and bob's ordinary Commit, which
# the safety runs cover: its counterexample must replay in the C simulator
FAULTS_A5 = "crash,jump,deny,taken"
# (model, name, config, claim, expected, what a failure is)
#   expected: "pass" (no error), "fail" (SPIN must find one)
MODELS = {"a": "a (draft-05)", "b": "b (amendment)"}


def verifications(maxf):
    m = "maxf=%d" % maxf
    return [
        ("a", "INV-1..INV-4 (safety)", "%s,%s" % (m, FAULTS), "safety", "pass", None),
        ("a", "INV-5 (progress)", "%s,%s" % (m, FAULTS_A5), "inv5", "fail", "GAP-1"),
        ("a", "INV-5 save GAP-1", "%s,%s" % (m, FAULTS), "inv5g", "pass", None),
        ("a", "INV-5, GAP-1 by nonce expiry", "maxf=1,net=0,jump", "inv5", "fail", "GAP-1"),
        ("a", "INV-5, GAP-1 by policy change", "maxf=1,net=0,deny", "inv5", "fail", "GAP-1"),
        ("a", "INV-5, GAP-1 by group ID taken", "maxf=1,net=0,taken", "inv5", "fail", "GAP-1"),
        ("a", "mutant giveup: INV-1..INV-4 (GAP-4)", "%s,giveup,crash,jump,ocommit" % m,
         "safety", "fail", "GAP-4"),
        ("b", "INV-1..INV-4 (safety)", "amend,%s,%s" % (m, FAULTS), "safety", "pass", None),
        ("b", "INV-5 (progress)", "amend,%s,%s" % (m, FAULTS), "inv5", "pass", None),
        ("b", "mutant late-record (AMD-3)", "amend,late-record,%s,%s" % (m, FAULTS), "safety",
         "fail", "mutant"),
        ("b", "mutant refuse-imported (AMD-4)", "amend,refuse-imported,%s,%s" % (m, FAULTS),
         "safety", "fail", "mutant"),
    ]


def figures(out):
    g = lambda rx: (re.search(rx, out) or [None, "?"])[1]
    return {"states": g(r"(\d+) states, stored"), "transitions": g(r"(\d+) transitions"),
            "depth": g(r"depth reached (\d+)"), "mem": g(r"([\d.]+)\s+total actual memory usage"),
            "time": g(r"elapsed time ([\d.e+-]+) seconds")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cli", default="build/mlsmig")
    ap.add_argument("--build", default="build/model")
    ap.add_argument("--maxf", type=int, default=2)
    ap.add_argument("--k", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=2)
    a = ap.parse_args()
    t0 = time.time()
    d = os.path.abspath(a.build)
    secs = mmc.build_pan(d)
    print("model: spin %s; build %.0f s (model/mig.pml -> %s/pan)" % (
        subprocess.run(["spin", "-V"], capture_output=True, text=True).stdout.split()[2],
        secs, a.build))
    scn_dir = os.path.join(d, "scenarios")
    os.makedirs(scn_dir, exist_ok=True)
    bad = 0
    for n, (model, name, cfg, claim, expected, kind) in enumerate(verifications(a.maxf)):
        wd = mmc.pan_copy(d, os.path.join(d, "v%d" % n))
        args = ["-n", "-w22", "-m1000000", "-N", claim] + (["-a", "-f"] if claim != "safety" else [])
        err, out = mmc.pan_run(wd, args, cfg)
        f = figures(out)
        result = "fail" if err else "pass"
        what = ""
        if err:
            what = next((l.split("pan:1:")[-1].strip() for l in out.splitlines()
                         if "pan:1:" in l), "error")
        ok = result == expected
        print("model %-14s %-37s %-4s (expected %s%s)  states %s, transitions %s, depth %s, "
              "%s MB, %s s%s" % (MODELS[model], name, result, expected,
                                 ", " + kind if kind and expected == "fail" else "", f["states"],
                                 f["transitions"], f["depth"], f["mem"], f["time"],
                                 "  [" + what + "]" if what else ""))
        bad += not ok
        # every counterexample of (a) itself becomes a scenario the C
        # simulator must reproduce; the mutants' are the model's self-tests
        if err and model == "a" and kind == "GAP-1":
            _, replay = mmc.pan_run(wd, ["-r", "-n", "-N", claim], cfg)
            spin_out = os.path.join(wd, "replay.txt")
            with open(spin_out, "w") as fh:
                fh.write(replay)
            sname = "model-a-%d" % n
            p = subprocess.run([sys.executable, os.path.join(mmc.HERE, "trail2scn.py"),
                                "--spin-out", spin_out, "--name", sname, "--cli", a.cli,
                                "--out", os.path.join(scn_dir, sname + ".scn"), "--check"],
                               capture_output=True, text=True)
            print("  " + (p.stdout.strip().splitlines() or ["trail2scn: no output"])[0] +
                  " -> %s/scenarios/%s.scn" % (a.build, sname))
            bad += p.returncode != 0
    for variant in ("a", "b"):
        p = subprocess.run([sys.executable, os.path.join(mmc.HERE, "cross.py"), "--variant",
                            variant, "--k", str(a.k), "--cli", a.cli, "--build", a.build,
                            "--jobs", str(a.jobs), "--json",
                            os.path.join(d, "cross-%s-k%d.json" % (variant, a.k))],
                           capture_output=True, text=True)
        sys.stdout.write(p.stdout)
        if p.returncode != 0:
            sys.stdout.write(p.stderr[-2000:])
        bad += p.returncode != 0
    print("model: %s (%.0f s)" % ("every result as expected" if not bad else
                                  "%d unexpected result(s)" % bad, time.time() - t0))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
