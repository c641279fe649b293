#!/usr/bin/python3
"""Builds report.json from the raw fleet-operations series (bin/flock simulate --scenario NAME --runs 3 --out
RUNS/NAME): each run's key fleetops numbers, medians with min and max per scenario, and the fleet cohort's drift
statistics of seed 0 (run-1) for the drift scenarios. The per-window arrays, per-run folders, plots and logs stay
behind.
Usage: collect.py [RUNS_DIR (default /work/fleetops-runs)] [WORKTREE (default /work/wt-measure)] > report.json"""
import json, os, re, statistics, subprocess, sys
import yaml

RUNS = sys.argv[1] if len(sys.argv) > 1 else '/work/fleetops-runs'
WT = sys.argv[2] if len(sys.argv) > 2 else '/work/wt-measure'
SCENARIOS = ['fmnist-drift-control', 'fmnist-drift-brightness', 'fmnist-drift-noise', 'fmnist-drift-rotation',
             'fmnist-drift-label-shift', 'fmnist-drift-concept', 'fmnist-drift-partial', 'fmnist-rollout-good',
             'fmnist-rollout-bad']
SHIPPED = os.path.join(WT, 'simulator/src/main/resources/scenarios')


def alarm_rows(drift, before=None, after=None):
    """(cohort, statistic, windowEndMs, value) of every alarm flag, optionally only those ending <= before / > after."""
    out = []
    for cohort, stats in drift.items():
        for stat, series in stats.items():
            for t, v, a in series:
                if a and (before is None or t <= before) and (after is None or t > after):
                    out.append((cohort, stat, t, v))
    return sorted(out, key=lambda x: x[2])


def telemetry_window(windows, t):
    """The serving window (from 1) whose 3 s span holds time t: the last one that started at or before it."""
    w = [x['window'] for x in windows if x['startMs'] <= t]
    return w[-1] if w else None


