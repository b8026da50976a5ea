// The taskgrid dashboard. Everything comes from this gateway's API (http-api.md):
//   GET /v1/cluster     members and executors, polled
//   GET /metrics        taskgrid_http_requests_seconds_count, summed and differenced into calls/s
//   GET /v1/jobs        the recent jobs, polled; a running job's progress comes live from
//   GET /v1/jobs/{id}/events (Server-Sent Events, read with fetch so that it can carry a token)
//   GET /v1/tasks, POST /v1/tasks/{name}, POST /v1/jobs, DELETE /v1/jobs/{id}
// Data is only ever put into the page as text (textContent), never as HTML.
'use strict';

(() => {
  const CLUSTER_EVERY_MS = 2000;
  const JOBS_EVERY_MS = 3000;
  const METRICS_EVERY_MS = 5000;
  /** When /metrics is missing, look again now and then: the node may be upgraded. */
  const METRICS_MISSING_EVERY_MS = 30000;
  const RATE_WINDOW_MS = 5 * 60 * 1000;
  /** The chart's x axis spans at least this, so a first rate is not stretched over the width. */
  const SHORTEST_SPAN_MS = 60 * 1000;
  const JOBS_SHOWN = 50;
  /**
   * Event streams open at once. A browser opens at most 6 HTTP/1.1 connections to one host and an
   * event stream holds one while its job runs: beyond this, jobs are followed by the polling.
   */
  const MAX_STREAMS = 3;
  const STREAM_RETRY_MS = 5000;
  const TOKEN_KEY = 'taskgrid.token';
  const REQUEST_COUNTER = 'taskgrid_http_requests_seconds_count';

  /** Inputs to start from for the built-in tasks; any other task starts from {}. */
  const EXAMPLES = {
    primes: { from: 0, to: 2000000 },
    sha256: { text: 'taskgrid', rounds: 10000 },
    sleep: { millis: 500 },
    echo: { hello: 'taskgrid' },
    wordcount: { text: 'the quick brown fox jumps over the lazy dog the end' },
  };

  const $ = (id) => document.getElementById(id);

  // ---- talking to the API --------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Calls made by this page, to tell them apart from the cluster's own traffic. */
  let ownCalls = 0;

  /** fetch() with the tab's token, if any; a 401 asks for a token and throws. */
  async function call(path, options = {}) {
    const headers = new Headers(options.headers || {});
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.set('Authorization', 'Bearer ' + token);
    }
    if (!path.startsWith('/metrics')) {
      ownCalls++;
    }
    const response = await fetch(path, { ...options, headers, cache: 'no-store' });
    if (response.status === 401) {
      // Only about the token of now: an answer to a call sent before a new token was given
      // says nothing about the new one.
      if (sessionStorage.getItem(TOKEN_KEY) === token) {
        askForToken(Boolean(token));
      }
      throw new ApiError(401, 'unauthorized', 'this gateway needs an API token');
    }
    return response;
  }

  /** A call whose answer is JSON; an error answer throws with the contract's code and message. */
  async function json(path, options) {
    const response = await call(path, options);
    const text = await response.text();
    let body = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch (e) {
      throw new ApiError(response.status, 'not_json', 'answer ' + response.status + ' is not JSON');
    }
    if (!response.ok) {
      const error = (body && body.error) || {};
      throw new ApiError(response.status, error.code || 'http_' + response.status, error.message || text);
    }
    return body;
  }

  function setConnection(ok, text) {
    const badge = $('connection');
    badge.textContent = text;
    badge.className = 'badge ' + (ok ? 'live' : 'offline');
  }

  // ---- the token -----------------------------------------------------------------------------

  let tokenAsked = false;

  function askForToken(refused) {
    if (refused) {
      sessionStorage.removeItem(TOKEN_KEY);
    }
    if (tokenAsked) {
      return;
    }
    tokenAsked = true;
    $('token-error').hidden = !refused;
    setConnection(false, 'needs a token');
    const dialog = $('token-dialog');
    if (!dialog.open) {
      dialog.showModal();
    }
    $('token-input').focus();
  }

  function setUpToken() {
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const token = $('token-input').value.trim();
      if (!token) {
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, token);
      $('token-input').value = '';
      $('token-dialog').close();
      tokenAsked = false;
      showForgetButton();
      refreshAll();
    });
    $('token-dialog').addEventListener('cancel', (event) => event.preventDefault());
    $('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(TOKEN_KEY);
      showForgetButton();
      refreshAll();
    });
    showForgetButton();
  }

  function showForgetButton() {
    $('token-forget').hidden = !sessionStorage.getItem(TOKEN_KEY);
  }

  // ---- small DOM helpers ---------------------------------------------------------------------

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'class') {
        node.className = value;
      } else if (name === 'text') {
        node.textContent = value;
      } else {
        node.setAttribute(name, value);
      }
    }
    for (const child of children) {
      node.append(child);
    }
    return node;
  }

  function badge(state) {
    return el('span', { class: 'badge ' + String(state).replace(/[^a-z]/gi, '').toLowerCase(), text: state });
  }

  /**
   * A bar of segments, e.g. [{value: 40, class: 'done'}, {value: 2, class: 'failed'}] of 64, with
   * a label. role=progressbar and aria-valuenow (0 to 100) say the share that is filled.
   */
  function bar(segments, total, label, name) {
    const node = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' });
    if (name) {
      node.setAttribute('aria-label', name);
    }
    updateBar(node, segments, total, label);
    return node;
  }

  function updateBar(node, segments, total, label) {
    node.replaceChildren();
    let filled = 0;
    for (const segment of segments) {
      const share = total > 0 ? Math.min(1, Math.max(0, segment.value / total)) : 0;
      filled += share;
      const fill = el('div', { class: 'fill ' + segment.class });
      fill.style.width = (share * 100).toFixed(2) + '%';
      node.append(fill);
    }
    node.append(el('span', { class: 'label', text: label }));
    node.setAttribute('aria-valuenow', String(Math.round(Math.min(1, filled) * 100)));
  }

  function shortTime(iso) {
    if (!iso) {
      return '';
    }
    const date = new Date(iso);
    return isNaN(date) ? iso : date.toLocaleTimeString([], { hour12: false });
  }

  function dateTime(iso) {
    const date = new Date(iso);
    // Swedish conventions write local time as ISO does: 2026-12-02 13:33:48.
    return !iso || isNaN(date) ? iso || '' : date.toLocaleString('sv-SE');
  }

  /** When the job finished and how long it took, or a dash while it runs. */
  function finishedText(view) {
    if (!view.finishedAt) {
      return '\u2014';
    }
    const took = (new Date(view.finishedAt) - new Date(view.createdAt)) / 1000;
    return dateTime(view.finishedAt) + (Number.isFinite(took) && took >= 0 ? ' (took ' + took.toFixed(1) + ' s)' : '');
  }

  // ---- members and executors -----------------------------------------------------------------

  async function refreshCluster() {
    const view = await json('/v1/cluster');
    $('self').textContent = view.self || '';
    renderMembers(view.members || [], view.self);
    renderExecutors(view.executors || []);
  }

  function renderMembers(members, self) {
    const rows = members.map((member) =>
      el(
        'tr',
        { 'data-address': member.address },
        el('td', { class: 'mono', text: member.address + (member.address === self ? ' (this gateway)' : '') }),
        el('td', {}, ...(member.roles || []).map((role) => el('span', { class: 'badge role', text: role }))),
        el('td', {}, badge(member.status)),
      ),
    );
    $('members').tBodies[0].replaceChildren(...rows);
  }

  /**
   * An executor's lanes. Today the router reports one number per executor (capacity, inFlight);
   * when it reports lanes ({lanes: [{lane, running, queued, slots}]} or {lanes: {name: {...}}}),
   * each shows as a bar of its own.
   */
  function lanesOf(executor) {
    const lanes = executor.lanes;
    const read = (name, lane) => ({
      name,
      running: Number(lane.running ?? lane.inFlight ?? 0),
      queued: Number(lane.queued ?? 0),
      slots: Number(lane.slots ?? lane.capacity ?? 0),
    });
    if (Array.isArray(lanes) && lanes.length > 0) {
      return lanes.map((lane, i) => read(lane.lane || lane.name || 'lane ' + (i + 1), lane));
    }
    if (lanes && typeof lanes === 'object' && Object.keys(lanes).length > 0) {
      return Object.entries(lanes).map(([name, lane]) => read(name, lane));
    }
    return [read('parts', executor)];
  }

  function renderExecutors(executors) {
    const container = $('executors');
    if (executors.length === 0) {
      container.replaceChildren(el('p', { class: 'muted', text: 'no executor yet' }));
      return;
    }
    const sorted = [...executors].sort((a, b) => String(a.node).localeCompare(String(b.node)));
    container.replaceChildren(
      ...sorted.map((executor) => {
        const lanes = lanesOf(executor).map((lane) => {
          const label = lane.running + ' / ' + lane.slots + (lane.queued ? ' (+' + lane.queued + ' queued)' : '');
          const segments = [
            { value: lane.running, class: 'load' },
            { value: lane.queued, class: 'queued' },
          ];
          return el(
            'div',
            { class: 'lane' },
            el('span', { class: 'name', text: lane.name }),
            bar(segments, Math.max(lane.slots, lane.running + lane.queued), label, executor.node + ' ' + lane.name),
          );
        });
        // The lanes' slots as reported; the router counts in-flight parts per executor, not per
        // lane, so the one bar above stays the only load shown.
        const slots = [
          ['blocking', executor.blockingSlots],
          ['cpu', executor.cpuSlots],
        ].filter(([, value]) => value !== undefined && value !== null);
        const slotText = slots.length === 0 ? [] : [
          el('div', { class: 'slots muted small', text: 'slots: ' + slots.map(([name, value]) => name + ' ' + value).join(' \u00b7 ') }),
        ];
        return el(
          'div',
          { class: 'executor', 'data-node': executor.node },
          el(
            'div',
            { class: 'head' },
            el('span', { class: 'node mono', text: executor.node, title: executor.node }),
            badge(executor.state),
            el('span', { class: 'muted small', text: (executor.completed ?? 0) + ' done' }),
          ),
          ...lanes,
          ...slotText,
        );
      }),
    );
  }

  // ---- calls per second ----------------------------------------------------------------------

  /** Scrapes: {at, total, errors, own}, the last five minutes of them. */
  const scrapes = [];
  let metricsMissing = false;

  /** The counter's samples summed, all routes but /metrics itself; errors are status 5xx. */
  function sumRequests(text) {
    let total = 0;
    let errors = 0;
    let found = false;
    for (const line of text.split('\n')) {
      if (!line.startsWith(REQUEST_COUNTER)) {
        continue;
      }
      const match = /^(\w+)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!match || match[1] !== REQUEST_COUNTER) {
        continue;
      }
      const labels = {};
      for (const label of (match[2] || '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[label[1]] = label[2];
      }
      const value = Number(match[3]);
      if (!Number.isFinite(value)) {
        continue;
      }
      found = true;
      if ((labels.route || '').startsWith('/metrics')) {
        continue;
      }
      total += value;
      if ((labels.status || '').startsWith('5')) {
        errors += value;
      }
    }
    return found ? { total, errors } : null;
  }

  async function refreshMetrics() {
    const response = await call('/metrics', { headers: { Accept: 'text/plain' } });
    if (response.status === 404) {
      metricsMissing = true;
      renderRate('metrics unavailable: this gateway has no /metrics');
      return;
    }
    const text = await response.text();
    if (!response.ok) {
      metricsMissing = true;
      renderRate('metrics unavailable: /metrics answered ' + response.status);
      return;
    }
    const sums = sumRequests(text);
    if (!sums) {
      metricsMissing = true;
      renderRate('metrics unavailable: no ' + REQUEST_COUNTER + ' in /metrics');
      return;
    }
    metricsMissing = false;
    const now = Date.now();
    scrapes.push({ at: now, total: sums.total, errors: sums.errors, own: ownCalls });
    while (scrapes.length > 0 && scrapes[0].at < now - RATE_WINDOW_MS) {
      scrapes.shift();
    }
    renderRate(null);
  }

  /** Calls per second between each two scrapes; a counter that went down (a restart) starts anew. */
  function rates() {
    const points = [];
    for (let i = 1; i < scrapes.length; i++) {
      const before = scrapes[i - 1];
      const after = scrapes[i];
      const seconds = (after.at - before.at) / 1000;
      if (seconds <= 0 || after.total < before.total) {
        continue;
      }
      points.push({
        from: before.at,
        at: after.at,
        rate: (after.total - before.total) / seconds,
        errors: Math.max(0, after.errors - before.errors) / seconds,
        own: (after.own - before.own) / seconds,
      });
    }
    return points;
  }

  /** A span of the chart's x axis as its left label: "-40 s", "-3 min". */
  function spanText(ms) {
    const seconds = Math.round(ms / 1000);
    return seconds < 120 ? seconds + ' s' : Math.round(seconds / 60) + ' min';
  }

  function svg(tag, attributes) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attributes)) {
      node.setAttribute(name, value);
    }
    return node;
  }

  function renderRate(unavailable) {
    const chart = $('rate-chart');
    const width = 400;
    const height = 120;
    chart.replaceChildren();
    // Over the chart, in HTML: the SVG stretches to its box, and its text would stretch with it.
    $('rate-message').hidden = !unavailable;
    if (unavailable) {
      $('rate-note').textContent = unavailable;
      $('rate-now').textContent = '';
      $('rate-max').textContent = '';
      return;
    }
    for (const y of [30, 60, 90]) {
      chart.append(svg('line', { class: 'grid', x1: 0, x2: width, y1: y, y2: y }));
    }
    const points = rates();
    if (points.length === 0) {
      $('rate-note').textContent = 'measuring: a rate needs two scrapes of /metrics';
      return;
    }
    const now = Date.now();
    // The x axis spans the scrapes kept, at least SHORTEST_SPAN_MS: a fixed five minutes would
    // squeeze the first minutes of a fresh page into a few pixels at the right edge.
    const span = Math.min(RATE_WINDOW_MS, Math.max(SHORTEST_SPAN_MS, now - scrapes[0].at));
    const max = Math.max(1, ...points.map((point) => point.rate));
    const x = (at) => Math.max(0, (width * (at - (now - span))) / span);
    const y = (rate) => height - 4 - ((height - 8) * rate) / max;
    // Each rate is the mean between two scrapes, so it is drawn as a step over that interval: one
    // rate (two scrapes) is already a visible segment, where a polyline of one point draws nothing.
    const steps = (value) => points.flatMap((point) => [
      x(point.from).toFixed(1) + ',' + y(value(point)).toFixed(1),
      x(point.at).toFixed(1) + ',' + y(value(point)).toFixed(1),
    ]);
    const line = steps((point) => point.rate);
    const first = x(points[0].from).toFixed(1);
    const last = x(points[points.length - 1].at).toFixed(1);
    chart.append(svg('polygon', { class: 'area', points: first + ',' + height + ' ' + line.join(' ') + ' ' + last + ',' + height }));
    chart.append(svg('polyline', { class: 'line', points: line.join(' ') }));
    $('rate-span').textContent = '-' + spanText(span);
    if (points.some((point) => point.errors > 0)) {
      const errors = steps((point) => point.errors);
      chart.append(svg('polyline', { class: 'errors', points: errors.join(' ') }));
    }
    const latest = points[points.length - 1];
    $('rate-now').textContent = 'now ' + latest.rate.toFixed(1) + '/s' + (latest.errors > 0 ? ', 5xx ' + latest.errors.toFixed(1) + '/s' : '');
    $('rate-max').textContent = 'top ' + max.toFixed(1) + '/s';
    $('rate-note').textContent =
      'all routes but /metrics, this page\'s own polling (about ' + latest.own.toFixed(1) + '/s) included; 5xx in red';
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** The jobs shown, by id: the last view of each (from the listing or an event). */
  const jobs = new Map();
  /** The event streams open, by job id. */
  const streams = new Map();
  /** Jobs whose stream ended early, and when it may be opened again. */
  const streamPausedUntil = new Map();
  let selectedJob = null;

  async function refreshJobs() {
    const listed = await json('/v1/jobs?limit=' + JOBS_SHOWN);
    const seen = new Set();
    for (const view of listed) {
      seen.add(view.id);
      const known = jobs.get(view.id);
      // An event may be newer than the listing: never let progress go backwards.
      if (!known || known.state === 'running') {
        jobs.set(view.id, known && !isNewer(view, known) ? known : view);
      }
    }
    for (const id of [...jobs.keys()]) {
      if (!seen.has(id) && id !== selectedJob) {
        jobs.delete(id);
        streamPausedUntil.delete(id);
      }
    }
    renderJobs(listed.map((view) => view.id));
    followRunningJobs();
    // The detail has errors and the result, which the listing has not: fetch it while the job
    // runs, and once more when the listing is the first to tell that it finished.
    const selected = selectedJob && jobs.get(selectedJob);
    if (selected && (selected.state === 'running' || !detailShown || detailShown.id !== selected.id
        || detailShown.state !== selected.state)) {
      refreshDetail();
    }
  }

  function isNewer(view, than) {
    return view.state !== 'running' || view.done + view.failed >= than.done + than.failed;
  }

  let shownOrder = [];

  function renderJobs(order) {
    shownOrder = order;
    const rows = order.map((id) => jobRow(jobs.get(id)));
    $('jobs').tBodies[0].replaceChildren(...rows);
    $('jobs-empty').hidden = rows.length > 0;
  }

  function progressOf(view) {
    const finished = view.done + view.failed;
    const percent = view.parts > 0 ? Math.floor((100 * finished) / view.parts) : 0;
    return {
      segments: [
        { value: view.done, class: 'done' },
        { value: view.failed, class: 'failed' },
      ],
      label: finished + ' / ' + view.parts + ' \u00b7 ' + percent + '%',
    };
  }

  function jobRow(view) {
    const progress = progressOf(view);
    const row = el(
      'tr',
      { 'data-job': view.id, class: view.id === selectedJob ? 'selected' : '' },
      el('td', { text: shortTime(view.createdAt), title: view.createdAt || '' }),
      el('td', { class: 'mono', text: view.id.slice(0, 8), title: view.id }),
      el('td', { text: view.task }),
      el('td', { text: view.mode || '' }),
      el('td', {}, bar(progress.segments, view.parts, progress.label, 'progress of job ' + view.id)),
      el('td', { class: 'state' }, badge(view.state)),
      el('td', { class: 'num retried', text: String(view.retried) }),
      el('td', { class: 'num failed', text: String(view.failed) }),
    );
    row.addEventListener('click', () => selectJob(view.id));
    return row;
  }

  /** Puts a newer view of a job into its row (and the detail), without redrawing the table. */
  function updateJob(view) {
    const known = jobs.get(view.id);
    if (known && !isNewer(view, known)) {
      return;
    }
    jobs.set(view.id, view);
    const row = document.querySelector('#jobs tr[data-job="' + CSS.escape(view.id) + '"]');
    if (row) {
      row.replaceWith(jobRow(jobs.get(view.id)));
    } else if (!shownOrder.includes(view.id)) {
      renderJobs([view.id, ...shownOrder].slice(0, JOBS_SHOWN));
    }
    if (known && known.state === 'running' && view.state !== 'running') {
      // Its parts just left the executors: show their load now, not at the next poll.
      refreshCluster().catch(() => {});
    }
    if (view.id === selectedJob) {
      if (view.state !== 'running') {
        refreshDetail();
      } else {
        renderDetail(jobs.get(view.id));
      }
    }
  }

  /** Opens event streams for the newest running jobs, as many as may be open at once. */
  function followRunningJobs() {
    const now = Date.now();
    for (const id of shownOrder) {
      if (streams.size >= MAX_STREAMS) {
        return;
      }
      const view = jobs.get(id);
      if (view && view.state === 'running' && !streams.has(id) && !((streamPausedUntil.get(id) || 0) > now)) {
        follow(id);
      }
    }
  }

  /** Reads the job's Server-Sent Events until its `done` event, and shows each as it comes. */
  async function follow(id) {
    const controller = new AbortController();
    streams.set(id, controller);
    try {
      const response = await call('/v1/jobs/' + encodeURIComponent(id) + '/events', {
        headers: { Accept: 'text/event-stream' },
        signal: controller.signal,
      });
      if (!response.ok || !response.body) {
        return;
      }
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        buffer = (buffer + value).replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          onEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (e) {
      // A dropped stream: the polling shows the job, and follows it again while it runs.
    } finally {
      streams.delete(id);
      // A stream that ended while its job still runs (a refusal, a dropped connection) is not
      // opened again at once, which could loop fast: the polling shows the job meanwhile.
      const view = jobs.get(id);
      if (view && view.state === 'running') {
        streamPausedUntil.set(id, Date.now() + STREAM_RETRY_MS);
      } else {
        streamPausedUntil.delete(id);
      }
      followRunningJobs();
    }
  }

  /** One event of the stream: `event:` and `data:` lines; comments and heartbeats carry no data. */
  function onEvent(block) {
    const data = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
    if (data.length === 0 || data.join('').trim() === '') {
      return;
    }
    try {
      updateJob(JSON.parse(data.join('\n')));
    } catch (e) {
      // Not a job view: nothing to show.
    }
  }

  // ---- a job's detail ------------------------------------------------------------------------

  /** Selects a job for the detail; the address (#job=ID) names it, to be kept or passed on. */
  function selectJob(id) {
    selectedJob = id;
    history.replaceState(null, '', '#job=' + encodeURIComponent(id));
    for (const row of document.querySelectorAll('#jobs tbody tr')) {
      row.classList.toggle('selected', row.dataset.job === id);
    }
    if (jobs.get(id)) {
      renderDetail(jobs.get(id));
    }
    refreshDetail();
  }

  async function refreshDetail() {
    const id = selectedJob;
    if (!id) {
      return;
    }
    try {
      const view = await json('/v1/jobs/' + encodeURIComponent(id));
      if (id === selectedJob) {
        const known = jobs.get(id);
        if (!known || isNewer(view, known)) {
          jobs.set(id, view);
        }
        renderDetail(view);
      }
    } catch (e) {
      if (id === selectedJob) {
        $('job-detail').replaceChildren(el('p', { class: 'error', text: e.message }));
      }
    }
  }

  /** The view the detail shows now. */
  let detailShown = null;

  function renderDetail(view) {
    detailShown = view;
    $('detail-title').textContent = view.id;
    const progress = progressOf(view);
    const fields = el('dl', { class: 'fields' });
    const add = (name, value) => fields.append(el('dt', { text: name }), el('dd', {}, value));
    add('task', document.createTextNode(view.task + (view.mode ? ' (' + view.mode + ')' : '')));
    add('state', badge(view.state));
    add('progress', bar(progress.segments, view.parts, progress.label, 'progress of the selected job'));
    add('parts', document.createTextNode(view.parts + ' parts: ' + view.done + ' done, ' + view.failed + ' failed, ' + view.retried + ' retried'));
    add('started', el('span', { text: dateTime(view.createdAt), title: view.createdAt || '' }));
    add('finished', el('span', { text: finishedText(view), title: view.finishedAt || '' }));
    if (view.result !== undefined && view.result !== null) {
      let result = JSON.stringify(view.result);
      if (result.length > 2000) {
        result = result.slice(0, 2000) + ' \u2026 (' + result.length + ' characters)';
      }
      add('result', el('code', { text: result }));
    }
    const children = [fields];
    const errors = view.errors || [];
    if (errors.length > 0) {
      const rows = errors.map((error) =>
        el('tr', {}, el('td', { class: 'num', text: error.part < 0 ? '\u2014' : String(error.part) }),
          el('td', { class: 'mono', text: error.code }), el('td', { text: error.message })),
      );
      children.push(
        el('h2', { text: 'Errors (' + errors.length + ')' }),
        el('table', { class: 'errors' },
          el('thead', {}, el('tr', {}, el('th', { class: 'num', text: 'part' }), el('th', { text: 'code' }), el('th', { text: 'message' }))),
          el('tbody', {}, ...rows)),
      );
    }
    if (view.state === 'running') {
      const cancel = el('button', { type: 'button', class: 'secondary', text: 'cancel job' });
      cancel.addEventListener('click', async () => {
        cancel.disabled = true;
        try {
          updateJob(await json('/v1/jobs/' + encodeURIComponent(view.id), { method: 'DELETE' }));
        } catch (e) {
          cancel.disabled = false;
        }
      });
      children.push(cancel);
    }
    $('job-detail').replaceChildren(...children);
  }

  // ---- the form that starts work -------------------------------------------------------------

  let tasks = [];

  async function loadTasks() {
    tasks = await json('/v1/tasks');
    const select = $('start-task');
    const chosen = select.value;
    select.replaceChildren(...tasks.map((task) => el('option', { value: task.name, text: task.name })));
    // What was chosen stays chosen; at first, a task that splits, as jobs are what this page follows.
    const first = tasks.find((task) => task.splittable) || tasks[0];
    select.value = tasks.some((task) => task.name === chosen) ? chosen : first ? first.name : '';
    onTaskChosen(chosen !== select.value);
  }

  function chosenTask() {
    return tasks.find((task) => task.name === $('start-task').value);
  }

  function chosenKind() {
    return document.querySelector('input[name="kind"]:checked').value;
  }

  /** Fills mode, kind and an example input for the task; keeps what the person typed unless asked. */
  function onTaskChosen(resetInput) {
    const task = chosenTask();
    if (!task) {
      return;
    }
    $('start-description').textContent = task.description || '';
    $('start-mode').replaceChildren(
      ...(task.modes || []).map((mode) =>
        el('option', { value: mode, text: mode + (mode === task.defaultMode ? ' (default)' : '') }),
      ),
    );
    $('start-mode').value = task.defaultMode;
    const split = document.querySelector('input[name="kind"][value="split"]');
    split.disabled = !task.splittable;
    if (split.checked && split.disabled) {
      document.querySelector('input[name="kind"][value="call"]').checked = true;
    }
    if (resetInput) {
      fillExample();
    }
    onKindChosen();
  }

  function fillExample() {
    const example = EXAMPLES[$('start-task').value] || {};
    $('start-input').value = JSON.stringify(chosenKind() === 'inputs' ? [example, example] : example);
  }

  function onKindChosen() {
    const kind = chosenKind();
    $('start-parts-label').hidden = kind !== 'split';
    $('start-timeout-label').hidden = kind !== 'call';
    $('start-input-label').textContent = kind === 'inputs' ? 'inputs (a JSON list, one part each)' : 'input (JSON)';
    const text = $('start-input').value.trim();
    const isList = text.startsWith('[');
    if (!text || isList !== (kind === 'inputs')) {
      fillExample();
    }
  }

  function showAnswer(text, isError) {
    const answer = $('start-answer');
    answer.hidden = false;
    answer.textContent = text;
    answer.classList.toggle('error', isError);
  }

  async function onStart(event) {
    event.preventDefault();
    const task = $('start-task').value;
    const mode = $('start-mode').value;
    const kind = chosenKind();
    let input;
    try {
      input = JSON.parse($('start-input').value);
    } catch (e) {
      showAnswer('the input is not JSON: ' + e.message, true);
      return;
    }
    const submit = $('start-submit');
    submit.disabled = true;
    try {
      if (kind === 'call') {
        const query = new URLSearchParams({ mode });
        const timeout = $('start-timeout').value.trim();
        if (timeout) {
          query.set('timeout', timeout);
        }
        showAnswer('running ' + task + '\u2026', false);
        const answer = await json('/v1/tasks/' + encodeURIComponent(task) + '?' + query, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(input),
        });
        showAnswer(JSON.stringify(answer, null, 2), false);
      } else {
        const body = kind === 'split'
          ? { task, mode, input, parts: Number($('start-parts').value) }
          : { task, mode, inputs: input };
        const created = await json('/v1/jobs', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(body),
        });
        showAnswer('started job ' + created.id, false);
        $('start-answer').dataset.job = created.id;
        selectJob(created.id);
        await refreshJobs();
      }
    } catch (e) {
      showAnswer((e.code ? e.code + ': ' : '') + e.message, true);
    } finally {
      submit.disabled = false;
    }
  }

  function setUpForm() {
    $('start-form').addEventListener('submit', onStart);
    $('start-task').addEventListener('change', () => onTaskChosen(true));
    for (const radio of document.querySelectorAll('input[name="kind"]')) {
      radio.addEventListener('change', onKindChosen);
    }
  }

  // ---- the loops -----------------------------------------------------------------------------

  /**
   * Runs `refresh` now and then every `everyMs` (a number, or a function that tells) after it
   * finished; a failure goes to `onError` and stops nothing. The function returned runs it now,
   * or as soon as the run under way ends: there is only ever one timer per loop.
   */
  function every(everyMs, refresh, onError) {
    let timer = 0;
    let running = false;
    let again = false;
    const run = async () => {
      if (running) {
        again = true;
        return;
      }
      clearTimeout(timer);
      running = true;
      try {
        // A tab nobody looks at costs the gateway nothing; it catches up when shown again.
        if (!document.hidden) {
          await refresh();
        }
      } catch (e) {
        if (onError) {
          onError(e);
        }
      } finally {
        running = false;
      }
      if (again) {
        again = false;
        run();
      } else {
        timer = setTimeout(run, typeof everyMs === 'function' ? everyMs() : everyMs);
      }
    };
    run();
    return run;
  }

  const refreshers = [];

  function refreshAll() {
    for (const refresh of refreshers) {
      refresh();
    }
  }

  function start() {
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden) {
        refreshAll();
      }
    });
    setUpToken();
    setUpForm();
    const linked = /^#job=(.+)$/.exec(location.hash);
    if (linked) {
      selectJob(decodeURIComponent(linked[1]));
    }
    renderRate(null);
    refreshers.push(
      every(CLUSTER_EVERY_MS, async () => {
        await refreshCluster();
        setConnection(true, 'live');
      }, (e) => {
        if (!(e instanceof ApiError && e.status === 401)) {
          setConnection(false, 'gateway unreachable');
        }
      }),
      every(JOBS_EVERY_MS, async () => {
        if (tasks.length === 0) {
          await loadTasks();
        }
        await refreshJobs();
      }),
      every(() => (metricsMissing ? METRICS_MISSING_EVERY_MS : METRICS_EVERY_MS), refreshMetrics, () => {
        renderRate('metrics unavailable: the gateway did not answer');
      }),
    );
  }

  document.addEventListener('DOMContentLoaded', start);
})();
