#!/usr/bin/python3
"""Plots report.json (from collect.py):
  dp-accuracy-vs-epsilon.png  mean accuracy of the last 5 rounds against the epsilon target (median of 3 seeds, min-max
                              bars), the no-DP level as a line with its min-max band, and the 3-point target band
  dp-rounds-seed0.png         accuracy per round of seed 0 of each config, epsilon spent per round on a second axis
  secagg-cost.png             median round time and bytes up per device (rounds 2-5), plain vs secure (median of 3
                              seeds, min-max bars), and the 30 % dropout scenario's round time
  secagg-sum-errors.png       the secure-sum check's largest absolute error per round, every secure run (interleaved
                              and 30 % dropout)
Usage: plot.py [report.json]"""
import json, math, os, sys
import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

path = sys.argv[1] if len(sys.argv) > 1 else 'report.json'
here = os.path.dirname(os.path.abspath(path))
rep = json.load(open(path))
dp = rep['w9DifferentialPrivacy']['scenarios']
COLORS = {'none': '#555555', 'eps8': '#4c72b0', 'eps4': '#dd8452', 'eps1': '#c44e52'}


def mmm(s):
    return (s['median'], s['median'] - s['min'], s['max'] - s['median']) if s else (math.nan, 0, 0)


# dp-accuracy-vs-epsilon.png
fig, ax = plt.subplots(figsize=(7.5, 4.8))
none = dp['fmnist-dp-none']['medians']['meanAccuracyLast5']
ax.axhspan(none['min'], none['max'], color='#999999', alpha=0.3, lw=0, label='no DP: min-max of 3 seeds')
ax.axhline(none['median'], color='#333333', lw=1.5, label=f"no DP: median {none['median']:.4f}")
ax.axhline(none['median'] - 0.03, color='red', ls='--', lw=1, label='target: within 3 points of no DP (at epsilon <= 8)')
xs, vals = [], []
for name in ('eps1', 'eps4', 'eps8'):
    s = dp[f'fmnist-dp-{name}']
    xs.append(s['targetEpsilon'])
    vals.append(mmm(s['medians']['meanAccuracyLast5']))
ax.errorbar(xs, [v[0] for v in vals], yerr=[[v[1] for v in vals], [v[2] for v in vals]], fmt='o-', capsize=5,
            color='#4c72b0', label='central DP (DP-FedAvg), C = 0.5: median, min-max')
for x, v, name in zip(xs, vals, ('eps1', 'eps4', 'eps8')):
    s = dp[f'fmnist-dp-{name}']
    ax.annotate(f"{v[0]:.4f}\ngap {s['gapPointsOfMedians']:+.1f} pts\nz = {s['coordinator'].get('privacy.noise-multiplier')}",
                (x, v[0]), textcoords='offset points', xytext=(8, -34), fontsize=8)
ax.set_xticks([1, 4, 8])
ax.set_xlim(0, 9)
ax.set_xlabel('epsilon target after 50 rounds (delta 1e-5)')
ax.set_ylabel('accuracy, mean of the last 5 rounds')
ax.set_title('W9: accuracy vs epsilon, 1,000 devices, 100 a round (q = 0.1), 50 rounds')
ax.legend(loc='lower right', fontsize=7.5)
fig.tight_layout()
fig.savefig(os.path.join(here, 'dp-accuracy-vs-epsilon.png'), dpi=110)

# dp-rounds-seed0.png
fig, ax = plt.subplots(figsize=(9, 4.8))
ax2 = ax.twinx()
for name in ('none', 'eps8', 'eps4', 'eps1'):
    s = dp[f'fmnist-dp-{name}']['seed0PerRound']
    if not s:
        continue
    r = list(range(1, len(s['accuracy']) + 1))
    label = 'no DP' if name == 'none' else f"epsilon target {dp[f'fmnist-dp-{name}']['targetEpsilon']}"
    ax.plot(r, s['accuracy'], color=COLORS[name], lw=1.5, label=f'accuracy, {label}')
    if any(e is not None for e in s['epsilon']):
        ax2.plot(r, [math.nan if e is None else e for e in s['epsilon']], color=COLORS[name], ls=':', lw=1.5,
                 label=f'epsilon spent, {label}')
