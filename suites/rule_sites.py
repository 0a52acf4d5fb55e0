#!/usr/bin/env python3
"""Prints the enforcement sites of the profile rules in sim/ as C initializers
{"file:line", "RULE IDS", MM_MUT_..., "kind"}, for suites/test_catalogue.c
(the Makefile writes them to build/gen/rule_sites.inc).

A site is, in the code with its comments removed:
  check      MM_CHECK(mutants, cond, "IDS", MM_MUT_X, code)   an actor refuses
  enforced   MM_ENFORCED(mutants, "IDS", MM_MUT_X)            a guarded check or behaviour
  rule       MM_RULE("IDS", e)                                a verdict, refusal or computation
  codec      mm_reader_fail[_at](..., "ENC-N", ...) or efail(..., "ENC-N", ...)
  invariant  fail(o, "INV-N", ...) in sim/simulator/check/    the simulator's checkers
(sim/profile/rule.h defines the first three). The rule IDs are the first
string literal of the call; anything else there is an error, so a site the
scan cannot read breaks the build instead of going uncounted.

Usage: rule_sites.py [ROOT]   (ROOT: the repository, default .)
"""
import os
import re
import sys

IDS = r'[A-Z]+-[0-9]+(?: [A-Z]+-[0-9]+)*'
CALL = re.compile(r'\b(MM_CHECK|MM_ENFORCED|MM_RULE|mm_reader_fail_at|mm_reader_fail|efail|fail)\s*\(')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def strip_comments(text):
    """The text with comments blanked out (newlines kept, so lines still count)."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif text[i] in '"\'':
            q, j = text[i], i + 1
            while j < n and text[j] != q:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return ''.join(out)


def sites(path, rel):
    text = strip_comments(open(path, encoding='utf-8').read())
    in_check = rel.startswith('sim/simulator/check/')
    for m in CALL.finditer(text):
        name = m.group(1)
        if name == 'fail' and not in_check:
            continue
        line = text.count('\n', 0, m.start()) + 1
        where = f'{rel}:{line}'
        lit = STRING.search(text, m.end())
        literal = lit.group(1) if lit else None
        if name in ('MM_CHECK', 'MM_ENFORCED', 'MM_RULE'):
            if rel == 'sim/profile/rule.h':
                continue  # the definitions
            if not literal or not re.fullmatch(IDS, literal):
                sys.exit(f'{where}: {name} without a literal of rule IDs')
            mutant = 'MM_MUT_NONE'
            if name != 'MM_RULE':
                after = re.match(r'\s*,\s*(MM_MUT_[A-Z0-9_]+)', text[lit.end():])
                if not after:
                    sys.exit(f'{where}: {name}: the rule IDs must be followed by the mutant')
                mutant = after.group(1)
            kind = {'MM_CHECK': 'check', 'MM_ENFORCED': 'enforced', 'MM_RULE': 'rule'}[name]
            yield where, literal, mutant, kind
        elif name == 'fail':
            if literal and re.fullmatch(r'INV-[0-9]+', literal):
                yield where, literal, 'MM_MUT_NONE', 'invariant'
        elif literal and re.fullmatch(r'ENC-[0-9]+', literal):
            yield where, literal, 'MM_MUT_NONE', 'codec'


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    rows = []
    for d, _, files in os.walk(os.path.join(root, 'sim')):
        for f in files:
            if f.endswith(('.c', '.h')):
                path = os.path.join(d, f)
                rows.extend(sites(path, os.path.relpath(path, root)))
    def key(row):
        path, line = row[0].rsplit(':', 1)
        return path, int(line)
    for where, ids, mutant, kind in sorted(rows, key=key):
        print(f'{{"{where}", "{ids}", {mutant}, "{kind}"}},')


if __name__ == '__main__':
    main()
