#!/usr/bin/python3
"""Plots report.json (from collect.py):
  accuracy-vs-time.png  held-out accuracy against wall time since training began, synchronous FedAvg with over-selection
                        and buffered asynchronous training, one panel per seed, the target (the sync run's final accuracy)
                        as a line and each mode's time to it marked
Usage: plot.py [report.json]"""
import json, os, sys
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

path = sys.argv[1] if len(sys.argv) > 1 else 'report.json'
here = os.path.dirname(os.path.abspath(path))
rep = json.load(open(path))
seeds = rep['seeds']
fig, axes = plt.subplots(1, len(seeds), figsize=(4.6 * len(seeds), 4.2), sharey=True, squeeze=False)
for ax, s in zip(axes[0], seeds):
    for key, label, color in (('syncAccuracyCurve', 'sync FedAvg, 30 asked, first 20 kept', '#555555'),
                              ('asyncAccuracyCurve', 'async (FedBuff)', '#4c72b0')):
        pts = [p for p in s[key] if p[1] is not None]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=color, lw=1.4, label=label)
    ax.axhline(s['targetAccuracy'], color='#c44e52', lw=0.8, ls='--', label='target: sync final (mean of last 5)')
    for t, color in ((s['syncSecondsToTarget'], '#555555'), (s['asyncSecondsToTarget'], '#4c72b0')):
        if t is not None:
            ax.axvline(t, color=color, lw=0.8, ls=':')
    sp = s['speedup']
    ax.set_title(f"seed {s['seed']}: speed-up {sp:.2f}x" if sp else f"seed {s['seed']}: async never reached it")
    ax.set_xlabel('wall time since training began (s)')
    ax.set_ylim(0.65, 0.87)
    ax.grid(alpha=0.3)
axes[0][0].set_ylabel('held-out accuracy')
axes[0][0].legend(loc='lower right', fontsize=8)
fig.suptitle('W11: 100 devices, train tasks of 0.3-3 s (10x spread), Fashion-MNIST IID', fontsize=10)
fig.tight_layout()
fig.savefig(os.path.join(here, 'accuracy-vs-time.png'), dpi=110)
