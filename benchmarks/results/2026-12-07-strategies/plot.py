#!/usr/bin/python3
"""Plots report.json (from collect.py): w8-byzantine.png (last-5 accuracy per attack and rule, median of the
seeds with min-max bars) and w2-strategies.png (accuracy per round for every strategy, median over its seeds)."""
import json, statistics, sys
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

rep = json.load(open(sys.argv[1] if len(sys.argv) > 1 else 'report.json'))
ATTACKS = ['clean', 'gaussian', 'sign-flip', 'scale', 'label-flip']
RULES = ['mean', 'median', 'trimmed-mean', 'trimmed-mean-0.4', 'multi-krum', 'multi-krum-m5', 'multi-krum-m3']
LABEL = {'mean': 'FedAvg (mean)', 'median': 'median', 'trimmed-mean': 'trimmed mean, beta 0.3', 'trimmed-mean-0.4': 'trimmed mean, beta 0.4',
         'multi-krum': 'multi-Krum f 3, m 7', 'multi-krum-m5': 'multi-Krum f 3, m 5', 'multi-krum-m3': 'multi-Krum f 3, m 3'}

fig, ax = plt.subplots(figsize=(12, 5))
width = 0.12
for i, rule in enumerate(RULES):
    xs, ys, lo, hi = [], [], [], []
    for j, attack in enumerate(ATTACKS):
        s = rep['w8'].get(f'{attack}-{rule}')
        if s:
            m = s['last5']
            xs.append(j + (i - (len(RULES) - 1) / 2) * width); ys.append(m['median']); lo.append(m['median'] - m['min']); hi.append(m['max'] - m['median'])
    bars = ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, label=LABEL[rule])
    for x, y in zip(xs, ys):
        ax.text(x, y + 0.015, f'{y:.2f}', ha='center', fontsize=5.5, rotation=90)
ax.set_xticks(range(len(ATTACKS)), ['no attackers', 'Gaussian (sigma 1)', 'sign flip (x4)', 'scale (x30)', 'label flip'])
ax.set_ylabel('test accuracy, mean of the last 5 rounds')
ax.set_ylim(0, 1.18)
ax.axhline(0.1, color='grey', lw=0.6, ls=':')
ax.set_title('W8: 100 devices, 20 % attackers, 10 per round, 50 rounds (median of the seeds, min-max bars)')
ax.legend(fontsize=7.5, loc='upper center', ncol=4)
fig.tight_layout()
fig.savefig('w8-byzantine.png', dpi=110)

fig, ax = plt.subplots(figsize=(9, 4.8))
ORDER = ['fedavg', 'fedavgm', 'fedadam', 'fedyogi', 'fedadagrad', 'fedprox']
for name, s in sorted(rep['w2'].items(), key=lambda kv: ORDER.index(kv[0]) if kv[0] in ORDER else 99):
    curves = [r['accuracy'] for r in s['runs']]
    med = [statistics.median(c[k] for c in curves) for k in range(min(map(len, curves)))]
    ax.plot(range(1, len(med) + 1), med, label=f"{name} (best {s['best']['median']:.3f}, {len(curves)} seed{'s' if len(curves) > 1 else ''})")
ax.axhline(0.781, color='grey', lw=0.8, ls='--', label='published FedAvg best 0.781')
ax.set_xlabel('round')
ax.set_ylabel('test accuracy')
ax.set_ylim(0.3, 0.9)
ax.set_title('W2 fmnist-niid-bench: 10 devices, 2 labels each, E=10, B=64 (median over seeds per round)')
ax.legend(fontsize=8, loc='lower right')
fig.tight_layout()
fig.savefig('w2-strategies.png', dpi=110)
