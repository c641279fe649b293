#!/usr/bin/python3
"""Rebuilds report.json from the simulator's outputs of the W9 (differential privacy) and W10 (secure aggregation)
series, and prints it to stdout.

Usage: collect.py [RUNS=/tmp] [WORKTREE=/work/wt-measure] > report.json

RUNS holds (what the commands in README.md write):
  w9/{none,eps8,eps4,eps1}/run-K/report.json       fmnist-dp-*, --runs 3 (run-K is seed K-1)
  w9/NAME.log                                       console of each invocation (scanned for WARN/ERROR/exceptions)
  w10/{plain,secure}-seedN/report.json              fmnist-secagg with seed N (a YAML copy), --runs 1, interleaved
  w10/dropout/run-K/report.json                     fmnist-secagg-dropout, --runs 3
  w10/*.log, series.txt                             consoles and the start/end timeline of every invocation
"""
import glob, json, os, re, statistics, subprocess, sys

RUNS = sys.argv[1] if len(sys.argv) > 1 else '/tmp'
WT = sys.argv[2] if len(sys.argv) > 2 else '/work/wt-measure'
SHIPPED = os.path.join(WT, 'simulator/src/main/resources/scenarios')
DP = [('none', None), ('eps8', 8), ('eps4', 4), ('eps1', 1)]
SEEDS = [0, 1, 2]
FP32_UPDATE_BYTES = 199210 * 4  # the W1 MLP 784-200-200-10, fp32, without header


def load(p):
    return json.load(open(p)) if os.path.exists(p) else None


def stats(v):
    v = [x for x in v if x is not None]
    if not v:
        return None
    g = lambda x: float(f'{x:.7g}')  # 7 significant digits (the secure-sum errors are ~1e-7)
    return {'median': g(statistics.median(v)), 'min': g(min(v)), 'max': g(max(v)), 'n': len(v)}


def rnd(x, k=4):
    return None if x is None else round(x, k)


def scan_log(p):
    """WARN/ERROR lines and exceptions of a console log: counts and the first distinct messages (numbers masked)."""
    if not os.path.exists(p):
        return None
    warn, err, exc, seen = 0, 0, 0, {}
    for line in open(p, errors='replace'):
        kind = 'WARN' if ' WARN ' in line else 'ERROR' if ' ERROR ' in line else \
            'EXC' if re.search(r'(Exception|Error)(:|$)', line) and not line.startswith('\t') else None
        if not kind:
            continue
        warn += kind == 'WARN'
        err += kind == 'ERROR'
        exc += kind == 'EXC'
        msg = re.sub(r'^\S+ +(WARN|ERROR) +', r'\1 ', line.strip())
        key = re.sub(r'\d+(\.\d+)?', '#', msg)[:160]
        if key not in seen:
            seen[key] = [msg[:240], 0]
        seen[key][1] += 1
    return {'warn': warn, 'error': err, 'exceptionLines': exc,
            'distinct': [{'first': m, 'count': c} for m, c in list(seen.values())[:8]], 'distinctTotal': len(seen)}


# ---------------------------------------------------------------- W9: differential privacy
def central_dp_log(p):
    """The coordinator's CentralDp lines of a console log (3 runs x 50 rounds): how many of the 100 updates arrived
    clipped (at or over C) per round, the lied-about norms, and the noise std on the mean."""
    if not os.path.exists(p):
        return None
    clipped, lied, std = [], [], set()
    for line in open(p, errors='replace'):
        m = re.search(r'central DP: (\d+) updates, .* (\d+) at or over C=\S+ \(clipped\), (\d+) lied .* noise std (\S+) on the mean', line)
        if m:
            clipped.append(int(m.group(2)))
            lied.append(int(m.group(3)))
            std.add(m.group(4))
    return {'roundsLogged': len(clipped), 'clippedOf100': stats(clipped), 'liedTotal': sum(lied),
            'noiseStdOnMean': sorted(std)} if clipped else None


