#!/usr/bin/env python3
"""trail2scn.py: translates a SPIN counterexample of model/mig.pml into an
mlsmig scenario file (docs/scenarios.md) that replays it in the C
simulator.

Input: what `spin -t` prints when it replays the trail (the model's MM...
lines). The faults of the trail become scenario lines: a network fault on
the nth send of a message keeps its selector (type, from, to, nth); a step
fault (a crash, a clock jump, the target's policy or a group created at the
target, bob's Commit) is placed before the delivery that follows it in the
trail, at the step or time that delivery has in the C run (mmc.resolve).
The expectations come from the counterexample: a progress failure after a
final refusal is GAP-1 (result stuck, INV-5 fail, the refusal seen at the
target); a safety failure names the invariant.

    trail2scn.py --spin-out FILE --name NAME --cli build/mlsmig --out F.scn [--check]

With --check the scenario is run (`mlsmig sim --scenario F.scn`) and the
exit status says whether the C simulator met every expectation.
"""
import argparse
import sys

import mmc

REFUSAL = {6: "nonce_expired", 13: "unauthorized", 9: "group_exists"}
EVENT = {"MMCRASH": None, "MMJUMP": 9, "MMDENY": 10, "MMTAKEN": 11, "MMOCOMMIT": 12}


def parse(text):
    """(faults, refusal codes, untranslatable events) of a spin -t replay."""
    sends, dels, faults, pending, refusals, skipped = {}, {}, [], [], [], []
    for raw in text.splitlines():
        w = raw.split()
        if not w or not w[0].startswith("MM"):
            continue
        tag = w[0]
        if tag == "MMSEND":
            t, dst, kind = int(w[1]), int(w[2]), int(w[3])
            sends[(t, dst)] = sends.get((t, dst), 0) + 1
            if kind:
                faults.append((kind, t, dst, sends[(t, dst)]))
        elif tag == "MMDEL":
            t, x = int(w[1]), int(w[2])
            dels[(t, x)] = dels.get((t, x), 0) + 1
            for k in pending:
                faults.append((k, t, x, dels[(t, x)]))
            pending = []
        elif tag == "MMCRASH":
            pending.append({1: 6, 2: 7, 0: 8}[int(w[1])])
        elif tag in EVENT:
            pending.append(EVENT[tag])
        elif tag == "MMREFUSE":
            refusals.append(int(w[2]))
        elif tag == "MMGIVEUP" and w[1] == "client":
            pass  # the client's own 120 s timer, no fault
        elif tag in ("MMALLOW", "MMGIVEUP", "MMWITHDRAW") and tag not in skipped:
            skipped.append(tag)
    return faults, refusals, skipped


def expectations(kind, refusals):
    if kind == "gap1":
        out = ["expect result stuck", "expect home none", "expect inv INV-4 not_checked",
               "expect inv INV-5 fail", "expect gap GAP-1"]
        for code in sorted(set(refusals)):
            out.append("expect seen %s type=migration_content at=target.example" % REFUSAL[code])
        return out
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spin-out", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--cli", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--kind", default="gap1", choices=["gap1", "safety"])
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    faults, refusals, skipped = parse(open(a.spin_out).read())
    if skipped and a.kind == "gap1":
        print("trail2scn: %s: no scenario form for %s" % (a.name, " ".join(skipped)))
        return 1
    about = "SPIN counterexample of model/mig.pml (%s), translated by model/trail2scn.py: %s." % (
        "INV-5, GAP-1" if a.kind == "gap1" else "safety",
        "; ".join(mmc.describe(f, after=False) for f in faults) or "no fault")
    gap = "gap GAP-1\n" if a.kind == "gap1" else ""
    text, unplaced = mmc.resolve(a.cli, faults, a.name, about[:255], gap, after=False)
    if unplaced:
        print("trail2scn: %s: the C run has no delivery for %s" %
              (a.name, "; ".join(mmc.describe(f, after=False) for f in unplaced)))
        return 1
    text += "".join(l + "\n" for l in expectations(a.kind, refusals))
    with open(a.out, "w") as fh:
        fh.write(text)
    if not a.check:
        return 0
    rc, out = mmc.run_sim(a.cli, text)
    cat, outcome = mmc.verdict(out)
    ok = rc == 0 and (cat == "gap1" or a.kind != "gap1")
    print("trail2scn: %s: %s in the C simulator (%s, outcome %s)" %
          (a.name, "reproduced" if ok else "NOT reproduced", cat, outcome))
    if not ok:
        sys.stdout.write(out[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
