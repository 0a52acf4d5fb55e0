#!/usr/bin/env python3
"""cross.py: the C simulator's and the SPIN model's verdicts on a shared
set of bounded schedules (model/README.md, "Cross-check").

The set: every placement of one fault (K=1), or of up to two (K=2), of the
kinds both have, on the happy path: drop, duplicate, delay, corrupt (a bit
in the middle of the body) or late replay of the first send of each of the
happy path's envelopes; a crash of the source, the target or the client,
or a clock jump past the nonce lifetime, just before the first delivery of
each. Each schedule runs in the C simulator (`mlsmig sim --scenario`,
suite 1, seed 1: one run) and in the model's schedule mode (every
interleaving the model allows with exactly these faults). A verdict is
`ok` (INV-1..INV-5 hold), `gap1` (INV-5 fails after a final refusal of the
content) or `violation`. They agree when they are equal.

    cross.py --variant a|b --k 1|2 --cli build/mlsmig --build build/model [--jobs 2]
             [--json FILE] [--c-feature NAME]

--variant b runs the model with the amendment; the C side runs only with
--c-feature NAME (a scenario directive `feature NAME` that the C simulator
will accept once it implements the amendment); without it the C verdicts
are not taken and the model's verdicts are printed alone.
Exit 0 when every schedule agrees (or, for b without the C side, when the
model has no violation and no GAP-1), 1 otherwise.
"""
import argparse
import itertools
import json
import os
import subprocess
import sys
import time
from multiprocessing import Pool

import mmc

HERE = os.path.dirname(os.path.abspath(__file__))


def schedules(k):
    """The shared set of schedules, each a tuple of faults (mmc.py)."""
    places = []
    for t, a in mmc.HAPPY:
        for kind in (1, 2, 3, 4, 5):
            places.append((kind, t, a, 1))
    for t, a in [(0, 0)] + mmc.HAPPY:  # at the start, and after each delivery
        for kind in (6, 7, 8, 9):
            places.append((kind, t, a, 1))
    out = [(p,) for p in places]
    if k >= 2:
        for p, r in itertools.combinations(places, 2):
            # two network faults on one send contradict each other, and the
            # model has one slot for a late envelope (model/README.md)
            if p[0] in mmc.NET and r[0] in mmc.NET and p[1:] == r[1:]:
                continue
            if p[0] in mmc.LATE and r[0] in mmc.LATE:
                continue
            if p == r:
                continue
            out.append((p, r))
    return out


def model_verdict(wd, faults, cfg):
    """The model's verdict on a schedule: every interleaving with exactly
    these faults."""
    sched = ",".join("%d:%d:%d:%d" % f for f in faults)
    base = ["-w16", "-n", "-m100000"]
    err, out = mmc.pan_run(wd, base + ["-N", "safety"], cfg, sched)
    if err:
        line = next((l for l in out.splitlines() if "violated" in l), "assertion")
        return "violation", line.strip()
    err, _ = mmc.pan_run(wd, base + ["-a", "-f", "-N", "inv5"], cfg, sched)
    if not err:
        return "ok", ""
    err, _ = mmc.pan_run(wd, base + ["-a", "-f", "-N", "inv5g"], cfg, sched)
    return ("violation", "INV-5 without a final refusal") if err else ("gap1", "")


def c_verdict(cli, faults, feature):
    extra = "feature %s\n" % feature if feature else ""
    text, unplaced = mmc.resolve(cli, faults, extra=extra)
    rc, out = mmc.run_sim(cli, text)
    if rc == 2:
        return "error", out.strip().splitlines()[-1] if out.strip() else "usage", text
    cat, outcome = mmc.verdict(out)
    if unplaced:  # its delivery never happens in the C run: it never acts
        outcome += "; never acts: " + "; ".join(mmc.describe(f) for f in unplaced)
    return cat, outcome, text


def job(arg):
    d, cli, faults, with_c, feature, cfg = arg
    wd = os.path.join(d, "w%d" % os.getpid())
    if not os.path.isdir(wd):
        mmc.pan_copy(d, wd)
    mv, mwhy = model_verdict(wd, faults, cfg)
    cv, cwhy, text = c_verdict(cli, faults, feature) if with_c else (None, "", "")
    return {"faults": [list(f) for f in faults], "schedule": [mmc.describe(f) for f in faults],
            "model": mv, "model_detail": mwhy, "c": cv, "c_detail": cwhy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variant", choices=["a", "b"], default="a")
    ap.add_argument("--k", type=int, choices=[1, 2], default=1)
    ap.add_argument("--cli", default="build/mlsmig")
    ap.add_argument("--build", default="build/model")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--c-feature")
    ap.add_argument("--known", default=os.path.join(HERE, "cross-known.txt"),
                    help="explained disagreements (default model/cross-known.txt)")
    a = ap.parse_args()
    t0 = time.time()
    d = os.path.abspath(a.build)
    mmc.build_pan(d)
    with_c = a.variant == "a" or bool(a.c_feature)
    cfg = "amend" if a.variant == "b" else ""
    sched = schedules(a.k)
    args = [(d, os.path.abspath(a.cli), s, with_c, a.c_feature, cfg) for s in sched]
    with Pool(a.jobs) as pool:
        res = pool.map(job, args, chunksize=8)
    for w in os.listdir(d):
        if w.startswith("w") and w[1:].isdigit():
            subprocess.run(["rm", "-rf", os.path.join(d, w)])
    tally = {}
    for r in res:
        tally[r["model"]] = tally.get(r["model"], 0) + 1
    secs = time.time() - t0
    label = "model %s K=%d: %d schedules; model verdicts %s" % (
        a.variant, a.k, len(res), ", ".join("%s %d" % kv for kv in sorted(tally.items())))
    rc = 0
    if with_c:
        agree = [r for r in res if r["model"] == r["c"]]
        dis = [r for r in res if r["model"] != r["c"]]
        ct = {}
        for r in res:
            ct[r["c"]] = ct.get(r["c"], 0) + 1
        print("cross-check %s; C verdicts %s; %d agree, %d disagree (%.0f s)" % (
            label, ", ".join("%s %d" % kv for kv in sorted(ct.items())), len(agree), len(dis),
            secs))
        for r in dis:
            print("  disagree: %s: model %s%s, C %s (%s)" % (
                "; ".join(r["schedule"]), r["model"],
                " (%s)" % r["model_detail"] if r["model_detail"] else "", r["c"], r["c_detail"]))
        known = {}
        if a.known and os.path.exists(a.known) and a.variant == "a":
            for line in open(a.known):
                if line.strip() and not line.startswith("#"):
                    s, _, why = line.partition(" | ")
                    known[s.strip()] = why.strip()
        new = [r for r in dis if "; ".join(r["schedule"]) not in known]
        if dis:
            print("  %d of the %d disagreements are explained in %s; %d are not" % (
                len(dis) - len(new), len(dis), os.path.relpath(a.known), len(new)))
        rc = 1 if new else 0
    else:
        print("cross-check %s; C side not run (no --c-feature) (%.0f s)" % (label, secs))
        rc = 0 if set(tally) <= {"ok"} else 1
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"variant": a.variant, "k": a.k, "runs": res}, fh, indent=1)
    return rc


if __name__ == "__main__":
    sys.exit(main())