def dp_run(rep):
    s, rows = rep['summary'], rep['rounds']
    return {'seed': rep['config']['seed'],
            'meanAccuracyLast5': rnd(s['meanAccuracyLast5'], 5), 'finalAccuracy': s['finalAccuracy'],
            'finalEpsilon': rnd(s.get('finalEpsilon'), 4), 'medianRoundSeconds': rnd(s['medianRoundSeconds'], 3),
            'rounds': len(rows), 'failures': sum(r['failures'] for r in rows),
            'minParticipants': min(r['participants'] for r in rows), 'totalSeconds': rnd(s.get('totalSeconds'), 1)}


def w9():
    out = {}
    for name, eps in DP:
        runs, series = [], None
        for k in (1, 2, 3):
            rep = load(os.path.join(RUNS, 'w9', name, f'run-{k}', 'report.json'))
            if rep is None:
                continue
            runs.append(dp_run(rep))
            if rep['config']['seed'] == 0:  # seed 0's accuracy and epsilon per round, for the second plot
                series = {'accuracy': [r['accuracy'] for r in rep['rounds']],
                          'epsilon': [rnd(r.get('epsilon'), 4) for r in rep['rounds']]}
        cfg = (load(os.path.join(RUNS, 'w9', name, 'run-1', 'report.json')) or {}).get('config', {}).get('coordinator')
        out[f'fmnist-dp-{name}'] = {
            'targetEpsilon': eps, 'coordinator': cfg, 'runs': runs,
            'medians': {k: stats([r[k] for r in runs]) for k in
                        ('meanAccuracyLast5', 'finalAccuracy', 'finalEpsilon', 'medianRoundSeconds')},
            'seed0PerRound': series, 'log': scan_log(os.path.join(RUNS, 'w9', name + '.log')),
            'centralDp': central_dp_log(os.path.join(RUNS, 'w9', name + '.log'))}
    base = {r['seed']: r['meanAccuracyLast5'] for r in out['fmnist-dp-none']['runs']}
    base_med = out['fmnist-dp-none']['medians']['meanAccuracyLast5']['median']
    for name, eps in DP[1:]:
        s = out[f'fmnist-dp-{name}']
        if not s['runs']:
            continue
        # gap in points: no DP minus DP (positive: DP is worse), of the medians and per seed (paired)
        s['gapPointsOfMedians'] = rnd(100 * (base_med - s['medians']['meanAccuracyLast5']['median']), 2)
        paired = {str(r['seed']): rnd(100 * (base[r['seed']] - r['meanAccuracyLast5']), 2) for r in s['runs'] if r['seed'] in base}
        s['gapPointsPerSeed'] = paired
        s['gapPointsPaired'] = stats(list(paired.values()))
    e8 = out['fmnist-dp-eps8']
    if not e8['runs']:
        return out, None
    verdict = {'target': 'at epsilon <= 8 (delta 1e-5) the mean accuracy of the last 5 rounds within 3 points of no DP',
               'eps8GapOfMedians': e8['gapPointsOfMedians'], 'eps8GapPairedMax': e8['gapPointsPaired']['max'],
               'eps8FinalEpsilonMax': e8['medians']['finalEpsilon']['max'],
               'met': e8['gapPointsOfMedians'] <= 3 and e8['medians']['finalEpsilon']['max'] <= 8,
               'metInEverySeed': e8['gapPointsPaired']['max'] <= 3}
    return out, verdict


