#!/usr/bin/env python3
"""Every function declared in include/mlsmig/*.h is documented, in the manner
of BoringSSL's bytestring.h: the comment right above its declaration is one
sentence (or more) that starts with the function's name. Runs in `make check`.

Usage: check_docs.py [ROOT]   (ROOT: the repository, default .)
"""
import glob
import os
import re
import sys

# A declaration at file scope: a return type, the name, '(' (after an
# optional MM_MUST_USE or static inline). Continuation lines are indented.
DECL = re.compile(r'^(?:MM_MUST_USE\s+)?(?:static\s+inline\s+)?(?:const\s+)?(?:struct\s+|enum\s+)?'
                  r'\w+(?:\s+const)?[\s*]+(\w+)\s*\(')


def comment_above(lines, i):
    """The text of the /* */ comment ending on the line above i, or ''."""
    j = i - 1
    if j < 0 or not lines[j].rstrip().endswith('*/') or not re.match(r'\s*(/\*|\*)', lines[j]):
        return ''
    k = j
    while k >= 0 and not lines[k].lstrip().startswith('/*'):
        k -= 1
    text = ' '.join(l.strip() for l in lines[k:j + 1])
    return re.sub(r'^/\*\s*|\s*\*/$', '', text).replace(' * ', ' ')


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    bad, n = [], 0
    for path in sorted(glob.glob(os.path.join(root, 'include', 'mlsmig', '*.h'))):
        lines = open(path, encoding='utf-8').read().split('\n')
        for i, line in enumerate(lines):
            m = DECL.match(line)
            if not m or line.startswith(('typedef', 'return', '#')):
                continue
            n += 1
            if not comment_above(lines, i).startswith(m.group(1)):
                bad.append(f'{os.path.relpath(path, root)}:{i + 1}: {m.group(1)}')
    if bad:
        print('public functions without a comment that starts with their name:')
        print('\n'.join('  ' + b for b in bad))
        sys.exit(1)
    print(f'docs: {n} public functions, each documented by a sentence that starts with its name')


if __name__ == '__main__':
    main()
