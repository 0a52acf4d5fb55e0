#!/usr/bin/env python3
"""docs/actors.md says the numbers the code uses: the timers of
include/mlsmig/actor.h, the exact NONCE-2 boundary around the nonce
lifetime, and the "Questions a DS author asks" and "Common pitfalls"
sections exist (issue 20: no guesswork). Runs in `make check`; --self-test
proves a changed constant fails the check.

Usage: check_actor_doc.py [--self-test] [ROOT]
"""
import os
import re
import sys


def constants(header):
    """The MM_*_MS constants of actor.h, as integers."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r'#define (MM_\w+_MS) (\d+)u', header)}


def spaced(n):
    """300000 -> '300 000' (the docs' digit grouping)."""
    return f'{n:,}'.replace(',', ' ')


def problems(header, doc):
    c = constants(header)
    out = []
    need = {
        'MM_NONCE_LIFETIME_MS': [spaced(c.get('MM_NONCE_LIFETIME_MS', 0)) + ' ms',
                                 spaced(c.get('MM_NONCE_LIFETIME_MS', 0) + 1) + ' ms',
                                 f"{c.get('MM_NONCE_LIFETIME_MS', 0) // 1000} s"],
        'MM_HOLD_MS': [spaced(c.get('MM_HOLD_MS', 0)) + ' ms',
                       f"{c.get('MM_HOLD_MS', 0) // 1000} s"],
        'MM_RETRANSMIT_MAX_MS': [f"{c.get('MM_RETRANSMIT_MAX_MS', 0) // 1000} s"],
        'MM_CLIENT_GIVE_UP_MS': [f"{c.get('MM_CLIENT_GIVE_UP_MS', 0) // 1000} s"],
    }
    for name, texts in need.items():
        if name not in c:
            out.append(f'{name} not found in include/mlsmig/actor.h')
            continue
        for t in texts:
            if t not in doc:
                out.append(f'docs/actors.md does not say {t!r} ({name} = {c[name]})')
    for section in ('## Questions a DS author asks', '## Common pitfalls', '## Timers'):
        if section not in doc:
            out.append(f'docs/actors.md has no section {section!r}')
    return out


def main(argv):
    self_test = '--self-test' in argv
    args = [a for a in argv if a != '--self-test']
    root = args[0] if args else '.'
    header = open(os.path.join(root, 'include/mlsmig/actor.h')).read()
    doc = open(os.path.join(root, 'docs/actors.md')).read()
    if self_test:
        bad = header.replace('#define MM_NONCE_LIFETIME_MS 300000u', '#define MM_NONCE_LIFETIME_MS 300500u')
        assert bad != header, 'self-test: the nonce lifetime constant moved'
        if not problems(bad, doc):
            print('actor doc: self-test: a changed lifetime was not caught')
            return 1
        if not problems(header, doc.replace('## Common pitfalls', '## Pitfalls')):
            print('actor doc: self-test: a missing section was not caught')
            return 1
        print('actor doc: self-test: a changed constant and a missing section each fail the check')
        return 0
    p = problems(header, doc)
    for line in p:
        print('actor doc:', line)
    if p:
        return 1
    print('actor doc: docs/actors.md says every timer of actor.h and the NONCE-2 boundary')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
