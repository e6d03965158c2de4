// SPDX-License-Identifier: BSD-3-Clause
// ui.js -- the operator's page: reads /status, /status/recent, /status/charts
// and /status/zone, draws them, refreshes every 5 s. Every value from the
// server is put into the page as text (textContent, createElement), never as
// markup: zone data and the errors quoting it come from DirectAdmin users.
'use strict';
(function () {
  const REFRESH_MS = 5000;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  const zone = params.get('zone');
  let charts = null;
  let chartsAt = 0;

  // el('td', {class: 'x', 'data-field': 'y'}, 'text', child...): an element, text as text.
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) {
      if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    }
    for (const c of kids) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = String(text);
    return e;
  }

  function fill(id, rows, empty, cols) {
    const body = $(id);
    body.replaceChildren(...rows);
    if (!rows.length) body.append(el('tr', {}, el('td', { colspan: cols || 9, class: 'muted' }, empty)));
  }

  function setText(id, v) { $(id).textContent = v === null || v === undefined ? '–' : String(v); }

  function ago(iso) {
    if (!iso) return '–';
    const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (!isFinite(s)) return String(iso);
    if (s < 90) return Math.max(s, 0) + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 172800) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' days ago';
  }

  function when(iso) {
    return el('span', { title: iso || '' }, ago(iso));
  }

  function ms(v) {
    if (v === null || v === undefined) return '–';
    return v < 1000 ? v + ' ms' : (v / 1000).toFixed(v < 10000 ? 2 : 1) + ' s';
  }

  function stateCell(state, text, field) {
    return el('td', { class: 'st-' + state, 'data-field': field || 'state' }, text || state);
  }

  async function getJSON(path) {
    const r = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (!r.ok && !(body && body.overall)) {
      const why = body && body.error ? ': ' + body.error : '';
      throw new Error(path + ': HTTP ' + r.status + why);
    }
    return body;
  }

  // ---- /status ---------------------------------------------------------------

  function backendState(b) {
    if (!b.enabled) return 'disabled';
    if (b.failing > 0) return 'failing';
    if (b.behind > 0) return 'behind';
    return 'in_sync';
  }

  function drawStatus(s) {
    const o = $('overall');
    o.textContent = s.overall;
    o.dataset.state = s.overall;
    const reasons = (s.reasons || []).map((r) => el('li', {}, r));
    if (s.overall === 'error') reasons.push(el('li', {}, 'the database cannot be read: ' + (s.error || '?')));
    if (!reasons.length) reasons.push(el('li', { class: 'good' }, 'Every backend serves what DirectAdmin pushed; no dead job.'));
    $('reasons').replaceChildren(...reasons);
    if (s.overall === 'error') return;
    setText('zones', s.zones);
    setText('tombstones', s.tombstones);
    setText('jobs-queued', s.jobs.queued);
    setText('jobs-running', s.jobs.running);
    setText('jobs-dead', s.dead_jobs);
    setText('worker', s.worker.running === null ? 'unknown' : s.worker.running ? 'running' : 'NOT running');
    fill('backends', s.backends.map((b) => {
      const st = backendState(b);
      const err = b.last_error;
      return el('tr', { 'data-backend': b.name },
        el('td', { 'data-field': 'name' }, b.name), el('td', {}, b.type),
        stateCell(st, st.replace('_', ' ')),
        el('td', { 'data-field': 'in_sync' }, b.in_sync), el('td', { 'data-field': 'behind' }, b.behind),
        el('td', { 'data-field': 'failing' }, b.failing),
        el('td', {}, b.oldest_job_seconds === null ? '–' : b.oldest_job_seconds + ' s'),
        el('td', { class: 'err', 'data-field': 'last_error' },
          err ? err.domain + ': ' + err.error + ' (' + ago(err.at) + ')' : ''));
    }), 'no backend configured');
    fill('peers', s.peers.map((p) => el('tr', { 'data-peer': p.name },
      el('td', {}, p.name), el('td', {}, p.url), el('td', {}, p.origin),
      stateCell(p.degraded ? 'degraded' : 'ok'), el('td', {}, p.failures),
      el('td', {}, when(p.last_run_at)), el('td', {}, when(p.last_ok_at)), el('td', {}, p.zones_pulled),
      el('td', { class: 'err' }, p.last_error || ''))), 'no peers');
    drawSecondaries(s.secondaries);
  }

  // Rendered only when /status lists secondaries ([secondary NAME]):
  // state is in_sync, behind, unreachable or unchecked; the rest are counts.
  function drawSecondaries(list) {
    $('secondaries-box').hidden = !Array.isArray(list) || list.length === 0;
    if (!Array.isArray(list)) return;
    fill('secondaries', list.map((x) => el('tr', { 'data-secondary': x.name },
      el('td', {}, x.name), el('td', {}, x.server),
      stateCell(x.state === 'unreachable' ? 'failing' : String(x.state), String(x.state)),
      el('td', {}, x.in_sync), el('td', {}, x.behind), el('td', {}, x.missing),
      el('td', {}, x.extra), el('td', {}, when(x.checked_at)))), 'no secondaries');
  }

  // ---- /status/recent ----------------------------------------------------------

  function pushHead(id, backends) {
    $(id).replaceChildren(el('tr', {}, ...['time', 'action', 'domain', 'DA server', 'serial', 'result']
      .map((h) => el('th', {}, h)), ...backends.map((b) => el('th', {}, b + ' push→served'))));
  }

  function pushRows(pushes, backends) {
    return pushes.map((p) => {
      const result = p.result === 'ok' ? (p.job ? p.job.state || 'accepted' : 'accepted') : p.result;
      const cells = backends.map((b) => {
        const v = p.served && p.served[b];
        if (!v || p.result !== 'ok') return el('td', { class: 'muted' }, '–');
        return stateCell(v.state, v.state === 'served' ? ms(v.ms) : v.state, 'served');
      });
      const link = el('a', { href: '?zone=' + encodeURIComponent(p.domain) }, p.domain);
      return el('tr', { 'data-seq': p.seq }, el('td', {}, when(p.at)), el('td', {}, p.action),
        el('td', {}, p.result === 'ok' ? link : p.domain), el('td', {}, p.hostname),
        el('td', {}, p.serial === null ? '–' : p.serial),
        el('td', { class: 'st-' + (p.result === 'ok' ? 'ok' : p.result), title: p.detail || '' },
          result, p.detail ? ' (' + p.detail + ')' : ''), ...cells);
    });
  }

  function drawRecent(r) {
    pushHead('recent-head', r.backends);
    fill('recent', pushRows(r.pushes, r.backends), 'no push yet');
    $('dead-count').textContent = '(' + r.dead_jobs.length + (r.dead_jobs.length >= 50 ? '+' : '') + ')';
    fill('dead-jobs', r.dead_jobs.map((j) => el('tr', { 'data-job': j.id },
      el('td', {}, j.id), el('td', { 'data-field': 'domain' }, j.domain), el('td', {}, j.op),
      el('td', {}, j.backends || 'all'), el('td', {}, j.attempt), el('td', {}, when(j.updated_at)),
      el('td', { class: 'err', 'data-field': 'error' }, j.error || ''))), 'no dead job');
    fill('runs', r.runs.map((x) => el('tr', {}, el('td', {}, x.program), el('td', {}, when(x.started_at)),
      el('td', {}, x.finished_at ? when(x.finished_at) : 'running or died'),
      stateCell(x.ok === true ? 'ok' : x.ok === false ? 'failing' : 'pending',
        x.ok === true ? 'ok' : x.ok === false ? 'failed' : '–'),
      el('td', {}, summary(x.summary)))), 'no run recorded yet');
  }

  function summary(v) {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'object') return String(v);
    return Object.keys(v).map((k) => k + ' ' + (typeof v[k] === 'object' ? JSON.stringify(v[k]) : v[k])).join(', ');
  }

  // ---- /status/charts ------------------------------------------------------------

  function histogram(l) {
    const W = 300, H = 110, B = 18, n = l.buckets.length;
    const max = Math.max(1, ...l.buckets.map((b) => b.n));
    const g = svg('svg', { width: W, height: H + B, viewBox: '0 0 ' + W + ' ' + (H + B), role: 'img' });
    g.append(svg('title', {}, l.backend + ': applies per latency bucket'));
    const w = W / n;
    l.buckets.forEach((b, i) => {
      const h = Math.round((b.n / max) * (H - 12));
      const r = svg('rect', { class: 'bar', x: i * w + 1, y: H - h, width: w - 2, height: h });
      r.append(svg('title', {}, (b.le_ms === null ? '> 2 h' : '≤ ' + ms(b.le_ms)) + ': ' + b.n));
      g.append(r);
      if (b.n) g.append(svg('text', { x: i * w + w / 2, y: H - h - 2, 'text-anchor': 'middle' }, b.n));
      const lab = b.le_ms === null ? '+∞' : b.le_ms < 1000 ? b.le_ms : b.le_ms < 60000 ? b.le_ms / 1000 + 's' : b.le_ms / 60000 + 'm';
      if (i % 2 === 0 || i === n - 1) g.append(svg('text', { x: i * w + w / 2, y: H + 12, 'text-anchor': 'middle' }, lab));
    });
    g.append(svg('line', { class: 'axis', x1: 0, y1: H, x2: W, y2: H }));
    const bound = (v) => (v === null ? (l.count ? '> 2 h' : '–') : '≤ ' + ms(v));
    const rc = l.recent || {};
    return el('div', { class: 'chart', 'data-latency': l.backend },
      el('h3', {}, l.backend + (l.enabled ? '' : ' (disabled)')), g,
      el('div', {}, 'all ', l.count, ' applies: p50 ', el('b', { 'data-field': 'p50' }, bound(l.p50_le_ms)),
        ', p99 ', el('b', { 'data-field': 'p99' }, bound(l.p99_le_ms))),
      el('div', { class: 'muted' }, 'last ', rc.n || 0, ' pushes: p50 ', ms(rc.p50_ms), ', p99 ', ms(rc.p99_ms)));
  }

  function perMinute(pm) {
    const W = 960, H = 120, B = 18, n = pm.ok.length, start = Date.parse(pm.start);
    const max = Math.max(1, ...pm.ok.map((v, i) => v + pm.refused[i]));
    const g = svg('svg', { width: '100%', height: H + B, viewBox: '0 0 ' + W + ' ' + (H + B), preserveAspectRatio: 'none', role: 'img' });
    g.append(svg('title', {}, 'pushes per minute, last 24 h (max ' + max + ')'));
    const w = W / n;
    for (let i = 0; i < n; i++) {
      const a = pm.ok[i], r = pm.refused[i];
      if (!a && !r) continue;
      const ha = (a / max) * (H - 12), hr = (r / max) * (H - 12);
      g.append(svg('rect', { class: 'bar', x: i * w, y: H - ha, width: Math.max(w, 2), height: ha }));
      if (r) g.append(svg('rect', { class: 'bar-refused', x: i * w, y: H - ha - hr, width: Math.max(w, 2), height: hr }));
    }
    for (let h = 0; h <= 24; h += 3) {
      const t = new Date(start + h * 3600000);
      const x = Math.min((h * 60) * w, W - 32);
      g.append(svg('text', { x: x, y: H + 13 }, String(t.getHours()).padStart(2, '0') + ':' + String(t.getMinutes()).padStart(2, '0')));
    }
    g.append(svg('text', { x: 2, y: 10 }, max + '/min'));
    g.append(svg('line', { class: 'axis', x1: 0, y1: H, x2: W, y2: H }));
    const total = pm.ok.reduce((s, v) => s + v, 0), refused = pm.refused.reduce((s, v) => s + v, 0);
    return el('div', { class: 'chart' }, g,
      el('div', { class: 'muted' }, total + ' accepted, ' + refused + ' refused (red) in 24 h'));
  }

  function drawCharts(c) {
    $('latency').replaceChildren(...c.latency.map(histogram));
    $('per-minute').replaceChildren(perMinute(c.per_minute));
  }

  // ---- the zone view ------------------------------------------------------------------

  function fact(dl, k, v) { dl.append(el('dt', {}, k), el('dd', { 'data-field': k }, v)); }

  function drawZone(z, status) {
    $('zone-name').textContent = z.domain || zone;
    const missing = $('zone-missing');
    if (status === 404) {
      const t = z.tombstone;
      missing.textContent = 'No such zone in the database' +
        (t ? ': deleted ' + ago(t.deleted_at) + ' (serial ' + t.serial + ', DA server ' + t.hostname + ')' : '.');
      missing.hidden = false;
      $('zone-body').hidden = true;
      return;
    }
    missing.hidden = true;
    $('zone-body').hidden = false;
    const dl = $('zone-facts');
    dl.replaceChildren();
    fact(dl, 'owner', z.hostname + (z.username ? ' / user ' + z.username : ''));
    fact(dl, 'serial', z.serial);
    fact(dl, 'records', z.records);
    fact(dl, 'source', z.source);
    fact(dl, 'updated', z.updated_at);
    fill('zone-backends', z.backends.map((b) => el('tr', { 'data-backend': b.name },
      el('td', {}, b.name + (b.enabled ? '' : ' (disabled)')), stateCell(b.state, b.state.replace('_', ' ')),
      el('td', {}, b.serial === undefined || b.serial === null ? '–' : b.serial), el('td', {}, when(b.applied_at)),
      el('td', {}, when(b.verified_at)), el('td', { 'data-field': 'signed' }, b.signed ? 'yes' : 'no'),
      el('td', {}, b.attempts === undefined ? '–' : b.attempts),
      el('td', { class: 'err', 'data-field': 'error' }, b.error || ''))), 'no backend');
    fill('zone-jobs', z.jobs.map((j) => el('tr', { 'data-job': j.id }, el('td', {}, j.id), el('td', {}, j.op),
      stateCell(j.state), el('td', {}, j.backends || 'all'), el('td', {}, j.attempt), el('td', {}, when(j.created_at)),
      el('td', { class: 'err' }, j.error || ''))), 'none');
    const names = z.backends.filter((b) => b.enabled).map((b) => b.name);
    pushHead('zone-pushes-head', names);
    fill('zone-pushes', pushRows(z.pushes, names), 'no push in the log');
    $('zone-text').textContent = z.zone_text;
  }

  async function loadZone() {
    const r = await fetch('../status/zone?domain=' + encodeURIComponent(zone), { credentials: 'same-origin', cache: 'no-store' });
    let body = null;
    try { body = await r.json(); } catch (e) { body = null; }
    if (r.status === 400 || !body) throw new Error('zone ' + zone + ': ' + (body && body.error ? body.error : 'HTTP ' + r.status));
    if (!r.ok && r.status !== 404) throw new Error('zone ' + zone + ': HTTP ' + r.status + (body.error ? ': ' + body.error : ''));
    drawZone(body, r.status);
  }

  // ---- refresh ----------------------------------------------------------------------

  async function refresh() {
    const problems = [];
    const tasks = [getJSON('../status').then(drawStatus), getJSON('../status/recent').then(drawRecent)];
    if (!charts || Date.now() - chartsAt > 30000) {
      tasks.push(getJSON('../status/charts').then((c) => { charts = c; chartsAt = Date.now(); drawCharts(c); }));
    }
    if (zone) tasks.push(loadZone());
    for (const r of await Promise.allSettled(tasks)) {
      if (r.status === 'rejected') problems.push(r.reason && r.reason.message ? r.reason.message : String(r.reason));
    }
    const p = $('problem');
    p.textContent = problems.join('\n');
    p.hidden = !problems.length;
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  }

  function start() {
    if (zone) {
      $('zone-view').hidden = false;
      $('overview').hidden = true;
      $('zone-input').value = zone;
      document.title = zone + ' – dadns';
    }
    const loop = () => refresh().finally(() => setTimeout(loop, REFRESH_MS));
    loop();
  }

  start();
})();
