#!/usr/bin/env python3
"""Checks the CI templates of examples/ci/ (run by suites/test_packaging.c).

Usage: check_ci.py --cli build/mlsmig [ROOT]
       check_ci.py --cli build/mlsmig --self-test

For each template: it is YAML (Debian's python3-yaml); it has the expected
shape (GitHub Actions: runs on push and pull requests, checks out the DS,
builds or installs mlsmig, runs `mlsmig run`, uploads the JUnit file and the
HTML report with `if: always()`; GitLab CI: a job whose script runs
`mlsmig run`, artifacts `when: always` with the JUnit report and the HTML
report); nothing lets a failed rule pass (continue-on-error, allow_failure,
`|| true`, `set +e`); and its `mlsmig run` command line is the real one:
the CLI's option parser accepts it (with --list appended, which parses
every option and starts nothing), and run against the reference DS (its
--iut replaced, two tests) it exits 0 and writes every file the template
publishes, while against a mutant of the reference DS it exits 1.

--self-test breaks copies of the templates one way at a time and fails
unless the check catches every one. Exit 0 when all is well, 1 with one
line per problem.
"""
import os
import shlex
import subprocess
import sys
import tempfile

import yaml

GITHUB = 'examples/ci/github-actions.yml'
GITLAB = 'examples/ci/gitlab-ci.yml'
# What a real run of the template's command does (the reference DS is fast).
SMOKE = ['--suite', '1', '--test', 'target.happy', 'source.happy']
MUTANT = ('--mutant skip-content-sig', ['--suite', '1', '--test', 'target.content_wrong_key'])


def run_commands(text, mkdirs=None):
    """The `mlsmig run ...` commands of a shell script (folded lines); the
    directories of the `mkdir -p` lines go to mkdirs."""
    text = text.replace('\\\n', ' ')
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith('mkdir -p ') and mkdirs is not None:
            mkdirs.extend(shlex.split(line)[2:])
        if line.startswith('mlsmig run '):
            out.append(line)
    return out


def option(args, name):
    """The value of --name in args (either form), or None."""
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + '='):
            return a[len(name) + 1:]
    return None


def published(path, paths):
    """Is path (a file or directory) inside one of the published paths?"""
    path = os.path.normpath(path)
    for p in paths:
        p = os.path.normpath(p.strip())
        if path == p or path.startswith(p + os.sep):
            return True
    return False


def check_command(cli, command, env, publish, junit_published, mkdirs, errors, where):
    """The CLI accepts the command; against the reference DS it writes what
    the template publishes; against a mutant it fails."""
    words = shlex.split(command)
    args = [os.path.expandvars(w) if '$' in w else w for w in words[2:]]
    for k, v in env.items():
        args = [a.replace('$' + k, str(v)).replace('${' + k + '}', str(v)) for a in args]
    dry = subprocess.run([cli, 'run'] + args + ['--list'], capture_output=True, text=True)
    if dry.returncode != 0:
        errors.append('%s: mlsmig refuses `%s`: %s' % (where, command, dry.stderr.strip()))
        return
    junit, html, results = option(args, '--junit'), option(args, '--html'), option(args, '--json')
    if not junit:
        errors.append('%s: `mlsmig run` writes no JUnit file (--junit)' % where)
    if not html:
        errors.append('%s: `mlsmig run` writes no HTML report (--html)' % where)
    for what, path in (('JUnit file', junit), ('HTML report', html), ('results', results)):
        if path and not published(path, publish):
            errors.append('%s: the %s %s is not published as an artifact' % (where, what, path))
    if junit and not junit_published(junit):
        errors.append('%s: the JUnit file %s is not published as test results' % (where, junit))
    if not junit or not html:
        return
    ref = os.path.join(os.path.dirname(os.path.abspath(cli)), 'mlsmig-ref-ds')
    iut = option(args, '--iut')
    if iut is None:
        errors.append('%s: `mlsmig run` has no --iut (it would test the reference DS)' % where)
        return
    for mutant, extra, want in (('', SMOKE, 0), (MUTANT[0], MUTANT[1], 1)):
        real = [ref + ' ' + mutant if a == iut else a for a in args]
        with tempfile.TemporaryDirectory() as d:
            for m in mkdirs:  # what the script makes before the command
                os.makedirs(os.path.join(d, m), exist_ok=True)
            r = subprocess.run([os.path.abspath(cli), 'run'] + real + extra, cwd=d,
                               capture_output=True, text=True)
            if r.returncode != want:
                errors.append('%s: against the reference DS%s the command exits %d, not %d: %s'
                              % (where, ' with a mutant' if mutant else '', r.returncode, want,
                                 r.stderr.strip()[-300:]))
                continue
            for path in (junit, os.path.join(html, 'index.html')):
                if not os.path.isfile(os.path.join(d, path)):
                    errors.append('%s: the command does not write %s' % (where, path))


