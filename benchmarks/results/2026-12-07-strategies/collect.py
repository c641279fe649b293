#!/usr/bin/python3
"""Builds report.json from the raw W2 and W8 series (bin/flock simulate --runs N --out DIR), keeping each run's
per-round accuracy and its summary only: the per-run folders and their plots stay behind.
Usage: collect.py W8_OUT W2_OUT JMH_KERNEL_JSON JMH_COST_JSON > report.json (any argument may be '-' to skip)."""
import json, os, re, statistics, sys

def summary(path):
    rep = json.load(open(path))
    acc, last = [], None
    for x in rep['rounds']:   # a failed round keeps the version: its accuracy is the last one measured
        last = x['accuracy'] if x['accuracy'] is not None else last
        acc.append(last)
    return rep['config'], {'seed': rep['config']['seed'], 'final': acc[-1], 'last5': round(statistics.mean(acc[-5:]), 5),
                           'best': max(a for a in acc if a is not None), 'failedRounds': sum(x['participants'] == 0 for x in rep['rounds']),
                           'failedTasks': sum(x['failures'] for x in rep['rounds']),
                           'totalSeconds': round(rep['summary']['totalSeconds'], 1), 'accuracy': acc}

def runs_of(d):
    """A series' runs: DIR/run-K/report.json for --runs N > 1, DIR/report.json for one run."""
    paths = sorted(os.path.join(d, n, 'report.json') for n in os.listdir(d) if n.startswith('run-'))
    paths = [p for p in paths if os.path.exists(p)] or [p for p in [os.path.join(d, 'report.json')] if os.path.exists(p)]
    pairs = [summary(p) for p in paths]
    if not pairs:
        return [], {}
    cfg = pairs[0][0]
    return [r for _, r in pairs], {'strategy': cfg.get('strategy'), 'coordinator': cfg.get('coordinator')}

def stats(runs, key):
    v = [r[key] for r in runs]
    return {'median': statistics.median(v), 'min': min(v), 'max': max(v), 'n': len(v)}

def series(root):
    """Each DIR under root is a series; DIR-seedN holds more runs of DIR's series (a single run with run seed N)."""
    runs_by, cfg_by = {}, {}
    if root == '-' or not os.path.isdir(root):
        return {}
    for name in sorted(os.listdir(root)):
        d = os.path.join(root, name)
        if os.path.exists(os.path.join(d, 'SKIPPED')):   # a configuration left out of the series
            continue
        runs, cfg = runs_of(d)
        key = re.sub(r'-seed[0-9]+$', '', name)
        if runs:
            runs_by.setdefault(key, []).extend(runs)
            cfg_by.setdefault(key, cfg)
    return {k: {'settings': cfg_by[k], 'final': stats(v, 'final'), 'last5': stats(v, 'last5'), 'best': stats(v, 'best'),
                'runs': sorted(v, key=lambda r: r['seed'])} for k, v in runs_by.items()}

def jmh(path):
    if path == '-' or not os.path.exists(path):
        return []
    return [{'benchmark': b['benchmark'].rsplit('.', 2)[-2] + '.' + b['benchmark'].rsplit('.', 1)[-1], 'params': b.get('params'),
             'forks': b['forks'], 'unit': b['primaryMetric']['scoreUnit'], 'score': b['primaryMetric']['score'],
             'error': b['primaryMetric']['scoreError'], 'raw': [x for f in b['primaryMetric']['rawData'] for x in f],
             'allocBytesPerOp': b.get('secondaryMetrics', {}).get('gc.alloc.rate.norm', {}).get('score')}
            for b in json.load(open(path))]

META = {'date': '2026-12-07', 'machine': '2-core VM, AMD EPYC, 24 GB, L2 1 MiB a core, L3 32 MiB; OpenJDK 17.0.15',
        'code': {'b8ad0b1': 'W8 (all but multi-Krum m 3 without attackers), W2 fedavg, fedavgm, fedprox',
                 '5607710': 'W2 fedadam, fedyogi, fedadagrad; W8 clean-multi-krum-m3; JMH (benchmarks/jmh)'},
        'commands': {'w8': 'bin/flock simulate --scenario fmnist-byzantine-ATTACK [--set strategy.aggregator=RULE ...] --runs 3',
                     'w2': 'bin/flock simulate --scenario fmnist-niid-bench [--set strategy.name=NAME ...] --runs 3 (one run: seed 0)',
                     'w6': 'benchmarks/jmh AggregationKernelBenchmark -rf json', 'cost': 'benchmarks/jmh AggregatorCostBenchmark -prof gc -rf json'}}
w8, w2, kernel, cost = (sys.argv[1:] + ['-'] * 4)[:4]
print(json.dumps({'meta': META, 'w8': series(w8), 'w2': series(w2), 'w6': jmh(kernel), 'aggregatorCost': jmh(cost)}, indent=1))
