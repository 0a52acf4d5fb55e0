#!/usr/bin/env python3
"""Source-level mutation testing of the reference DS (`make mutation`,
docs/mutation.md; issue 14 item 9).

Usage: mutation.py --build DIR [--files PATH...] [--sample N] [--seed S]
                   [--jobs J] [--timeout S] [--out DIR] [--no-sim]
                   [--triage FILE] [--list] [--only ID...]
       mutation.py --build DIR --self-test

The mutants are generated at run time from the C files named by --files
(default: sim/ds/, sim/ds/source/, sim/ds/target/), with the operators of
OPERATORS below, so that no line number is committed anywhere: a mutant's
ID is FILE:FUNCTION:OPERATOR:ORDINAL, the ORDINAL-th site of OPERATOR in
FUNCTION (counted from 1), which an edit of another function leaves alone.

Each mutant is one mutated copy of one file, compiled with the flags of
DIR/gen/mutation-flags.txt (written by the Makefile; -Werror dropped, since
a mutant may leave a variable unused) and linked with DIR's unmutated
objects and library: build/mlsmig-ref-ds for the runner, build/mlsmig for
the simulator. A mutant that does not compile is stillborn and counted
apart. The runner that judges it is the unmutated DIR/mlsmig:
`mlsmig run --iut MUTANT/mlsmig-ref-ds --suite 1` (--suite picks others);
a non-zero exit (a test fails or
errs, the IUT does not start) or a timeout kills the mutant. The
simulator's column runs the mutated mlsmig: `sim --scenario all` and
`sim --explore --max-faults 1 --suite 1`, killed on a non-zero exit or a
timeout.

Reports in --out (default reports/mutation): summary.txt (kill rates,
operator mix, sample), results.tsv (one line per mutant), survivors.md
(each survivor with file:line, its diff and its triage). Survivors are
looked up in --triage (default docs/mutation-triage.md); the untriaged are
listed. Exit 0 when the harness worked (the unmutated build passes the
runner and the simulator), 1 otherwise, 2 on a usage error; 128 + N after
signal N (SIGINT, SIGTERM), with the reports of the mutants judged so far.

--self-test: the harness must kill a known-bad mutant (the target's
MigrationContent signature check forced to succeed), count a mutant that
does not compile as stillborn, and let the unmutated build live.
"""
import argparse
import difflib
import os
import random
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

DEFAULT_DIRS = ['sim/ds', 'sim/ds/source', 'sim/ds/target']

# The operators, in report order, with one line each for docs and reports.
OPERATORS = [
    ('negate-cond', 'the condition of an if or while negated: if (C) -> if (!(C))'),
    ('ror', 'a relational operator swapped: == <-> !=, < -> <=, <= -> <, > -> >=, >= -> >'),
    ('const-inc', 'an integer constant plus one'),
    ('const-dec', 'an integer constant minus one (constants above 1)'),
    ('const-zero', 'an integer constant replaced by 0 (constants other than 0)'),
    ('del-err-return', 'an error return deleted: `return MM_E_X;` continues (after an if) or '
     'returns MM_OK, `if (e != MM_OK) return e;` continues, `e = MM_E_X;` is dropped'),
    ('verify-true', 'a verification made to succeed: a call of a *verify* function, or an '
     'MM_CHECK, replaced by MM_OK (true for a bool)'),
    ('skip-write', 'a durable write skipped: a store put/del, or a record put, replaced by '
     'MM_OK or deleted'),
    ('del-call', 'a call statement deleted (not calls that only free memory, not writes)'),
]
OP_NAMES = [o for o, _ in OPERATORS]