def lets_failure_pass(script):
    s = ' '.join(script.split())
    return '|| true' in s or 'set +e' in s or '|| exit 0' in s


def check_github(text, cli, errors):
    where = GITHUB
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        errors.append('%s: not YAML: %s' % (where, str(e).splitlines()[0]))
        return
    if not isinstance(doc, dict):
        errors.append('%s: not a workflow (a mapping)' % where)
        return
    on = doc.get('on', doc.get(True))  # YAML 1.1 reads a bare `on` as true
    triggers = on if isinstance(on, (dict, list)) else [on]
    for t in ('push', 'pull_request'):
        if t not in triggers:
            errors.append('%s: the workflow does not run on %s' % (where, t))
    jobs = doc.get('jobs') or {}
    if not isinstance(jobs, dict) or not jobs:
        errors.append('%s: no jobs' % where)
        return
    env = dict(doc.get('env') or {})
    found = 0
    for name, job in jobs.items():
        steps = job.get('steps') or []
        env_job = dict(env, **(job.get('env') or {}))
        uses = [str(s.get('uses', '')) for s in steps]
        runs = [s for s in steps if 'run' in s]
        mkdirs = []
        commands = [(s, c) for s in runs for c in run_commands(str(s['run']), mkdirs)]
        if not commands:
            continue
        found += 1
        if not any(u.startswith('actions/checkout@') for u in uses):
            errors.append('%s: job %s does not check out the DS' % (where, name))
        if not any('make -C' in str(s['run']) or '.deb' in str(s['run']) for s in runs):
            errors.append('%s: job %s neither builds mlsmig nor installs its .deb' % (where, name))
        if job.get('continue-on-error'):
            errors.append('%s: job %s has continue-on-error: a failed rule would pass' % (where, name))
        publish = []
        for s in steps:
            if str(s.get('uses', '')).startswith('actions/upload-artifact@'):
                if 'always()' not in str(s.get('if', '')):
                    errors.append('%s: an upload step lacks `if: always()`: a failed run would '
                                  'publish nothing' % where)
                publish += str((s.get('with') or {}).get('path', '')).splitlines()
        for s, c in commands:
            if s.get('continue-on-error'):
                errors.append('%s: the `mlsmig run` step has continue-on-error' % where)
            if lets_failure_pass(str(s['run'])):
                errors.append('%s: the `mlsmig run` step ignores its exit status' % where)
            check_command(cli, c, env_job, publish, lambda j: published(j, publish), mkdirs,
                          errors, where)
    if not found:
        errors.append('%s: no step runs `mlsmig run`' % where)


def check_gitlab(text, cli, errors):
    where = GITLAB
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        errors.append('%s: not YAML: %s' % (where, str(e).splitlines()[0]))
        return
    if not isinstance(doc, dict):
        errors.append('%s: not a pipeline (a mapping)' % where)
        return
    env = dict(doc.get('variables') or {})
    stages = doc.get('stages') or ['build', 'test', 'deploy']
    found = 0
    for name, job in doc.items():
        if not isinstance(job, dict) or 'script' not in job:
            continue
        script = job.get('script') or []
        script = script if isinstance(script, list) else [script]
        before = job.get('before_script') or []
        before = before if isinstance(before, list) else [before]
        mkdirs = []
        commands = [c for line in script for c in run_commands(str(line), mkdirs)]
        if not commands:
            continue
        found += 1
        if job.get('stage', 'test') not in stages:
            errors.append('%s: job %s is in an undeclared stage' % (where, name))
        if not any('make -C' in str(l) or '.deb' in str(l) for l in before + script):
            errors.append('%s: job %s neither builds mlsmig nor installs its .deb' % (where, name))
        if job.get('allow_failure'):
            errors.append('%s: job %s has allow_failure: a failed rule would pass' % (where, name))
        if any(lets_failure_pass(str(l)) for l in script):
            errors.append('%s: job %s ignores the exit status of `mlsmig run`' % (where, name))
        art = job.get('artifacts') or {}
        if art.get('when') != 'always':
            errors.append('%s: job %s: artifacts are not `when: always`: a failed run would '
                          'publish nothing' % (where, name))
        reports = art.get('reports') or {}
        junit = reports.get('junit')
        junit = junit if isinstance(junit, list) else [junit] if junit else []
        job_env = dict(env, **(job.get('variables') or {}))
        for c in commands:
            check_command(cli, c, job_env, [str(p) for p in art.get('paths') or []],
                          lambda j: published(j, junit), mkdirs, errors, where)
    if not found:
        errors.append('%s: no job runs `mlsmig run`' % where)