# ---------------------------------------------------------------- W10: secure aggregation
def sa_run(rep):
    rows = rep['rounds']
    # per device asked (summed + failed: 100 in every round here, the 30 dropped devices included)
    per_dev = [r['bytesUp'] / (r['participants'] + r['failures']) for r in rows]
    later = [b for r, b in zip(rows, per_dev) if r['round'] >= 2 and b is not None]
    sums = rep.get('secureSum') or []
    return {'seed': rep['config']['seed'],
            'secure': rep['config']['coordinator'].get('training.secure-aggregation'),
            'medianRoundSeconds': rnd(rep['summary']['medianRoundSeconds'], 3),
            'roundSeconds': [rnd(r['seconds'], 3) for r in rows],
            'participants': [r['participants'] for r in rows], 'failures': [r['failures'] for r in rows],
            'roundsPublished': sum(1 for r in rows if r['participants'] > 0),
            'bytesUpPerDevice': [rnd(b, 0) for b in per_dev],
            'bytesUpPerDeviceMedianRounds2to5': rnd(statistics.median(later), 1) if later else None,
            'bytesDownPerDevice': [rnd(r['bytesDown'] / (r['participants'] + r['failures']), 0) for r in rows],
            'accuracy': [r['accuracy'] for r in rows], 'finalAccuracy': rep['summary']['finalAccuracy'],
            'warmupMedianRoundSeconds': [rnd(w.get('medianRoundSeconds'), 3) for w in rep.get('warmup', [])],
            'secureSum': [{'round': x['round'], 'expectedContributors': x['expectedContributors'], 'summed': x['summed'],
                           'maxAbsError': x['maxAbsError']} for x in sums],
            'secureSumMaxAbsError': max((x['maxAbsError'] for x in sums if x['maxAbsError'] is not None), default=None),
            'secureSumUnchecked': sum(1 for x in sums if x['maxAbsError'] is None)}


def phases(p, run=1):
    """Per measured round of measured run `run` (the console after 'warm-up done', cut at 'measured run K/N' when there
    are several), from the coordinator's log timestamps, in seconds: plain: sampled -> 100 results received; secure:
    sampled -> every device finished training and advertised keys ('train+keys'), then -> sum unmasked ('secure
    stages': shares, masked vectors, reveals; with dropouts this includes the wait for the vectors that never come),
    and sampled -> aggregated for both."""
    if not os.path.exists(p):
        return None
    text = open(p, errors='replace').read().split('warm-up done', 1)[-1]
    parts = re.split(r'measured run \d+/\d+', text)
    lines = (parts[run] if len(parts) > 1 else parts[0]).splitlines()
    ts = lambda l: sum(float(x) * f for x, f in zip(l[:12].split(':'), (3600, 60, 1)))
    ev = {}
    for l in lines:
        m = re.search(r'(?:RoundEngine|SecureSession) - round=(\d+) (sampled|received|\d+ of \d+ devices finished training|secure aggregation: keys.*sum unmasked|aggregated)', l)
        if m and re.match(r'\d\d:\d\d:\d\d\.\d+', l):
            kind = m.group(2).split()[0] if not m.group(2)[0].isdigit() else 'advertised'
            ev.setdefault(int(m.group(1)), {})[{'secure': 'unmasked'}.get(kind, kind)] = ts(l)
    out = []
    for r, e in sorted(ev.items()):
        if 'sampled' not in e or 'aggregated' not in e:
            continue
        row = {'round': r, 'sampledToAggregated': round(e['aggregated'] - e['sampled'], 3)}
        if 'received' in e:
            row['sampledToReceived'] = round(e['received'] - e['sampled'], 3)
        if 'advertised' in e and 'unmasked' in e:
            row['trainAndKeys'] = round(e['advertised'] - e['sampled'], 3)
            row['secureStages'] = round(e['unmasked'] - e['advertised'], 3)
        out.append(row)
    return out


