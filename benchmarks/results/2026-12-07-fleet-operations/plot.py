#!/usr/bin/python3
"""Plots report.json (from collect.py): detection.png (monitor windows from the drift's start to the first alarm, per
drift kind: median of the seeds, min-max bars, the 2-window target) and recovery.png (accuracy on the shifted
held-out data before and after the triggered retraining, per drift kind: median, min-max bars). With --copy RUNS it
also copies seed 0's (run-1's) simulator plots: drift-brightness.png, drift-control.png, rollout-bad.png and
rollout-good.png.
Usage: plot.py [report.json] [--copy /work/fleetops-runs]"""
import json, os, shutil, sys
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

argv = sys.argv[1:]
copy_from = None
if '--copy' in argv:
    i = argv.index('--copy')
    copy_from = argv[i + 1]
    del argv[i:i + 2]
path = argv[0] if argv else 'report.json'
here = os.path.dirname(os.path.abspath(path))
rep = json.load(open(path))['scenarios']
KINDS = [('brightness', 'brightness\n+80'), ('noise', 'noise\nsigma 60'), ('rotation', 'rotation\n1/4 turn'),
         ('label-shift', 'label shift\nclasses 0-2'), ('concept', 'concept\nlabel +1'), ('partial', 'partial\nkiosk 30 %,\nbrightness')]


def med(s, key):
    m = s['medians'].get(key)
    return (m['median'], m['median'] - m['min'], m['max'] - m['median']) if m else (float('nan'), 0, 0)


present = [(k, lab) for k, lab in KINDS if f'fmnist-drift-{k}' in rep]

# detection.png
fig, ax = plt.subplots(figsize=(9, 4.5))
xs = list(range(len(present)))
vals = [med(rep[f'fmnist-drift-{k}'], 'windowsToDetect') for k, _ in present]
ax.bar(xs, [v[0] for v in vals], 0.6, yerr=[[v[1] for v in vals], [v[2] for v in vals]], capsize=4, color='#4c72b0',
       label='monitor windows to the first alarm (median of 3 seeds, min-max)')
for x, (k, _), v in zip(xs, present, vals):
    s = rep[f'fmnist-drift-{k}']
    ax.text(x, 0.08, f"median {v[0]:g}\n{s['detectedRuns']}/{len(s['runs'])} seeds\ndetected", ha='center', fontsize=8, color='white')
ax.axhline(2, color='red', ls='--', lw=1, label='target: within 2 windows')
ax.set_xticks(xs, [lab for _, lab in present], fontsize=8)
ax.set_ylabel('monitor windows (3 s) from the drift to the first alarm')
ax.set_ylim(0, 3.2)
ax.set_yticks([0, 1, 2, 3])
ax.set_title('Drift detection: 100 devices, drift from serving window 6')
ax.legend(loc='upper left', fontsize=8)
fig.tight_layout()
fig.savefig(os.path.join(here, 'detection.png'), dpi=110)

# recovery.png
fig, ax = plt.subplots(figsize=(10, 4.8))
w = 0.27
series = [('accuracyBeforeDrift', 'production version, clean held-out data', '#999999'),
          ('accuracyOnShiftedBeforeRetraining', 'production version, shifted held-out data (before retraining)', '#dd8452'),
          ('accuracyOnShiftedAfterRetraining', 'retrained version, shifted held-out data', '#55a868')]
for i, (key, label, color) in enumerate(series):
    v = [med(rep[f'fmnist-drift-{k}'], key) for k, _ in present]
    x = [j + (i - 1) * w for j in xs]
    ax.bar(x, [a[0] for a in v], w, yerr=[[a[1] for a in v], [a[2] for a in v]], capsize=3, color=color, label=label)
    for xx, a in zip(x, v):
        ax.text(xx, a[0] + a[2] + 0.01, f'{a[0]:.2f}', ha='center', fontsize=7)
for j, (k, _) in enumerate(present):
    r = rep[f'fmnist-drift-{k}']['medians']['recoveredPoints']
    if r:
        ax.text(j, 0.97, f"gain {r['median']:+.1f} pts", ha='center', fontsize=8, fontweight='bold')
ax.set_xticks(xs, [lab for _, lab in present], fontsize=8)
ax.set_ylabel('accuracy on held-out data (2,000 test images)')
ax.set_ylim(0, 1.2)
ax.set_title('Recovery after the drift-triggered retraining (5 rounds), median of 3 seeds, min-max')
ax.legend(loc='upper center', fontsize=7.5, ncol=3)
fig.tight_layout()
fig.savefig(os.path.join(here, 'recovery.png'), dpi=110)

if copy_from:
    runs = copy_from
    for src, dst in [('fmnist-drift-brightness/run-1/fleetops-drift.png', 'drift-brightness.png'),
                     ('fmnist-drift-control/run-1/fleetops-drift.png', 'drift-control.png'),
                     ('fmnist-rollout-bad/run-1/fleetops-rollout.png', 'rollout-bad.png'),
                     ('fmnist-rollout-good/run-1/fleetops-rollout.png', 'rollout-good.png')]:
        shutil.copyfile(os.path.join(runs, src), os.path.join(here, dst))