def run_summary(path, spec):
    rep = json.load(open(path))
    f = rep['fleetops']
    windows, drift = f['windows'], f['drift']
    t0 = windows[0]['startMs']
    r = {'seed': rep['config']['seed'], 'run': os.path.basename(os.path.dirname(path)),
         'trainedAccuracy': rep['rounds'][-1]['accuracy'],   # the coordinator's evaluation of round 15 (10,000 test images)
         'monitorWindows': f['monitorWindows'], 'servingWindows': len(windows),
         'answersPerWindow': statistics.median(w['answers'] for w in windows),
         'failedAnswers': sum(w['failed'] for w in windows),
         'alarmsBeforeDrift': f['alarmsBeforeDrift']}
    ds = spec.get('drift')
    if ds is None:                       # control and rollouts: every alarm flag is a false alarm
        rows = alarm_rows(drift)
        r['alarmRows'] = len(rows)
        r['alarms'] = [{'cohort': c, 'statistic': s, 'secondsSinceServing': round((t - t0) / 1000, 1), 'value': round(v, 4)}
                       for c, s, t, v in rows]
        # the largest value per statistic (fleet), and the largest after the first monitor window (see README: the
        # first monitor window can close with a handful of answers, under monitor.min-samples, where PSI means little)
        fleet = drift.get('fleet', {})
        r['fleetMaxValue'] = {s: round(max(v for _, v, _ in ser), 4) for s, ser in fleet.items()}
        r['fleetMaxValueAfterFirstWindow'] = {s: round(max(v for _, v, _ in ser[1:]), 4) for s, ser in fleet.items()}
    else:
        start = f['driftStartMs']
        r['driftedDevices'] = f['driftedDevices']
        r['alarmRowsBeforeDrift'] = len(alarm_rows(drift, before=start))
        r['detected'] = f['detected']
        r['windowsToDetect'] = f.get('windowsToDetect')
        r['secondsToDetect'] = f.get('secondsToDetect')
        r['firstAlarm'] = f.get('firstAlarm')
        after = alarm_rows(drift, after=start)
        if after:
            first_end = after[0][2]
            r['firstAlarmStatistics'] = sorted({f'{s} in {c}' for c, s, t, _ in after if t == first_end})
            # the same delay counted in serving windows: 1 = the drift's own window (window atWindow)
            tw = telemetry_window(windows, first_end)
            r['servingWindowsToDetect'] = None if tw is None else tw - ds['atWindow'] + 1
        # per cohort: whether it alarmed after the drift began, at which monitor window, and on which statistics
        ends = sorted({t for ser in drift['fleet'].values() for t, _, _ in ser})
        cohorts = {}
        for c in drift:
            rows = [x for x in after if x[0] == c]
            alarmed_ends = sorted({t for _, _, t, _ in rows})
            cohorts[c] = {'alarmed': bool(rows),
                          'windowsToDetect': len([e for e in ends if start < e <= rows[0][2]]) if rows else None,
                          'statistics': sorted({s for _, s, _, _ in rows}),
                          # how long it kept alarming: monitor windows with an alarm after the drift began (of how many),
                          # the first and last of them in seconds after the drift's start, and whether the run's last
                          # monitor window still alarmed (after the rebuilt reference: see README)
                          'alarmWindowsAfterDrift': len(alarmed_ends), 'monitorWindowsAfterDrift': len([e for e in ends if e > start]),
                          'firstAlarmSecondsAfterDrift': round((alarmed_ends[0] - start) / 1000, 1) if rows else None,
                          'lastAlarmSecondsAfterDrift': round((alarmed_ends[-1] - start) / 1000, 1) if rows else None,
                          'alarmedInLastWindow': bool(rows) and alarmed_ends[-1] == ends[-1]}
        r['cohorts'] = cohorts
        r['triggers'] = len(f['triggers'])
        r['triggerDetails'] = [x['detail'] for x in f['triggers']]
        r['driftVersion'], r['finalVersion'] = f.get('driftVersion'), f.get('finalVersion')
        for k in ('accuracyBeforeDrift', 'accuracyOnShiftedBeforeRetraining', 'accuracyOnShiftedAfterRetraining'):
            r[k] = f.get(k)
        r['recoveredPoints'] = None if f.get('recoveredPoints') is None else round(f['recoveredPoints'], 2)
        # the retrained version on shifted data against the production version on clean data before the drift (points)
        if f.get('accuracyOnShiftedAfterRetraining') is not None:
            r['afterVsCleanPoints'] = round(100 * (f['accuracyOnShiftedAfterRetraining'] - f['accuracyBeforeDrift']), 2)
        # the serving accuracy the devices saw (all answers, as the devices see the truth): before, at and after the drift
        acc = {x['window']: x['accuracy'] for x in windows}
        a = ds['atWindow']
        r['servingAccuracy'] = {'beforeDrift': round(statistics.mean(acc[w] for w in range(1, a)), 4),
                                'driftWindow': acc[a], 'nextWindow': acc.get(a + 1),
                                'last5': round(statistics.mean(acc[w] for w in sorted(acc)[-5:]), 4)}
    if 'rollout' in f:
        ro = f['rollout']
        for k in ('status', 'stageReached', 'stages', 'healthWindowsJudged', 'healthWindowsToRollback', 'maxDevicesOnCandidate',
                  'maxCohortDevices', 'maxOvershoot', 'candidateHeldOutAccuracy', 'secondsToEnd', 'decision'):
            r[k] = ro.get(k)
        r['rolledBack'] = ro['status'] == 'ROLLED_BACK' or any(s['kind'] == 'rollback' for s in ro['steps'])
        start = ro['steps'][0]['atMs'] if ro['steps'] else t0
        r['steps'] = [{'s': round((s['atMs'] - start) / 1000, 2), 'kind': s['kind'], 'detail': s['detail'][:160]}
                      for s in ro['steps']]
        # devices in each stage's cohort, from the rollout's own events (the cohort is drawn by a hash, not cut to the percent)
        r['stageCohortDevices'] = {}
        for x in ro['steps']:
            m = re.search(r'stage 1 cohort (\d+) devices', x['detail']) or re.search(r'advances to stage \d+/\d+ \(([\d.]+) %\): (\d+) devices', x['detail'])
            if m and len(m.groups()) == 1:
                r['stageCohortDevices'][str(ro['stages'][0])] = int(m.group(1))
            elif m:
                r['stageCohortDevices'][str(float(m.group(1)))] = int(m.group(2))
    return r, rep


def stats(runs, key):
    v = [r[key] for r in runs if r.get(key) is not None]
    if not v:
        return None
    return {'median': statistics.median(v), 'min': min(v), 'max': max(v), 'n': len(v), 'missing': len(runs) - len(v)}


def psi_series(rep):
    """The fleet cohort's per-statistic series: [seconds since serving began, value, alarm] (error-rate: DDM level)."""
    f = rep['fleetops']
    t0 = f['windows'][0]['startMs']
    return {s: [[round((t - t0) / 1000, 1), round(v, 4), a] for t, v, a in ser] for s, ser in f['drift']['fleet'].items()}


