#!/usr/bin/env python3
"""Checks the include lines of sim/ and include/mlsmig/ against sim/LAYERS.

Usage: check_layers.py [ROOT]      (ROOT defaults to the repository root)
       check_layers.py --self-test  (the check must fail on a copy of the
                                     tree with an upward include, a private
                                     include and an include not from sim/)

Fails (exit 1, one line per violation) when a file includes a header of a
layer its own layer may not reach, another folder's private header, a
header that does not exist, or lives in a folder sim/LAYERS does not
declare. Exit 2 when sim/LAYERS itself is malformed.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def load(path):
    allowed, public, private = {}, {}, {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            words = line.split('#', 1)[0].split()
            if not words:
                continue
            if words[0] == 'public' and len(words) >= 3:
                for h in words[2:]:
                    public[h] = words[1]
            elif words[0] == 'private' and len(words) >= 3:
                for h in words[2:]:
                    private[words[1] + '/' + h] = words[1]
            elif len(words) >= 2:
                allowed[words[0]] = [] if words[1:] == ['-'] else words[1:]
            else:
                sys.exit('%s:%d: malformed line' % (path, n))
    for layer, deps in allowed.items():
        for d in deps:
            if d not in allowed:
                sys.exit('%s: layer %s may include unknown layer %s' % (path, layer, d))
    for h, layer in list(public.items()) + list(private.items()):
        if layer not in allowed:
            sys.exit('%s: %s belongs to unknown layer %s' % (path, h, layer))
    return allowed, public, private


def closure(allowed):
    reach = {}
    for layer in allowed:
        seen, todo = set(), list(allowed[layer])
        while todo:
            d = todo.pop()
            if d not in seen:
                seen.add(d)
                todo.extend(allowed[d])
        if layer in seen:
            sys.exit('sim/LAYERS: layer %s reaches itself (a cycle)' % layer)
        reach[layer] = seen | {layer}
    return reach


def self_test():
    import shutil
    import subprocess
    import tempfile
    tmp = tempfile.mkdtemp()
    try:
        for d in ('sim', 'include'):
            shutil.copytree(d, os.path.join(tmp, d))
        plants = [('sim/base/hex.c', '"runner/runner.h"', 'layer base may not include'),
                  ('sim/client/client.c', '"ds/hosted.h"', 'is private to sim/ds/'),
                  ('sim/codec/tbs.c', '"tbs.h"', 'write includes from sim/')]
        for path, inc, _ in plants:
            with open(os.path.join(tmp, path), 'a') as f:
                f.write('#include %s\n' % inc)
        p = subprocess.run([sys.executable, __file__, tmp], capture_output=True, text=True)
        missing = [why for _, _, why in plants if why not in p.stdout]
        if p.returncode != 1 or missing:
            print('layers: self-test: the check did not catch %s (exit %d)'
                  % (', '.join(missing) or 'the violations', p.returncode))
            return 1
        print('layers: self-test: an upward include, a private include and a bare include '
              'each fail the check')
        return 0
    finally:
        shutil.rmtree(tmp)


def main():
    if sys.argv[1:] == ['--self-test']:
        return self_test()
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    allowed, public, private = load(os.path.join(root, 'sim', 'LAYERS'))
    reach = closure(allowed)
    bad = []
    files = []
    for d, _, names in os.walk(os.path.join(root, 'sim')):
        for name in names:
            if name.endswith(('.c', '.h')):
                files.append(os.path.join(d, name))
    for name in os.listdir(os.path.join(root, 'include', 'mlsmig')):
        if name.endswith('.h'):
            files.append(os.path.join(root, 'include', 'mlsmig', name))
    for path in sorted(files):
        rel = os.path.relpath(path, root)
        if rel.startswith('include/'):
            stem = os.path.basename(rel)[:-2]
            layer = public.get(stem)
            if layer is None:
                bad.append('%s: public header in no layer (add a `public` line to sim/LAYERS)' % rel)
                continue
        else:
            layer = os.path.dirname(rel)[len('sim/'):]
            if layer not in allowed:
                bad.append('%s: folder sim/%s is not a layer of sim/LAYERS' % (rel, layer))
                continue
        text = open(path, errors='replace').read()
        for m in INCLUDE.finditer(text):
            inc = m.group(1)
            line = text.count('\n', 0, m.start()) + 1
            where = '%s:%d' % (rel, line)
            if inc.startswith('mlsmig/'):
                stem = inc[len('mlsmig/'):-2]
                if not os.path.exists(os.path.join(root, 'include', inc)):
                    bad.append('%s: "%s" does not exist' % (where, inc))
                    continue
                target = public.get(stem)
                if target is None:
                    continue  # reported above for the header itself
            elif '/' in inc:
                if not os.path.exists(os.path.join(root, 'sim', inc)):
                    bad.append('%s: "%s" does not exist under sim/' % (where, inc))
                    continue
                target = os.path.dirname(inc)
                owner = private.get(inc)
                if owner is not None and layer != owner and not layer.startswith(owner + '/'):
                    bad.append('%s: "%s" is private to sim/%s/' % (where, inc, owner))
                    continue
            else:
                # only the generated .inc files (build/gen) go without a folder
                if not inc.endswith('.inc'):
                    bad.append('%s: "%s": write includes from sim/ ("folder/%s")' % (where, inc, inc))
                continue
            if target not in reach.get(layer, ()):
                bad.append('%s: layer %s may not include "%s" (layer %s)' % (where, layer, inc, target))
    for b in bad:
        print('layers: ' + b)
    if bad:
        print('layers: %d violation(s) of sim/LAYERS' % len(bad))
        return 1
    print('layers: %d files, %d layers, every include within its layer (sim/LAYERS)'
          % (len(files), len(allowed)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