ax.set_xlabel('round')
ax.set_ylabel('accuracy (held-out test set)')
ax2.set_ylabel('epsilon spent (delta 1e-5), dotted')
ax2.set_ylim(0, 9)
ax.set_title('W9: accuracy and privacy spent per round, seed 0')
h1, l1 = ax.get_legend_handles_labels()
h2, l2 = ax2.get_legend_handles_labels()
ax.legend(h1 + h2, l1 + l2, loc='lower right', fontsize=7.5, ncol=2)
fig.tight_layout()
fig.savefig(os.path.join(here, 'dp-rounds-seed0.png'), dpi=110)

# secagg-cost.png
sa = rep['w10SecureAggregation']
agg = sa['interleaved']['aggregate']
fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4.5))
for ax, keys, ylabel, scale, fmt in [
        (a1, ('plainMedianRoundSeconds', 'secureMedianRoundSeconds'), 'median round time (s)', 1, '{:.2f} s'),
        (a2, ('plainBytesUpPerDevice', 'secureBytesUpPerDevice'), 'bytes up per device per round (MB, rounds 2-5)', 1e6, '{:.3f} MB')]:
    v = [mmm(agg[k]) for k in keys]
    v = [(a / scale, b / scale, c / scale) for a, b, c in v]
    ax.bar([0, 1], [x[0] for x in v], 0.6, yerr=[[x[1] for x in v], [x[2] for x in v]], capsize=5, color=['#999999', '#4c72b0'])
    for i, x in enumerate(v):
        ax.text(i, x[0] / 2, fmt.format(x[0]), ha='center', color='white', fontsize=9)
    ax.set_xticks([0, 1], ['plain (fp32)', 'secure (SecAgg+)'])
    ax.set_ylabel(ylabel)
# the dropout scenario's round time beside them (it waits the 5 s stage timeout for the 30 vectors that never come)
d = mmm(sa['dropout']['aggregate']['medianRoundSeconds'])
a1.bar([2], [d[0]], 0.6, yerr=[[d[1]], [d[2]]], capsize=5, color='#8172b3')
a1.text(2, d[0] / 2, f'{d[0]:.2f} s', ha='center', color='white', fontsize=9)
a1.set_xticks([0, 1, 2], ['plain (fp32)', 'secure (SecAgg+)', 'secure, 30 %\ndrop after masking\n(5 s stage timeout)'], fontsize=8)
a2.axhline(199210 * 4 / 1e6, color='black', ls=':', lw=1, label='fp32 update, 796,840 B')
a2.axhline(1.3 * agg['plainBytesUpPerDevice']['median'] / 1e6, color='red', ls='--', lw=1, label='target: 1.3x plain')
a1.axhline(2 * agg['plainMedianRoundSeconds']['median'], color='red', ls='--', lw=1, label='target: 2x plain')
a1.legend(fontsize=7.5, loc='upper left')
a2.legend(fontsize=7.5, loc='lower right')
r1, r2 = agg['roundSecondsRatio'], agg['bytesUpRatio']
fig.suptitle(f"W10: 100 devices a round, 199,210 parameters; secure/plain (paired by seed): round time "
             f"{r1['median']:.2f}x ({r1['min']:.2f}-{r1['max']:.2f}), bytes up {r2['median']:.3f}x ({r2['min']:.3f}-{r2['max']:.3f})",
             fontsize=9)
fig.tight_layout()
fig.savefig(os.path.join(here, 'secagg-cost.png'), dpi=110)

# secagg-sum-errors.png
fig, ax = plt.subplots(figsize=(8, 4.5))
markers = []
for p in sa['interleaved']['pairs']:
    if p['secure']:
        markers.append((f"all 100 summed, seed {p['seed']}", p['secure']['secureSum'], 'o'))
for r in sa['dropout']['runs']:
    markers.append((f"30 % dropped after masking, 70 summed, seed {r['seed']}", r['secureSum'], 'x'))
floor = 1e-12
for i, (label, rows, m) in enumerate(markers):
    xs = [x['round'] + (i - len(markers) / 2) * 0.05 for x in rows]
    ys = [max(floor, x['maxAbsError']) if x['maxAbsError'] is not None else math.nan for x in rows]
    ax.plot(xs, ys, m, label=label)
ax.set_yscale('log')
ax.set_ylim(1e-8, 1e-5)
ax.set_xticks([1, 2, 3, 4, 5])
ax.set_xlabel('round')
ax.set_ylabel('max |published - (base + plain FedAvg)| over all coordinates')
ax.set_title('W10: secure-sum check per round, measured runs (0 would be drawn at 1e-12)')
ax.legend(fontsize=7, loc='upper right')
fig.tight_layout()
fig.savefig(os.path.join(here, 'secagg-sum-errors.png'), dpi=110)