def check_all(root, cli, texts=None):
    errors = []
    texts = texts or {}
    for path, fn in ((GITHUB, check_github), (GITLAB, check_gitlab)):
        if path in texts:
            text = texts[path]
        else:
            with open(os.path.join(root, path)) as f:
                text = f.read()
        fn(text, cli, errors)
    return errors


# Each breaks one template in one way the check must catch.
BREAKS = [
    (GITHUB, 'if: always()\n', 'if: success()\n'),
    (GITHUB, "      - name: Run mlsmig against the DS\n",
     "      - name: Run mlsmig against the DS\n        continue-on-error: true\n"),
    (GITHUB, '--junit reports/junit.xml', '--junitt reports/junit.xml'),
    (GITHUB, '--junit reports/junit.xml', '--junit reports/other.xml'),
    (GITHUB, '--html reports/html', '--html reports/elsewhere'),
    (GITHUB, '--html reports/html', '--tap reports/r.tap'),
    (GITHUB, '            --html reports/html\n', '            --html reports/html || true\n'),
    (GITHUB, 'pull_request:', 'workflow_dispatch:'),
    (GITHUB, 'make -C .mlsmig install', 'true'),
    (GITHUB, 'mlsmig run --iut "$DS_SHIM"', 'mlsmig run --iut "$DS_SHIM" --seed 0'),
    (GITHUB, 'steps:', 'steps: ['),
    (GITHUB, '          mkdir -p reports\n', ''),
    (GITLAB, '    when: always\n', '    when: on_success\n'),
    (GITLAB, '  stage: test\n', '  stage: test\n  allow_failure: true\n'),
    (GITLAB, '      junit: reports/junit.xml', '      junit: reports/other.xml'),
    (GITLAB, '      - reports/html/\n', ''),
    (GITLAB, '--role both', '--role all'),
    (GITLAB, '      --html reports/html\n', '      --html reports/html || true\n'),
    (GITLAB, '- make -C /opt/mlsmig install', '- echo'),
    (GITLAB, '    - mkdir -p reports\n', ''),
]


def self_test(root, cli):
    texts = {}
    for p in (GITHUB, GITLAB):
        with open(os.path.join(root, p)) as f:
            texts[p] = f.read()
    bad = 0
    base = check_all(root, cli, texts)
    if base:
        print('self-test: the templates themselves fail: %s' % base[0])
        return 1
    for path, old, new in BREAKS:
        if old not in texts[path]:
            print('self-test: %s has no %r to break' % (path, old))
            bad += 1
            continue
        broken = dict(texts)
        broken[path] = texts[path].replace(old, new, 1)
        if not check_all(root, cli, broken):
            print('self-test: %s with %r -> %r passes' % (path, old.strip(), new.strip()))
            bad += 1
    if not bad:
        print('check_ci self-test: %d broken templates, each caught' % len(BREAKS))
    return 1 if bad else 0


def main(argv):
    cli, root, selftest = None, None, False
    i = 0
    while i < len(argv):
        if argv[i] == '--cli' and i + 1 < len(argv):
            cli = argv[i + 1]
            i += 2
            continue
        if argv[i] == '--self-test':
            selftest = True
        else:
            root = argv[i]
        i += 1
    if not cli:
        print(__doc__.strip().splitlines()[2])
        return 2
    root = root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if selftest:
        return self_test(root, cli)
    errors = check_all(root, cli)
    for e in errors:
        print(e)
    if not errors:
        print('check_ci: %s and %s parse, publish the JUnit file and the HTML report, and '
              'their `mlsmig run` lines run' % (GITHUB, GITLAB))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
