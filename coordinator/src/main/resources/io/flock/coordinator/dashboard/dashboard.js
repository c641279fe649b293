/*
 * Flock fleet dashboard: draws the page's charts with uPlot (bundled in the coordinator's jar, nothing fetched from
 * another host) from the JSON in #dashboard-charts, and refreshes the page every data-refresh-ms by fetching it again
 * and swapping its <main>. Tells how drawing went on <body>: data-charts="drawn" (data-chart-count = charts drawn),
 * "none" (no data to chart yet), "unavailable" (uPlot did not load) or "failed" (data-chart-error says why).
 */
(function () {
  'use strict';
  const palette = ['#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#475569'];
  const alarmRed = '#b91c1c';
  let charts = [];

  function width(el) {
    return Math.max(240, el.clientWidth - 14);
  }

  /** Time ticks in UTC, 24 h: "10:30", or "12-07 10:30" when the chart spans more than a day. */
  function utcTicks(u, splits) {
    const span = splits.length > 1 ? splits[splits.length - 1] - splits[0] : 0;
    return splits.map(ts => {
      const iso = new Date(ts * 1e3).toISOString();
      return span > 86400 ? iso.substring(5, 10) + ' ' + iso.substring(11, 16) : iso.substring(11, 16);
    });
  }

  function percent(v) {
    return v == null ? 'n/a' : (v * 100).toFixed(1) + ' %';
  }

  function roundCharts(r) {
    const made = [];
    if (!r || r.round.length === 0) {
      return made;
    }
    const acc = document.getElementById('chart-accuracy');
    if (acc) {
      made.push(new uPlot({
        width: width(acc), height: 200, legend: { live: false },
        scales: {
          x: { time: false },
          y: { range: (u, min, max) => min == null ? [0, 1] : [Math.max(0, min - 0.05), Math.min(1, max + 0.05)] }
        },
        axes: [{ label: 'round' }, { values: (u, vals) => vals.map(v => (v * 100).toFixed(0) + ' %'), size: 56 }],
        series: [
          { label: 'round' },
          { label: 'accuracy', stroke: palette[0], width: 2, fill: 'rgba(37,99,235,0.08)', spanGaps: true,
            points: { show: true, size: 6 }, value: (u, v) => percent(v) }
        ]
      }, [r.round, r.accuracy], acc));
    }
    const part = document.getElementById('chart-participation');
    if (part) {
      made.push(new uPlot({
        width: width(part), height: 200, legend: { live: false },
        scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(1, max == null ? 1 : max) * 1.15] } },
        axes: [{ label: 'round' }, { label: 'devices' }],
        series: [
          { label: 'round' },
          { label: 'asked', stroke: '#6b7280', width: 2, dash: [5, 3], points: { show: true, size: 5 } },
          { label: 'updates', stroke: palette[1], width: 2, fill: 'rgba(5,150,105,0.12)', points: { show: true, size: 6 } }
        ]
      }, [r.round, r.selected, r.updates], part));
    }
    return made;
  }

  function driftChart(d, el) {
    const series = [{ label: 'window end' }];
    const data = [d.time];
    d.cohorts.forEach((cohort, i) => {
      series.push({ label: cohort, stroke: palette[i % palette.length], width: 2, spanGaps: true, points: { show: true, size: 5 } });
      data.push(d.values[i]);
    });
    if (d.threshold != null) {
      series.push({ label: 'PSI ' + d.threshold, stroke: alarmRed, width: 1.5, dash: [6, 4], points: { show: false } });
      data.push(d.time.map(() => d.threshold));
    }
    series.push({ label: 'alarm', stroke: alarmRed, fill: alarmRed, paths: () => null,
      points: { show: true, size: 10, fill: alarmRed, stroke: alarmRed } });
    data.push(d.alarms);
    const top = Math.max(d.threshold == null ? 0 : d.threshold, ...d.values.flat().filter(v => v != null), 0.01);
    return new uPlot({
      width: width(el), height: 190, legend: { live: false },
      tzDate: ts => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: () => [0, top * 1.15] } },
      axes: [{ values: utcTicks }, { size: 56 }],
      series: series
    }, data, el);
  }

  function draw() {
    const body = document.body;
    charts.forEach(c => c.destroy());
    charts = [];
    const source = document.getElementById('dashboard-charts');
    if (!source) {
      body.dataset.charts = 'none';
      return;
    }
    if (typeof uPlot === 'undefined') {
      body.dataset.charts = 'unavailable';
      return;
    }
    try {
      const data = JSON.parse(source.textContent);
      charts = roundCharts(data.rounds);
      document.querySelectorAll('[data-drift-chart]').forEach(el => {
        const d = data.drift[Number(el.dataset.driftChart)];
        if (d) {
          charts.push(driftChart(d, el));
        }
      });
      body.dataset.chartCount = String(charts.length);
      body.dataset.charts = charts.length > 0 ? 'drawn' : 'none';
    } catch (e) {
      body.dataset.charts = 'failed';
      body.dataset.chartError = String(e && e.message ? e.message : e);
    }
  }

  function refreshState(text, stale) {
    const el = document.getElementById('refresh-state');
    if (el) {
      el.textContent = text;
      el.classList.toggle('stale', stale);
    }
  }

  async function refresh() {
    try {
      const response = await fetch(window.location.href, { cache: 'no-store', headers: { Accept: 'text/html' } });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = page.getElementById('dashboard');
      const current = document.getElementById('dashboard');
      if (!fresh || !current) {
        throw new Error('the answer has no dashboard');
      }
      current.replaceWith(document.adoptNode(fresh));
      draw();
    } catch (e) {
      refreshState('refresh failed at ' + new Date().toISOString().substring(11, 19) + ' UTC: ' + e.message
        + '; showing older data', true);
    }
  }

  let resizing = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(draw, 200);
  });

  draw();
  const every = Number(document.body.dataset.refreshMs);
  if (every > 0) {
    setInterval(refresh, every);
  }
})();