def w10():
    pairs = []
    for n in SEEDS:
        p = load(os.path.join(RUNS, 'w10', f'plain-seed{n}', 'report.json'))
        s = load(os.path.join(RUNS, 'w10', f'secure-seed{n}', 'report.json'))
        pr, sr = (sa_run(p) if p else None), (sa_run(s) if s else None)
        for run, mode in ((pr, 'plain'), (sr, 'secure')):
            if run:
                run['phaseSeconds'] = phases(os.path.join(RUNS, 'w10', f'{mode}-seed{n}.log'))
        pair = {'seed': n, 'plain': pr, 'secure': sr}
        if pr and sr:
            pair['roundSecondsRatio'] = rnd(sr['medianRoundSeconds'] / pr['medianRoundSeconds'], 3)
            pair['bytesUpRatio'] = rnd(sr['bytesUpPerDeviceMedianRounds2to5'] / pr['bytesUpPerDeviceMedianRounds2to5'], 4)
            pair['secureBytesUpOverFp32Update'] = rnd(sr['bytesUpPerDeviceMedianRounds2to5'] / FP32_UPDATE_BYTES, 4)
        pairs.append(pair)
    agg = {'plainMedianRoundSeconds': stats([p['plain']['medianRoundSeconds'] for p in pairs if p['plain']]),
           'secureMedianRoundSeconds': stats([p['secure']['medianRoundSeconds'] for p in pairs if p['secure']]),
           'plainBytesUpPerDevice': stats([p['plain']['bytesUpPerDeviceMedianRounds2to5'] for p in pairs if p['plain']]),
           'secureBytesUpPerDevice': stats([p['secure']['bytesUpPerDeviceMedianRounds2to5'] for p in pairs if p['secure']]),
           'roundSecondsRatio': stats([p.get('roundSecondsRatio') for p in pairs]),
           'bytesUpRatio': stats([p.get('bytesUpRatio') for p in pairs]),
           'secureBytesUpOverFp32Update': stats([p.get('secureBytesUpOverFp32Update') for p in pairs]),
           'secureSumMaxAbsError': stats([p['secure']['secureSumMaxAbsError'] for p in pairs if p['secure']]),
           'plainSampledToReceivedRounds2to5': stats([x['sampledToReceived'] for p in pairs if p['plain'] for x in p['plain']['phaseSeconds'] or [] if x['round'] >= 2]),
           'secureTrainAndKeysRounds2to5': stats([x['trainAndKeys'] for p in pairs if p['secure'] for x in p['secure']['phaseSeconds'] or [] if x['round'] >= 2 and 'trainAndKeys' in x]),
           'secureStagesRounds2to5': stats([x['secureStages'] for p in pairs if p['secure'] for x in p['secure']['phaseSeconds'] or [] if x['round'] >= 2 and 'secureStages' in x]),
           'plainFinalAccuracy': stats([p['plain']['finalAccuracy'] for p in pairs if p['plain']]),
           'secureFinalAccuracy': stats([p['secure']['finalAccuracy'] for p in pairs if p['secure']])}
    drop = []
    for k in (1, 2, 3):
        rep = load(os.path.join(RUNS, 'w10', 'dropout', f'run-{k}', 'report.json'))
        if rep:
            drop.append(sa_run(rep))
            drop[-1]['phaseSeconds'] = phases(os.path.join(RUNS, 'w10', 'dropout.log'), k)
    dagg = {'medianRoundSeconds': stats([r['medianRoundSeconds'] for r in drop]),
            'roundsPublished': stats([r['roundsPublished'] for r in drop]),
            'roundSecondsAll': stats([x for r in drop for x in r['roundSeconds']]),
            'secureStagesAll': stats([x['secureStages'] for r in drop for x in r['phaseSeconds'] or [] if 'secureStages' in x]),
            'trainAndKeysAll': stats([x['trainAndKeys'] for r in drop for x in r['phaseSeconds'] or [] if 'trainAndKeys' in x]),
            'bytesUpPerDeviceAsked': stats([r['bytesUpPerDeviceMedianRounds2to5'] for r in drop]),
            'secureSumMaxAbsError': stats([r['secureSumMaxAbsError'] for r in drop]),
            'summedPerRound': sorted({x['summed'] for r in drop for x in r['secureSum']}),
            'expectedPerRound': sorted({x['expectedContributors'] for r in drop for x in r['secureSum']})}
    ok_drop = bool(drop) and all(r['roundsPublished'] == 5 and r['secureSumUnchecked'] == 0 and
                                 all(x['summed'] == 70 == x['expectedContributors'] for x in r['secureSum']) for r in drop)
    verdict = {
        'bytesUp': {'target': 'secure bytes up per device <= 1.3x plain fp32', 'ratioMedian': agg['bytesUpRatio'] and agg['bytesUpRatio']['median'],
                    'ratioMax': agg['bytesUpRatio'] and agg['bytesUpRatio']['max'],
                    'met': bool(agg['bytesUpRatio']) and agg['bytesUpRatio']['max'] <= 1.3},
        'roundTime': {'target': 'secure round time <= 2x plain', 'ratioMedian': agg['roundSecondsRatio'] and agg['roundSecondsRatio']['median'],
                      'ratioMax': agg['roundSecondsRatio'] and agg['roundSecondsRatio']['max'],
                      'met': bool(agg['roundSecondsRatio']) and agg['roundSecondsRatio']['max'] <= 2},
        'dropout': {'target': 'correct sums with 30 % of the devices dropping after masking',
                    'allRoundsPublishedWith70Summed': ok_drop,
                    'maxAbsError': dagg['secureSumMaxAbsError'] and dagg['secureSumMaxAbsError']['max']}}
    logs = {os.path.basename(p)[:-4]: scan_log(p) for p in sorted(glob.glob(os.path.join(RUNS, 'w10', '*.log')))}
    return {'pairs': pairs, 'aggregate': agg}, {'runs': drop, 'aggregate': dagg}, verdict, logs


