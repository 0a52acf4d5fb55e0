"""mmc.py: what model/trail2scn.py and model/cross.py share: the model's
names for messages, actors and faults, how they read in the C simulator's
scenario format (docs/scenarios.md), and running `mlsmig sim` on a
scenario file to read its trace and verdict.

A fault is a tuple (kind, mtype, actor, nth), as in the model's schedule
mode (model/mig.pml, MM_SCHED): a network fault acts on the nth send of
mtype to actor; a step fault (crash, clock jump, policy change, group
taken, bob's Commit) acts just before the nth delivery of mtype to actor.
The C simulator places a step fault by its absolute step number, so
`resolve` runs the simulator with the earlier faults and reads, in its
trace, the step of that delivery.
"""
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# model actor index -> C identity
ACTORS = {0: "alice@source.example", 1: "source.example", 2: "target.example",
          3: "bob@source.example"}
# model message type -> (C msg_type, sender actor index)
MTYPES = {
    1: ("migration_request", 0), 2: ("migration_response", 2), 3: ("migration_init", 0),
    4: ("migration_commit", 0), 5: ("migration_content", 1),
    6: ("target_migration_complete", 2), 7: ("migration_commit", 1),
    8: ("migration_confirmation", 1), 9: ("migration_error", 2), 10: ("migration_error", 1),
    11: ("migration_refusal", 2), 12: ("migration_withdraw", 1), 13: ("mls_message", 3),
}
SHORT = {1: "REQ", 2: "RESP", 3: "INIT", 4: "COMMIT", 5: "CONTENT", 6: "COMPLETE",
         7: "FANOUT", 8: "CONFIRM", 9: "ERRT", 10: "ERRS", 11: "REFUSAL", 12: "WITHDRAW",
         13: "OCOMMIT"}
KINDS = {1: "drop", 2: "duplicate", 3: "delay", 4: "corrupt", 5: "replay", 6: "crash-source",
         7: "crash-target", 8: "crash-client", 9: "clock-jump", 10: "deny", 11: "taken",
         12: "commit"}
NET = {1, 2, 3, 4, 5}
LATE = {3, 5}

# The happy path's envelopes as the model has them (carol, the C's third
# member, is bob's twin and left out): (mtype, receiver).
HAPPY = [(1, 2), (2, 0), (3, 1), (4, 1), (5, 2), (6, 1), (7, 0), (7, 3), (8, 0)]

TRACE = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s+(.*)$")


def describe(f, after=True):
    """A fault as words: 'crash-target after COMMIT#1->S', 'drop on CONTENT#1->T'."""
    k, t, a, n = f
    if k not in NET and t == 0:
        return "%s at the start" % KINDS[k]
    where = "%s#%d->%s" % (SHORT[t], n, "CSTB"[a])
    return "%s %s %s" % (KINDS[k], "on" if k in NET else "after" if after else "before", where)


def selector(t, a, n):
    ctype, frm = MTYPES[t]
    return "type=%s from=%s to=%s nth=%d" % (ctype, ACTORS[frm], ACTORS[a], n)