# Writes to the durable store: mm_store_put*, mm_store_del and the records'
# own put functions (src_mig_put, mm_tgt_group_put, ...).
WRITE_RE = re.compile(r'^(mm_store_(put\w*|del)|\w+_put)$')
# Calls del-call leaves out: what only frees memory (a leak is not
# observable by a black-box test) and the writes skip-write covers.
FREE_RE = re.compile(r'^(free|\w+_free)$')
KEYWORDS = {'if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'else', 'case', 'goto'}


# ---- parsing ----

def mask(src):
    """src with comments, string and character literals and preprocessor
    lines replaced by spaces (newlines kept), so offsets stay those of src."""
    out = list(src)
    i, n = 0, len(src)
    line_start = True
    while i < n:
        c = src[i]
        if line_start and c in ' \t':
            i += 1
            continue
        if line_start and c == '#':
            j = i
            while j < n and src[j] != '\n':
                j += 2 if src[j] == '\\' and j + 1 < n else 1
            for k in range(i, min(j, n)):
                if out[k] != '\n':
                    out[k] = ' '
            i = j
            continue
        line_start = False
        if c == '\n':
            line_start = True
            i += 1
        elif src.startswith('//', i):
            j = src.find('\n', i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = ' '
            i = j
        elif src.startswith('/*', i):
            j = src.find('*/', i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != '\n':
                    out[k] = ' '
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == '\\' else 1
            for k in range(i + 1, min(j, n)):
                if out[k] != '\n':
                    out[k] = ' '
            i = j + 1
        else:
            i += 1
    return ''.join(out)


def match_close(m, i, open_c, close_c):
    """The offset of the bracket closing the one at m[i]."""
    depth = 0
    for j in range(i, len(m)):
        if m[j] == open_c:
            depth += 1
        elif m[j] == close_c:
            depth -= 1
            if depth == 0:
                return j
    return -1


def functions(m):
    """(name, body_start, body_end) of every function definition in the
    masked text m: a top-level { right after a parameter list's )."""
    out = []
    i, n = 0, len(m)
    while i < n:
        if m[i] == '{':
            j = match_close(m, i, '{', '}')
            if j < 0:
                break
            k = i - 1
            while k >= 0 and m[k].isspace():
                k -= 1
            if k >= 0 and m[k] == ')':
                depth, p = 0, k
                while p >= 0:
                    if m[p] == ')':
                        depth += 1
                    elif m[p] == '(':
                        depth -= 1
                        if depth == 0:
                            break
                    p -= 1
                q = p - 1
                while q >= 0 and m[q].isspace():
                    q -= 1
                e = q + 1
                while q >= 0 and (m[q].isalnum() or m[q] == '_'):
                    q -= 1
                name = m[q + 1:e]
                if name and name not in KEYWORDS:
                    out.append((name, i, j))
            i = j + 1
        else:
            i += 1
    return out


def return_types(texts):
    """name -> 'mm_err' | 'bool' | 'void' | 'other' for the functions declared
    or defined in texts (masked C)."""
    types = {}
    decl = re.compile(r'(?:^|[;}\n])\s*(?:static\s+)?(?:inline\s+)?(?:MM_MUST_USE\s+)?'
                      r'(?:static\s+)?(?:const\s+)?([A-Za-z_]\w*)\s*(\*?)\s*([A-Za-z_]\w*)\s*\(')
    for t in texts:
        for mt in decl.finditer(t):
            ty, star, name = mt.group(1), mt.group(2), mt.group(3)
            if ty in KEYWORDS or name in KEYWORDS:
                continue
            kind = 'other' if star else ty if ty in ('mm_err', 'bool', 'void') else 'other'
            types.setdefault(name, kind)
    return types


def statement_start(m, i):
    """Whether offset i begins a statement: after ; { } or a control's )
    or `else`."""
    k = i - 1
    while k >= 0 and m[k].isspace():
        k -= 1
    if k < 0 or m[k] in ';{}':
        return True
    if m[k] == ')':
        # the ) of if (...), while (...), for (...)?
        depth, p = 0, k
        while p >= 0:
            if m[p] == ')':
                depth += 1
            elif m[p] == '(':
                depth -= 1
                if depth == 0:
                    break
            p -= 1
        q = p - 1
        while q >= 0 and m[q].isspace():
            q -= 1
        e = q + 1
        while q >= 0 and (m[q].isalnum() or m[q] == '_'):
            q -= 1
        return m[q + 1:e] in ('if', 'while', 'for')
    return m[max(0, k - 3):k + 1] == 'else' and (k - 4 < 0 or not (m[k - 4].isalnum()
                                                                  or m[k - 4] == '_'))


def after_control(m, i):
    """Whether the statement at i is the body of an if/else/for/while without
    braces (so deleting it must leave `;`)."""
    k = i - 1
    while k >= 0 and m[k].isspace():
        k -= 1
    return k >= 0 and (m[k] == ')' or m[max(0, k - 3):k + 1] == 'else')


class Mutant:
    def __init__(self, path, func, op, ordinal, start, end, repl, src):
        self.path, self.func, self.op, self.ordinal = path, func, op, ordinal
        self.start, self.end, self.repl = start, end, repl
        self.line = src.count('\n', 0, start) + 1
        self.id = '%s:%s:%s:%d' % (path, func, op, ordinal)
        self.orig = src[start:end]
        self.status = self.runner = self.sim_scn = self.sim_exp = ''
        self.first = ''
        self.secs = 0.0

    def text(self, src):
        return src[:self.start] + self.repl + src[self.end:]

    def diff(self, src):
        a = src.splitlines(keepends=True)
        b = self.text(src).splitlines(keepends=True)
        return ''.join(difflib.unified_diff(a, b, 'a/' + self.path, 'b/' + self.path, n=1))


def sites(path, src, types):
    """Every mutant of one file, in a stable order."""
    m = mask(src)
    out = []
    for fname, b0, b1 in functions(m):
        body = m[b0:b1 + 1]
        counts = {}
        found = []  # (op, start, end, repl)

        def add(op, s, e, r):
            found.append((op, b0 + s, b0 + e, r))

        # negate-cond
        for mt in re.finditer(r'\b(if|while)\s*\(', body):
            p = mt.end() - 1
            q = match_close(body, p, '(', ')')
            if q > p:
                add('negate-cond', p, q + 1, '(!' + src[b0 + p:b0 + q + 1] + ')')
        # ror
        ror = {'==': '!=', '!=': '==', '<': '<=', '<=': '<', '>': '>=', '>=': '>'}
        for mt in re.finditer(r'(?<![<>=!\-])(==|!=|<=|>=|<|>)(?![<>=])', body):
            add('ror', mt.start(), mt.end(), ror[mt.group(1)])
        # constants
        for mt in re.finditer(r'(?<![\w.])(0[xX][0-9a-fA-F]+|\d+)([uUlL]*)(?![\w.])', body):
            v = int(mt.group(1), 0)
            suf = mt.group(2)
            add('const-inc', mt.start(), mt.end(), '%d%s' % (v + 1, suf))
            if v > 1:
                add('const-dec', mt.start(), mt.end(), '%d%s' % (v - 1, suf))
            if v != 0:
                add('const-zero', mt.start(), mt.end(), '0' + suf)
        # del-err-return
        for mt in re.finditer(r'\breturn\s+MM_E_\w+\s*;', body):
            r = ';' if after_control(body, mt.start()) else 'return MM_OK;'
            add('del-err-return', mt.start(), mt.end(), r)
        for mt in re.finditer(r'\bif\s*\(\s*(\w+)\s*!=\s*MM_OK\s*\)\s*return\s+(\w+)\s*;', body):
            if mt.group(1) == mt.group(2):
                s = mt.start() + body[mt.start():mt.end()].rindex('return')
                add('del-err-return', s, mt.end(), ';')
        for mt in re.finditer(r'\b\w+\s*=\s*MM_E_\w+\s*;', body):
            if statement_start(body, mt.start()):
                add('del-err-return', mt.start(), mt.end(), ';')
        # calls: verify-true, skip-write, del-call
        for mt in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', body):
            name = mt.group(1)
            if name in KEYWORDS:
                continue
            p = mt.end() - 1
            q = match_close(body, p, '(', ')')
            if q < 0:
                continue
            kind = types.get(name, 'other')
            ok = 'true' if kind == 'bool' else 'MM_OK'
            stmt = statement_start(body, mt.start()) and body[q + 1:].lstrip().startswith(';')
            if name == 'MM_CHECK' or ('verify' in name and kind in ('mm_err', 'bool')):
                add('verify-true', mt.start(), q + 1, ok)
            elif WRITE_RE.match(name):
                if stmt:
                    e = body.index(';', q) + 1
                    add('skip-write', mt.start(), e, ';')
                elif kind in ('mm_err', 'bool'):
                    add('skip-write', mt.start(), q + 1, ok)
            elif stmt and not FREE_RE.match(name) and not name.isupper():
                e = body.index(';', q) + 1
                add('del-call', mt.start(), e, ';')
        found.sort(key=lambda f: (OP_NAMES.index(f[0]), f[1], f[2]))
        for op, s, e, r in found:
            counts[op] = counts.get(op, 0) + 1
            out.append(Mutant(path, fname, op, counts[op], s, e, r, src))
    out.sort(key=lambda mu: (mu.start, OP_NAMES.index(mu.op), mu.end))
    return out


def discover(files, root='.'):
    """The mutants of files (paths relative to root)."""
    texts = []
    for d in ['include/mlsmig', 'sim']:
        for dp, _, fns in os.walk(os.path.join(root, d)):
            for fn in sorted(fns):
                if fn.endswith('.h') or fn.endswith('.c'):
                    with open(os.path.join(dp, fn), encoding='utf-8') as f:
                        texts.append(mask(f.read()))
    types = return_types(texts)
    out, srcs = [], {}
    for p in files:
        with open(os.path.join(root, p), encoding='utf-8') as f:
            srcs[p] = f.read()
        out.extend(sites(p, srcs[p], types))
    return out, srcs


def expand_files(args):
    files = []
    for a in args:
        if os.path.isdir(a):
            files.extend(sorted(os.path.join(a, f) for f in os.listdir(a) if f.endswith('.c')))
        elif a.endswith('.c') and os.path.isfile(a):
            files.append(a)
        else:
            raise SystemExit('mutation: %s: not a C file or a folder' % a)
    return [os.path.normpath(f) for f in files]


# ---- building and judging ----

class Harness:
    def __init__(self, build, timeout, sim, sim_timeout=20, suites=('1',)):
        self.build, self.timeout, self.sim = build, timeout, sim
        self.sim_timeout = sim_timeout
        self.suites = [x for x in suites if x != 'all']
        flags = os.path.join(build, 'gen', 'mutation-flags.txt')
        try:
            with open(flags, encoding='utf-8') as f:
                kv = dict(line.rstrip('\n').split('=', 1) for line in f if '=' in line)
        except OSError:
            raise SystemExit('mutation: %s missing: run make mutation (or make _all) first' % flags)
        # paths under the Makefile's BUILD, moved under `build` (a copy of
        # the build folder judges as well as the original)
        made = kv.get('BUILD', build).rstrip('/') + '/'

        def moved(p):
            return os.path.join(build, p[len(made):]) if p.startswith(made) else p

        def moved_flag(f):
            return '-I' + moved(f[2:]) if f.startswith('-I') else f

        self.cc = shlex.split(kv['CC'])
        self.cflags = [moved_flag(f) for f in shlex.split(kv['CFLAGS']) if f != '-Werror']
        self.cflags.append('-w')
        self.ldflags = shlex.split(kv['LDFLAGS'])
        self.libs = shlex.split(kv['LIBS'])
        self.cli_objs = [moved(o) for o in shlex.split(kv['CLI_OBJS'])]
        self.refds_objs = [moved(o) for o in shlex.split(kv['REF_DS_OBJS'])]
        self.lib = moved(kv['LIB'])
        self.cli = os.path.join(build, 'mlsmig')
        for f in [self.lib, self.cli] + self.cli_objs + self.refds_objs:
            if not os.path.exists(f):
                raise SystemExit('mutation: %s missing: run make _all first' % f)

    def obj_of(self, path):
        return os.path.join(self.build, 'obj', path[:-2] + '.o')

    def run(self, cmd, timeout):
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               timeout=timeout, text=True, errors='replace')
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors='replace') if isinstance(e.stdout, bytes) else e.stdout
            return 'timeout', out or ''

    def judge(self, mu, text, scratch):
        """Builds and judges one mutant (text: the mutated file) in scratch."""
        t0 = time.monotonic()
        os.makedirs(scratch, exist_ok=True)
        src = os.path.join(scratch, os.path.basename(mu.path))
        with open(src, 'w', encoding='utf-8') as f:
            f.write(text)
        obj = os.path.join(scratch, 'mutant.o')
        # -iquote the file's own folder, as if it were compiled where it lies
        rc, out = self.run(self.cc + self.cflags + ['-iquote', os.path.dirname(mu.path), '-c',
                                                    src, '-o', obj], 120)
        if rc != 0:
            mu.status, mu.first = 'stillborn', (out.strip().splitlines() or [''])[0][:200]
            mu.secs = time.monotonic() - t0
            return
        mine = self.obj_of(mu.path)
        refds = os.path.join(scratch, 'mlsmig-ref-ds')
        objs = [obj if o == mine else o for o in self.refds_objs]
        if obj not in objs:
            objs.append(obj)
        rc, out = self.run(self.cc + self.ldflags + ['-o', refds] + objs + [self.lib] +
                           self.libs, 120)
        if rc != 0:
            mu.status, mu.first = 'stillborn', 'link: ' + (out.strip().splitlines() or [''])[0]
            mu.secs = time.monotonic() - t0
            return
        js = os.path.join(scratch, 'run.json')
        # a test's budget of 3 s (the reference DS takes ~15 ms): a mutant
        # that hangs costs seconds, not the default 10 s per test
        suites = ['--suite'] + self.suites if self.suites else []
        rc, out = self.run([self.cli, 'run', '--iut', refds, '--jobs', '1', '--timeout', '3000',
                            '--max-time', str(self.timeout), '--json', js] + suites,
                           self.timeout + 10)
        mu.runner = 'survived' if rc == 0 else 'timeout' if rc == 'timeout' else 'killed'
        if rc not in (0, 'timeout'):
            mu.first = first_failure(js, out)
        elif rc == 0:
            warned = tests_with(js, 'warning')
            if warned:  # passes, but not as the unmutated DS does (which warns nowhere)
                mu.runner = 'warned'
                mu.first = '%s (%d warning)' % (warned[0], len(warned))
        if self.sim:
            cli = os.path.join(scratch, 'mlsmig')
            objs = [obj if o == mine else o for o in self.cli_objs] + [obj]
            rc, out = self.run(self.cc + self.ldflags + ['-o', cli] + objs + [self.lib] +
                               self.libs, 120)
            if rc != 0:
                mu.sim_scn = mu.sim_exp = 'link-error'
            else:
                rc, _ = self.run([cli, 'sim', '--scenario', 'all'], self.sim_timeout)
                mu.sim_scn = verdict(rc)
                rc, _ = self.run([cli, 'sim', '--explore', '--max-faults', '1', '--suite', '1'],
                                 self.sim_timeout)
                mu.sim_exp = verdict(rc)
        mu.status = 'killed' if mu.runner in ('killed', 'timeout') else 'survived'
        mu.secs = time.monotonic() - t0


def verdict(rc):
    return 'survived' if rc == 0 else 'timeout' if rc == 'timeout' else 'killed'


def tests_with(js, verdict_name):
    """The names of the tests of the run's JSON with that verdict."""
    import json
    try:
        with open(js, encoding='utf-8') as f:
            return [t['name'] for t in json.load(f).get('tests', [])
                    if t.get('verdict') == verdict_name]
    except (OSError, ValueError):
        return []


def first_failure(js, out):
    import json
    try:
        with open(js, encoding='utf-8') as f:
            d = json.load(f)
        bad = [t['name'] for t in d.get('tests', []) if t.get('verdict') in ('fail', 'error')]
        if bad:
            return '%s (%d failing)' % (bad[0], len(bad))
    except (OSError, ValueError):
        pass
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return (lines[-1] if lines else 'exit non-zero')[:200]


# ---- triage ----

TRIAGE_CLASSES = ('equivalent', 'not-observable', 'missing-test')


def read_triage(path):
    """ID -> (class, reason) from the table rows `| ID | class | reason |`."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding='utf-8') as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if len(cells) >= 3 and cells[0].startswith('`sim/'):
                mid = cells[0].strip('`')
                out[mid] = (cells[1], '|'.join(cells[2:]).strip())
    return out


# ---- reports ----

def pct(a, b):
    return '%.1f%%' % (100.0 * a / b) if b else 'n/a'


def write_reports(out, muts, srcs, args, total, wall, triage, sample_note):
    os.makedirs(out, exist_ok=True)
    live = [m for m in muts if m.status != 'stillborn']
    still = [m for m in muts if m.status == 'stillborn']
    surv = [m for m in live if m.status == 'survived']
    killed = len(live) - len(surv)
    lines = []
    lines.append('mutation: %d mutants of %d generated (%s) from %s' %
                 (len(muts), total, sample_note, ' '.join(args.files_list)))
    lines.append('compiled %d, stillborn %d (do not compile; not counted)' %
                 (len(live), len(still)))
    warned = sum(1 for m in surv if m.runner == 'warned')
    lines.append('runner (mlsmig run --suite %s): %d/%d killed (%s), %d survived, %d timed out' %
                 (' '.join(args.suite), killed, len(live), pct(killed, len(live)), len(surv),
                  sum(1 for m in live if m.runner == 'timeout')))
    lines.append('runner: %d of the survivors pass with a warning the unmutated DS does not get '
                 '(killed or warned: %s)' % (warned, pct(killed + warned, len(live))))
    if args.sim:
        scn = sum(1 for m in live if m.sim_scn in ('killed', 'timeout'))
        exp = sum(1 for m in live if m.sim_exp in ('killed', 'timeout'))
        either = sum(1 for m in live if 'killed' in (m.sim_scn, m.sim_exp) or
                     'timeout' in (m.sim_scn, m.sim_exp))
        lines.append('simulator, sim --scenario all: %d/%d killed (%s)' %
                     (scn, len(live), pct(scn, len(live))))
        lines.append('simulator, sim --explore --max-faults 1 --suite 1: %d/%d killed (%s)' %
                     (exp, len(live), pct(exp, len(live))))
        lines.append('simulator, either: %d/%d killed (%s)' % (either, len(live),
                                                               pct(either, len(live))))
        both = sum(1 for m in surv if m.sim_scn == 'survived' and m.sim_exp == 'survived')
        lines.append('survivors of the runner the simulator kills: %d of %d' %
                     (len(surv) - both, len(surv)))
    lines.append('wall time %.0f s, %.2f s per mutant (jobs %d)' %
                 (wall, wall / len(muts) if muts else 0, args.jobs))
    lines.append('')
    lines.append('%-15s %9s %9s %9s %9s %9s' % ('operator', 'generated', 'sampled', 'stillborn',
                                                'killed', 'survived'))
    for op in OP_NAMES:
        g = sum(1 for m in args.all_muts if m.op == op)
        s = [m for m in muts if m.op == op]
        lines.append('%-15s %9d %9d %9d %9d %9d' %
                     (op, g, len(s), sum(1 for m in s if m.status == 'stillborn'),
                      sum(1 for m in s if m.status == 'killed'),
                      sum(1 for m in s if m.status == 'survived')))
    untriaged = [m for m in surv if m.id not in triage]
    lines.append('')
    lines.append('survivors triaged in %s: %d of %d%s' %
                 (args.triage, len(surv) - len(untriaged), len(surv),
                  '' if not untriaged else '; untriaged:'))
    for m in untriaged:
        lines.append('  %s  (%s:%d)' % (m.id, m.path, m.line))
    text = '\n'.join(lines) + '\n'
    with open(os.path.join(out, 'summary.txt'), 'w', encoding='utf-8') as f:
        f.write(text)
    with open(os.path.join(out, 'results.tsv'), 'w', encoding='utf-8') as f:
        f.write('id\tline\tstatus\trunner\tsim_scenarios\tsim_explore\tsecs\tfirst\n')
        for m in muts:
            f.write('%s\t%d\t%s\t%s\t%s\t%s\t%.2f\t%s\n' %
                    (m.id, m.line, m.status, m.runner, m.sim_scn, m.sim_exp, m.secs,
                     m.first.replace('\t', ' ')))
    with open(os.path.join(out, 'survivors.md'), 'w', encoding='utf-8') as f:
        f.write('# Survivors of the runner (%d)\n\n' % len(surv))
        for m in surv:
            t = triage.get(m.id)
            f.write('## `%s`\n\n%s:%d; runner: %s%s; simulator: scenarios %s, explore %s; '
                    'triage: %s\n\n```diff\n%s```\n\n' %
                    (m.id, m.path, m.line, m.runner, ' (%s)' % m.first if m.first else '',
                     m.sim_scn or '-', m.sim_exp or '-',
                     '%s: %s' % t if t else 'UNTRIAGED', m.diff(srcs[m.path])))
    return text


# ---- main ----

def run_all(h, muts, srcs, jobs, scratch_root):
    """Judges muts, jobs at a time, each worker in its own scratch folder."""
    import queue
    free = queue.Queue()
    for k in range(jobs):
        free.put(os.path.join(scratch_root, 'w%d' % k))

    def one(mu):
        d = free.get()
        try:
            h.judge(mu, mu.text(srcs[mu.path]), d)
        finally:
            free.put(d)
        return mu

    done = 0
    stop = []

    def one_unless_stopped(mu):
        return mu if stop else one(mu)

    ex = ThreadPoolExecutor(max_workers=jobs)
    try:
        for mu in ex.map(one_unless_stopped, muts):
            if stop:
                break
            done += 1
            sys.stderr.write('  [%d/%d] %-9s %s\n' % (done, len(muts), mu.status, mu.id))
    except KeyboardInterrupt:
        # SIGINT or SIGTERM: the mutants judged so far are reported
        stop.append(True)
        sys.stderr.write('mutation: stopped after %d of %d mutants\n' % (done, len(muts)))
    finally:
        ex.shutdown(wait=True)
    return [m for m in muts if m.status]


class Identity:
    """The unmutated file through the same pipeline: the baseline."""

    def __init__(self, path, src):
        self.path, self.id, self.op, self.line = path, 'baseline:' + path, 'none', 1
        self.status = self.runner = self.sim_scn = self.sim_exp = self.first = ''
        self.secs = 0.0
        self._src = src

    def text(self, src):
        return self._src


def baseline(h, files, srcs, scratch):
    b = Identity(files[0], srcs[files[0]])
    h.judge(b, srcs[files[0]], scratch)
    if b.runner != 'survived' or (h.sim and (b.sim_scn != 'survived' or b.sim_exp != 'survived')):
        sys.stderr.write('mutation: the unmutated %s does not pass through the harness: %s '
                         '(runner %s, sim %s/%s) %s\n' % (files[0], b.status, b.runner, b.sim_scn,
                                                          b.sim_exp, b.first))
        return False
    return True


def self_test(h, scratch, triage):
    path = 'sim/ds/target/target_import.c'
    muts, srcs = discover([path])
    bad = [m for m in muts if m.op == 'verify-true' and m.func == 'check_source' and
           m.orig.startswith('verify_content_sig')]
    if not bad:
        print('mutation self-test: no verify-true mutant of the verify_content_sig call in '
              'check_content_sig (%s); update self_test()' % path)
        return 1
    fails = []
    # the generator: every operator has sites in the DS, IDs are unique
    every, _ = discover(expand_files(DEFAULT_DIRS))
    for op in OP_NAMES:
        if not any(m.op == op for m in every):
            fails.append('operator %s generates no mutant in %s' % (op, ' '.join(DEFAULT_DIRS)))
    ids = [m.id for m in every]
    if len(set(ids)) != len(ids):
        fails.append('mutant IDs are not unique')
    # the triage file: rows of a known class
    for mid, (cls, why) in sorted(read_triage(triage).items()):
        if cls not in TRIAGE_CLASSES or not why:
            fails.append('%s: %s: class %r (want one of %s) with a reason' %
                         (triage, mid, cls, ', '.join(TRIAGE_CLASSES)))
    if not baseline(h, [path], srcs, os.path.join(scratch, 'base')):
        fails.append('the unmutated build does not pass')
    k = bad[0]
    h.judge(k, k.text(srcs[path]), os.path.join(scratch, 'kill'))
    if k.status != 'killed':
        fails.append('known-bad mutant %s not killed (%s)' % (k.id, k.status))
    still = Mutant(path, 'selftest', 'stillborn', 1, k.start, k.end, 'verify_content_sig(@)',
                   srcs[path])
    h.judge(still, still.text(srcs[path]), os.path.join(scratch, 'still'))
    if still.status != 'stillborn':
        fails.append('a mutant that cannot compile was not counted stillborn (%s)' % still.status)
    for f in fails:
        print('mutation self-test: ' + f)
    if not fails:
        print('mutation self-test: baseline lives, %s killed (runner: %s; sim %s/%s), stillborn '
              'counted' % (k.id, k.first, k.sim_scn, k.sim_exp))
    return 1 if fails else 0


def main(argv):
    ap = argparse.ArgumentParser(prog='mutation.py', description=__doc__.split('\n')[0])
    ap.add_argument('--build', default='build')
    ap.add_argument('--files', nargs='+', default=DEFAULT_DIRS)
    ap.add_argument('--sample', type=int, default=0, help='mutants to run (0: all)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--timeout', type=int, default=60, help='budget of one runner run, s')
    ap.add_argument('--sim-timeout', type=int, default=20, help='budget of one sim run, s')
    ap.add_argument('--suite', nargs='+', default=['1'],
                    help='the runner\'s --suite (default 1; all: every suite the DS declares)')
    ap.add_argument('--out', default='reports/mutation')
    ap.add_argument('--triage', default='docs/mutation-triage.md')
    ap.add_argument('--no-sim', dest='sim', action='store_false')
    ap.add_argument('--list', action='store_true', help='list the mutants and exit')
    ap.add_argument('--only', nargs='+', help='only these mutant IDs')
    ap.add_argument('--self-test', action='store_true')
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if args.sample < 0 or args.jobs < 1 or args.timeout < 1 or args.sim_timeout < 1:
        print('mutation: --sample >= 0, --jobs >= 1, --timeout and --sim-timeout >= 1',
              file=sys.stderr)
        return 2
    scratch = tempfile.mkdtemp(prefix='mlsmig-mutation-')
    try:
        if args.self_test:
            return self_test(Harness(args.build, args.timeout, True), scratch, args.triage)
        try:
            args.files_list = expand_files(args.files)
        except SystemExit as e:
            print(e, file=sys.stderr)
            return 2
        muts, srcs = discover(args.files_list)
        args.all_muts = muts
        if args.list:
            for m in muts:
                print('%s\t%s:%d\t%s -> %s' % (m.id, m.path, m.line, ' '.join(m.orig.split()),
                                              ' '.join(m.repl.split())))
            return 0
        chosen = muts
        note = 'all'
        if args.only:
            want = set(args.only)
            chosen = [m for m in muts if m.id in want]
            missing = want - {m.id for m in chosen}
            if missing:
                print('mutation: no such mutant: %s' % ' '.join(sorted(missing)), file=sys.stderr)
                return 2
            note = '--only'
        elif args.sample and args.sample < len(muts):
            pick = sorted(random.Random(args.seed).sample(range(len(muts)), args.sample))
            chosen = [muts[i] for i in pick]
            note = 'sample %d, seed %d' % (args.sample, args.seed)
        h = Harness(args.build, args.timeout, args.sim, args.sim_timeout, args.suite)
        t0 = time.monotonic()
        if not baseline(h, args.files_list, srcs, os.path.join(scratch, 'base')):
            return 1
        got = [signal.SIGINT]

        def on_term(signum, _frame):
            got[0] = signum
            raise KeyboardInterrupt()

        signal.signal(signal.SIGTERM, on_term)
        judged = run_all(h, chosen, srcs, args.jobs, scratch)
        stopped = len(judged) < len(chosen)
        if stopped:
            note += ', stopped after %d' % len(judged)
        chosen = judged
        wall = time.monotonic() - t0
        text = write_reports(args.out, chosen, srcs, args, len(muts), wall,
                             read_triage(args.triage), note)
        sys.stdout.write(text)
        print('(per mutant: %s/results.tsv; survivors with diffs: %s/survivors.md)' %
              (args.out, args.out))
        return 128 + got[0] if stopped else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