commit = subprocess.run(['git', '-C', WT, 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip()
timeline = os.path.join(RUNS, 'series.txt')
dp, dp_verdict = w9()
secagg, dropout, sa_verdict, sa_logs = w10()
META = {'date': '2026-12-07',
        'machine': '2-core VM (AMD EPYC, family 25 model 17), 24 GB, no swap; OpenJDK 17.0.15; Debian dataset-fashion-mnist '
                   '(/usr/share/datasets/fashion-mnist, dataset: system)',
        'commit': commit,
        'commands': [f'cd {WT} && bin/flock simulate --scenario fmnist-dp-{n} --runs 3 --out {RUNS}/w9/{n} > {RUNS}/w9/{n}.log 2>&1'
                     for n, _ in DP] +
                    [f'for n in 0 1 2: sed "s/^seed: 0$/seed: $n/" {SHIPPED}/fmnist-secagg.yaml > {RUNS}/w10/cfg/fmnist-secagg-seed$n.yaml; '
                     f'bin/flock simulate --config {RUNS}/w10/cfg/fmnist-secagg-seed$n.yaml --set training.secure-aggregation=false '
                     f'--out {RUNS}/w10/plain-seed$n; bin/flock simulate --config {RUNS}/w10/cfg/fmnist-secagg-seed$n.yaml --out {RUNS}/w10/secure-seed$n',
                     f'bin/flock simulate --scenario fmnist-secagg-dropout --runs 3 --out {RUNS}/w10/dropout'],
        'runs': 'W9 and dropout: run-K is seed K-1 (same partition, seed 0). W10 pairs: one invocation per seed and mode '
                '(each with its own unmeasured warm-up run), plain then secure, seed by seed.',
        'bytesUpPerDevice': 'rounds[].bytesUp / rounds[].participants; the per-run figure is the median over rounds 2-5',
        'fp32UpdateBytes': FP32_UPDATE_BYTES,
        'timeline': open(timeline).read().splitlines() if os.path.exists(timeline) else []}
print(json.dumps({'meta': META,
                  'w9DifferentialPrivacy': {'scenarios': dp, 'verdict': dp_verdict},
                  'w10SecureAggregation': {'interleaved': secagg, 'dropout': dropout, 'verdict': sa_verdict, 'logs': sa_logs}},
                 indent=1))
