#!/usr/bin/python3
"""Rebuilds report.json of W11 (buffered asynchronous training against synchronous FedAvg with over-selection) from the
simulator's outputs, and prints it to stdout.

Usage: collect.py [RUNS=/tmp/w11] > report.json

RUNS holds what run.sh writes: {sync,async}-seedN/report.json (fmnist-async-sync and fmnist-async with seed N,
--runs 1, the two modes interleaved seed by seed) and series.txt (the start and end of every invocation).

Per seed: the target is the synchronous run's final accuracy (mean of its last 5 rounds); time to target is the wall time
since training began (rounds[].elapsed) of the first version at or above it, in each mode; the speed-up is sync / async.
The final-accuracy comparison takes the async run's mean of its last 5 versions published within the sync run's total
training time (the same wall-clock budget), minus the sync run's mean of its last 5 rounds.
"""
import json, os, statistics, sys

RUNS = sys.argv[1] if len(sys.argv) > 1 else '/tmp/w11'
SEEDS = [0, 1, 2]


def load(p):
    return json.load(open(p)) if os.path.exists(p) else None


def stats(v):
    v = [x for x in v if x is not None]
    return None if not v else {'median': round(statistics.median(v), 4), 'min': round(min(v), 4), 'max': round(max(v), 4), 'n': len(v)}


def time_to(rows, target):
    for r in rows:
        if r['accuracy'] is not None and r['accuracy'] >= target:
            return r['elapsed']
    return None


def last5(rows):
    acc = [r['accuracy'] for r in rows if r['accuracy'] is not None][-5:]
    return sum(acc) / len(acc) if acc else None


seeds = []
for s in SEEDS:
    sync, asyn = load(f'{RUNS}/sync-seed{s}/report.json'), load(f'{RUNS}/async-seed{s}/report.json')
    if not sync or not asyn:
        continue
    target = last5(sync['rounds'])
    t_sync, t_async = time_to(sync['rounds'], target), time_to(asyn['rounds'], target)
    budget = sync['rounds'][-1]['elapsed']
    within = [r for r in asyn['rounds'] if r['elapsed'] <= budget]
    seeds.append({
        'seed': s, 'targetAccuracy': round(target, 4),
        'syncSecondsToTarget': round(t_sync, 2), 'asyncSecondsToTarget': None if t_async is None else round(t_async, 2),
        'speedup': None if t_async is None else round(t_sync / t_async, 3),
        'syncFinalAccuracy': round(target, 4), 'syncTrainingSeconds': round(budget, 1), 'syncRounds': len(sync['rounds']),
        'syncMedianRoundSeconds': round(sync['summary']['medianRoundSeconds'], 3),
        'asyncFinalAccuracyWithinSyncTime': round(last5(within), 4), 'asyncVersionsWithinSyncTime': len(within),
        'asyncMedianVersionSeconds': round(asyn['summary']['medianRoundSeconds'], 3),
        'asyncFinalAccuracy': round(last5(asyn['rounds']), 4), 'asyncVersions': len(asyn['rounds']),
        'finalGapPoints': round(100 * (last5(within) - target), 2),
        'syncAccuracyCurve': [[round(r['elapsed'], 2), r['accuracy']] for r in sync['rounds']],
        'asyncAccuracyCurve': [[round(r['elapsed'], 2), r['accuracy']] for r in asyn['rounds']],
    })

some = next(iter(load(f'{RUNS}/async-seed{s}/report.json') for s in SEEDS if os.path.exists(f'{RUNS}/async-seed{s}/report.json')), None)
report = {
    'benchmark': 'W11 async (issue 28)',
    'date': '2026-12-07',
    'machine': '2-core AMD EPYC VM, 24 GB, OpenJDK 17',
    'command': 'benchmarks/results/2026-12-07-async/run.sh (bin/flock simulate --config fmnist-async[-sync]-seedN.yaml, '
               'seeds 0-2, interleaved)',
    'scenario': None if some is None else {k: some['config'][k] for k in ('devices', 'devicesPerRound', 'minResults', 'model',
                                                                         'training', 'coordinator', 'deviceProfiles')},
    'summary': {
        'speedup': stats([x['speedup'] for x in seeds]),
        'syncSecondsToTarget': stats([x['syncSecondsToTarget'] for x in seeds]),
        'asyncSecondsToTarget': stats([x['asyncSecondsToTarget'] for x in seeds]),
        'finalGapPoints': stats([x['finalGapPoints'] for x in seeds]),
        'syncMedianRoundSeconds': stats([x['syncMedianRoundSeconds'] for x in seeds]),
        'asyncMedianVersionSeconds': stats([x['asyncMedianVersionSeconds'] for x in seeds]),
    },
    'seeds': seeds,
}
if os.path.exists(f'{RUNS}/series.txt'):
    report['series'] = open(f'{RUNS}/series.txt').read().split('\n')[:40]
print(json.dumps(report, indent=1))