def scenario(name):
    spec_all = yaml.safe_load(open(os.path.join(SHIPPED, name + '.yaml')))
    spec = spec_all['fleetops']
    d = os.path.join(RUNS, name)
    # a failed invocation is rerun once into NAME-rerun: its runs are used where the first lacks them
    runs, reps, notes = [], [], []
    for k in (1, 2, 3):
        p = os.path.join(d, f'run-{k}', 'report.json')
        q = os.path.join(d + '-rerun', f'run-{k}', 'report.json')
        if not os.path.exists(p) and os.path.exists(q):
            notes.append(f'run-{k} from the rerun ({name}-rerun)')
            p = q
        if os.path.exists(p):
            r, rep = run_summary(p, spec)
            runs.append(r)
            reps.append(rep)
        else:
            notes.append(f'run-{k}: no report')
    out = {'fleetops': spec, 'coordinator': spec_all.get('coordinator'), 'deviceProfiles': spec_all.get('deviceProfiles'),
           'runs': runs, 'notes': notes}
    keys = ['monitorWindows', 'trainedAccuracy']
    if 'drift' in spec:
        keys += ['windowsToDetect', 'servingWindowsToDetect', 'secondsToDetect', 'triggers', 'accuracyBeforeDrift',
                 'accuracyOnShiftedBeforeRetraining', 'accuracyOnShiftedAfterRetraining', 'recoveredPoints', 'afterVsCleanPoints']
        out['detectedRuns'] = sum(bool(r.get('detected')) for r in runs)
    elif 'rollout' in spec:
        keys += ['healthWindowsJudged', 'healthWindowsToRollback', 'stageReached', 'maxDevicesOnCandidate', 'maxCohortDevices',
                 'maxOvershoot', 'candidateHeldOutAccuracy', 'secondsToEnd']
        out['statuses'] = [r['status'] for r in runs]
        out['rolledBackRuns'] = sum(r['rolledBack'] for r in runs)
    else:
        keys += ['alarmRows']
    out['medians'] = {k: stats(runs, k) for k in keys}
    if 'rollout' not in spec and reps:
        seed0 = next((rep for rep in reps if rep['config']['seed'] == 0), None)
        if seed0:
            out['fleetDriftSeriesSeed0'] = {'driftStartSecondsSinceServing': None if 'driftStartMs' not in seed0['fleetops'] else
                                            round((seed0['fleetops']['driftStartMs'] - seed0['fleetops']['windows'][0]['startMs']) / 1000, 2),
                                            'series': psi_series(seed0)}
    return out


def timeline():
    p = os.path.join(RUNS, 'series.txt')
    return open(p).read().splitlines() if os.path.exists(p) else []


commit = subprocess.run(['git', '-C', WT, 'rev-parse', 'HEAD'], capture_output=True, text=True).stdout.strip()
META = {'date': '2026-12-07',
        'machine': '2-core VM, AMD EPYC, 24 GB; OpenJDK 17.0.15; Debian dataset-fashion-mnist (/usr/share/datasets/fashion-mnist)',
        'commit': commit,
        'build': f'cd {WT} && ./mvnw -B -ntp -q -o -DskipTests package (a frozen detached worktree of {commit[:7]}, built once)',
        'commands': [f'{WT}/bin/flock simulate --scenario {n} --runs 3 --out {RUNS}/{n} > {RUNS}/{n}.log 2>&1' for n in SCENARIOS],
        'order': 'one simulation at a time: brightness, control, rollout-bad, rollout-good, noise, rotation, label-shift, concept, '
                 'partial (the owner ran builds and CI alongside: wall times are noisy)',
        'runs': 'run-K is seed K-1 (run-1 = seed 0); each seed a fresh broker, coordinator and fleet of 100 agents',
        'timeline': timeline(),
        'psiSeries': 'fleetDriftSeriesSeed0: the fleet cohort of seed 0, per statistic, [seconds since serving began, value, alarm]; '
                     'PSI for mean, spread, projection-1/2, label-mix and confidence, the DDM level for error-rate '
                     '(-1 where a window had no feedback)'}
print(json.dumps({'meta': META, 'scenarios': {n: scenario(n) for n in SCENARIOS if os.path.isdir(os.path.join(RUNS, n))}}, indent=1))