def run_sim(cli, text, timeout=60):
    """Runs `mlsmig sim --scenario FILE` on a scenario text; returns
    (exit status, stdout)."""
    with tempfile.NamedTemporaryFile("w", suffix=".scn", delete=False) as fh:
        fh.write(text)
        path = fh.name
    try:
        p = subprocess.run([cli, "sim", "--scenario", path], capture_output=True, text=True,
                           timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    finally:
        os.unlink(path)


def trace(out):
    """The delivery lines of a run: [(step, t_ms, from, to, type, verdict)]."""
    rows = []
    for line in out.splitlines():
        m = TRACE.match(line)
        if m:
            rows.append((int(m.group(1)), int(m.group(2)), m.group(3), m.group(4), m.group(5),
                         m.group(7).strip()))
    return rows


def find_delivery(rows, t, a, n):
    """(step, time) of the nth delivery of model type t to actor a, or None."""
    ctype, frm = MTYPES[t]
    seen = 0
    for step, ms, f, to, typ, _ in rows:
        if typ == ctype and f == ACTORS[frm] and to == ACTORS[a]:
            seen += 1
            if seen == n:
                return step, ms
    return None


def verdict(out):
    """The category of a C run: 'violation', 'gap1' or 'ok', and the outcome."""
    invs = {k: v.rstrip(":") for k, v in re.findall(r"^\s*(INV-\d) (\S+)", out, re.M)}
    gap = "known gap: GAP-1" in out or re.search(r"^\s*known gap", out, re.M) is not None
    m = re.search(r"^outcome: (\w+)", out, re.M)
    outcome = m.group(1) if m else "?"
    broken = re.search(r"rule broken|violat", out, re.I) is not None and "0 violations" not in out
    if any(v == "fail" for k, v in invs.items() if k != "INV-5") or broken:
        return "violation", outcome
    if invs.get("INV-5") == "fail":
        return ("gap1" if gap else "violation"), outcome
    return "ok", outcome


HEADER = "name %s\nabout %s\n%smigrate\n"


def resolve(cli, faults, name="cross", about="A schedule of model/cross.py.", extra="",
            after=True):
    """The scenario text (no expectations) that places `faults` in the C
    simulator, and the faults it could not place. A step fault acts just
    after (after=True, the model's schedule mode) or just before (a SPIN
    trail's event, model/trail2scn.py) the nth delivery of its type to its
    actor; type 0 is the start. The C's `step=N` acts right after delivery
    N-1, so `after` maps to the step of that delivery + 1. A delivery that
    never happens in the C run places nothing, as in the model."""
    lines, unplaced = [], []
    for k, t, a, n in [f for f in faults if f[0] in NET]:
        args = {3: " by=2500", 5: " after=400000"}.get(k, "")
        lines.append("fault %s %s%s" % (KINDS[k], selector(t, a, n), args))
    for f in [f for f in faults if f[0] not in NET]:
        k, t, a, n = f
        if t == 0:
            step, ms = 1, 0
        else:
            text = HEADER % (name, about, extra) + "".join(l + "\n" for l in lines)
            _, out = run_sim(cli, text)
            where = find_delivery(trace(out), t, a, n)
            if where is None:
                unplaced.append(f)
                continue
            step, ms = where
            if after:
                step += 1
        if k in (6, 7, 8):
            role = {6: "source", 7: "target", 8: "client"}[k]
            lines.append("fault crash %s step=%d" % (role, step))
        elif k == 9:
            lines.append("fault clock-jump step=%d by=301000" % step)
        elif k == 10:
            lines.append("deny target.example alice@source.example at=%d" % max(ms - 1, 0))
        elif k == 11:
            lines.append("target-creates-group at=%d" % max(ms - 1, 0))
        elif k == 12:
            lines.append("commit member=1 at=%d" % max(ms - 1, 0))
    return HEADER % (name, about, extra) + "".join(l + "\n" for l in lines), unplaced


def build_pan(d):
    """Compiles model/mig.pml into d/pan once (one build serves every
    verification: MM_CFG and MM_SCHED choose at run time); rebuilds only
    when the model changed. Returns the seconds it took."""
    import time
    t0 = time.time()
    os.makedirs(d, exist_ok=True)
    src = open(os.path.join(HERE, "mig.pml")).read()
    pml = os.path.join(d, "mig.pml")
    if os.path.exists(os.path.join(d, "pan")) and os.path.exists(pml) and open(pml).read() == src:
        return 0.0
    with open(pml, "w") as fh:
        fh.write(src)
    subprocess.run(["spin", "-a", "mig.pml"], cwd=d, check=True, capture_output=True)
    # NFAIR: weak fairness over the model's six processes and the claim
    subprocess.run(["gcc", "-O2", "-w", "-DNFAIR=3", "-o", "pan.tmp", "pan.c"], cwd=d, check=True)
    os.replace(os.path.join(d, "pan.tmp"), os.path.join(d, "pan"))
    return time.time() - t0


def pan_copy(d, wd):
    """A working directory with its own pan (pan writes its trail there)."""
    os.makedirs(wd, exist_ok=True)
    for f in ("pan", "mig.pml"):
        shutil.copy2(os.path.join(d, f), os.path.join(wd, f))
    return wd


def pan_run(wd, args, cfg="", sched=None, timeout=1800):
    """Runs pan in wd with MM_CFG (and MM_SCHED: schedule mode); returns
    (errors found, stdout)."""
    env = dict(os.environ, MM_CFG=cfg)
    env.pop("MM_SCHED", None)
    if sched is not None:
        env["MM_SCHED"] = sched
    p = subprocess.run(["./pan"] + args, cwd=wd, capture_output=True, text=True, env=env,
                       timeout=timeout)
    if "errors:" not in p.stdout and not args[0].startswith("-r"):
        raise RuntimeError("pan failed: " + (p.stdout + p.stderr)[-400:])
    return "errors: 0" not in p.stdout, p.stdout

