#!/usr/bin/env python3
"""Writes fuzz/scenario.dict, the libFuzzer dictionary of the scenario language: every key and enumerated value of
scenarios/scenario.schema.json, the units of quantities, the fault kinds and their parameters, and JSON tokens.

Usage: fuzz/make_dict.py [PLANELAB_BIN]   (default build/sim/cli/planelab; run from the repository root)
"""
import json
import subprocess
import sys


def dict_string(raw):
    """A libFuzzer dictionary value: quoted, with \\ and " escaped (the tokens here are ASCII)."""
    return '"' + raw.replace('\\', '\\\\').replace('"', '\\"') + '"'


def name_of(text):
    out = ''.join(c if c.isalnum() else '_' for c in text)
    return out.strip('_') or 'x'


def main():
    planelab = sys.argv[1] if len(sys.argv) > 1 else 'build/sim/cli/planelab'
    schema = json.load(open('scenarios/scenario.schema.json'))
    keys, values = set(), set()

    def walk(node):
        if not isinstance(node, dict):
            return
        for key, sub in node.get('properties', {}).items():
            keys.add(key)
            walk(sub)
        for key in ('items', 'additionalProperties'):
            walk(node.get(key))
        for value in node.get('enum', []):
            values.add(json.dumps(value))
        if 'const' in node:
            values.add(json.dumps(node['const']))
        for sub in node.get('definitions', {}).values():
            walk(sub)

    walk(schema)
    faults = json.loads(subprocess.check_output([planelab, 'faults', '--json']))
    kinds = sorted({f['kind'] for f in faults})
    params = sorted({p['name'] for f in faults for p in f['params']})
    units = ['ns', 'us', 'ms', 's', 'm', 'min', 'h', 'bps', 'kbps', 'Mbps', 'Gbps', 'Tbps', 'pps', 'kpps', 'Mpps',
             'B', 'KB', 'kB', 'MB', 'GB', 'KiB', 'MiB', 'p']
    tokens = ['{', '}', '[', ']', ':', ',', 'true', 'false', 'null', '1e400', '-1', '18446744073709551616',
              '\\u0000', '\\ud800']
    lines = ['# libFuzzer dictionary of the scenario language, written by fuzz/make_dict.py: rerun it when the schema',
             '# or the fault catalogue changes.']
    lines += ['key_%s=%s' % (name_of(k), dict_string(json.dumps(k))) for k in sorted(keys)]
    lines += ['value_%d=%s' % (i, dict_string(v)) for i, v in enumerate(sorted(values))]
    lines += ['unit_%s=%s' % (u, dict_string(u)) for u in units]
    lines += ['fault_%s=%s' % (name_of(k), dict_string(json.dumps(k))) for k in kinds]
    lines += ['param_%s=%s' % (name_of(k), dict_string(json.dumps(k))) for k in params]
    lines += ['json_%d=%s' % (i, dict_string(t)) for i, t in enumerate(tokens)]
    with open('fuzz/scenario.dict', 'w') as out:
        out.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
