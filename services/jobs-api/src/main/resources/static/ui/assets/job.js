// Live job page: follows /ui/jobs/{id}/events (server-sent events, event "job"); when EventSource is missing or the
// stream keeps failing, polls /ui/jobs/{id}/progress instead. Events older than what the page shows are ignored.
// The items table keeps the filters the server rendered it with (search form, a plain GET) and re-reads that page
// from /ui/jobs/{id}/items when the job changes, and every few seconds while it runs: items and job statuses come
// from different topics, so a job event may arrive before the item that caused it.
const main = document.getElementById('main');
const jobId = main.dataset.jobId;
const base = `/ui/jobs/${encodeURIComponent(jobId)}`;
const liveState = document.getElementById('live-state');
let shownUpdatedAt = Date.parse(main.dataset.updatedAt || '') || 0;
const ENDED = new Set(['COMPLETED', 'COMPLETED_WITH_FAILURES', 'TIMED_OUT', 'FAILED', 'CANCELLED']);
const POLL_MS = 2000;
const ITEMS_POLL_MS = 5000;
const itemsTable = document.getElementById('items');
let itemsTimer = null;
let jobEnded = false;

function text(id, value) {
  const element = document.getElementById(id);
  if (element) {
    element.textContent = value === null || value === undefined ? '—' : String(value);
  }
}

function format(instant) {
  if (!instant) {
    return '—';
  }
  return new Date(instant).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function setProgress(progress, percent) {
  const value = percent === null || percent === undefined ? 0 : percent;
  progress.value = value;
  progress.textContent = `${value}%`;
}

function badge(element, status) {
  element.textContent = status;
  element.className = element.className.replace(/\bs-\S+/g, '').trim() + ` s-${status}`;
}

function stageElement(stage) {
  const list = document.getElementById('stages');
  let item = [...list.children].find((li) => li.dataset.stage === stage.name);
  if (!item) {
    item = document.createElement('li');
    item.className = 'stage';
    item.dataset.stage = stage.name;
    item.innerHTML = '<h3></h3><span class="badge stage-status"></span>'
      + '<progress class="stage-progress" max="100"></progress>'
      + '<p class="stage-counts"><span class="stage-done"></span> / <span class="stage-total"></span></p>'
      + '<p class="times">Started <span class="stage-started"></span><br>Ended <span class="stage-ended"></span></p>'
      + '<p class="stage-detail"></p>';
    item.querySelector('h3').textContent = stage.name;
    item.querySelector('progress').setAttribute('aria-label', `Progress of stage ${stage.name}`);
    list.appendChild(item);
  }
  return item;
}

function render(job) {
  const updated = Date.parse(job.updatedAt || '') || 0;
  if (updated < shownUpdatedAt) {
    return;
  }
  shownUpdatedAt = updated;
  badge(document.getElementById('job-status'), job.status);
  const queuedNote = document.getElementById('queued-note');
  if (queuedNote && job.status !== 'QUEUED') {
    queuedNote.remove();
  }
  text('job-processed', job.processedCount);
  text('job-expected', job.expectedCount ?? '?');
  text('job-succeeded', job.succeededCount);
  text('job-failed', job.failedCount);
  text('job-skipped', job.skippedCount);
  text('job-completed', format(job.completedAt));
  setProgress(document.getElementById('job-progress'), job.progressPercent);
  text('job-progress-text', job.progressPercent === null ? '—' : `${job.progressPercent}%`);
  for (const stage of job.stages || []) {
    const item = stageElement(stage);
    badge(item.querySelector('.stage-status'), stage.status);
    setProgress(item.querySelector('.stage-progress'), stage.progressPercent);
    item.querySelector('.stage-done').textContent = stage.done;
    item.querySelector('.stage-total').textContent = stage.total ?? '?';
    item.querySelector('.stage-started').textContent = format(stage.startedAt);
    item.querySelector('.stage-ended').textContent = format(stage.endedAt);
    item.querySelector('.stage-detail').textContent = stage.detail ?? '';
    const node = [...document.querySelectorAll('.graph .node')].find((li) => li.dataset.stage === stage.name);
    if (node) {
      badge(node.querySelector('.node-state'), stage.status);
      node.querySelector('.node-done').textContent = stage.done;
      node.querySelector('.node-total').textContent = stage.total ?? '?';
    }
  }
  if (job.links && job.links.playlist) {
    const li = document.getElementById('playlist-link');
    li.textContent = 'Playlist: ';
    const link = document.createElement('a');
    link.href = job.links.playlist;
    link.textContent = job.links.playlist;
    li.appendChild(link);
  }
  if (ENDED.has(job.status)) {
    loadResult();
    liveState.textContent = `Job ended: ${job.status}.`;
    jobEnded = true;
    const cancel = document.getElementById('cancel-form');
    if (cancel) {
      cancel.hidden = true;
    }
  }
  refreshItemsSoon();
}

// The result is rendered by the server (GET /ui/jobs/{id}/result); a page opened before the job ended loads it once.
let resultRequested = false;
async function loadResult() {
  const section = document.getElementById('result-section');
  if (resultRequested || !section || section.dataset.loaded === 'true') {
    return;
  }
  resultRequested = true;
  try {
    const response = await fetch(`${base}/result`, { headers: { Accept: 'text/html' } });
    if (response.ok) {
      const fragment = new DOMParser().parseFromString(await response.text(), 'text/html');
      const fresh = fragment.getElementById('result-section');
      if (fresh) {
        section.replaceWith(document.importNode(fresh, true));
      }
    }
  } catch (error) {
    resultRequested = false;
  }
}

function itemRow(item) {
  const row = document.createElement('tr');
  row.className = `item o-${item.outcome}`;
  row.dataset.itemId = item.itemId;
  const id = document.createElement('th');
  id.scope = 'row';
  id.className = 'item-id';
  id.textContent = item.itemId;
  const outcome = document.createElement('td');
  const outcomeBadge = document.createElement('span');
  outcomeBadge.className = `badge s-${item.outcome}`;
  outcomeBadge.textContent = item.outcome;
  outcome.appendChild(outcomeBadge);
  const attempt = document.createElement('td');
  attempt.textContent = String(item.attempt);
  const worker = document.createElement('td');
  worker.className = 'item-worker';
  worker.textContent = item.worker ?? '';
  const claimed = document.createElement('td');
  if (item.claimedAt) {
    const claimedTime = document.createElement('time');
    claimedTime.dateTime = item.claimedAt;
    claimedTime.textContent = format(item.claimedAt);
    claimed.appendChild(claimedTime);
  }
  const processed = document.createElement('td');
  const time = document.createElement('time');
  time.dateTime = item.processedAt || '';
  time.textContent = format(item.processedAt);
  processed.appendChild(time);
  const error = document.createElement('td');
  error.className = 'item-error';
  error.textContent = item.error ?? '';
  row.append(id, outcome, attempt, worker, claimed, processed, error);
  return row;
}

function renderItems(page) {
  const body = document.getElementById('items-body');
  const rows = page.items.map(itemRow);
  if (rows.length === 0) {
    const empty = document.createElement('tr');
    empty.className = 'no-items';
    const cell = document.createElement('td');
    cell.colSpan = 7;
    cell.textContent = 'No items match.';
    empty.appendChild(cell);
    rows.push(empty);
  }
  body.replaceChildren(...rows);
  text('items-total', page.total);
  text('items-pages', Math.max(1, Math.ceil(page.total / page.size)));
}

async function refreshItems() {
  const params = new URLSearchParams();
  if (itemsTable.dataset.outcome) {
    params.set('outcome', itemsTable.dataset.outcome);
  }
  if (itemsTable.dataset.q) {
    params.set('q', itemsTable.dataset.q);
  }
  params.set('page', itemsTable.dataset.page || '0');
  try {
    const response = await fetch(`${base}/items?${params}`, { headers: { Accept: 'application/json' } });
    if (response.ok) {
      renderItems(await response.json());
    }
  } catch (e) {
    // The next change or tick tries again.
  }
}

// Bursts of job events (one per processed item) become one read of the items page.
function refreshItemsSoon() {
  if (itemsTable && itemsTimer === null) {
    itemsTimer = setTimeout(() => {
      itemsTimer = null;
      refreshItems();
    }, 300);
  }
}

function pollItems() {
  // One last read after the job ended catches items that arrived just after its final status.
  const wasEnded = jobEnded;
  refreshItemsSoon();
  if (!wasEnded) {
    setTimeout(pollItems, ITEMS_POLL_MS);
  }
}

function poll() {
  liveState.textContent = 'Live updates by polling every 2 s.';
  const tick = async () => {
    try {
      const response = await fetch(`${base}/progress`, { headers: { Accept: 'application/json' } });
      if (response.ok) {
        render(await response.json());
      }
    } catch (e) {
      // The next tick tries again.
    }
    setTimeout(tick, POLL_MS);
  };
  tick();
}

function stream() {
  const source = new EventSource(`${base}/events`);
  let failures = 0;
  source.addEventListener('open', () => {
    failures = 0;
    liveState.textContent = 'Live: updates appear as they happen.';
  });
  source.addEventListener('job', (event) => {
    failures = 0;
    render(JSON.parse(event.data));
  });
  source.addEventListener('error', () => {
    failures += 1;
    if (failures >= 3) {
      source.close();
      poll();
    } else {
      liveState.textContent = 'Live updates interrupted, reconnecting…';
    }
  });
}

if (window.EventSource) {
  stream();
} else {
  poll();
}
if (itemsTable) {
  setTimeout(pollItems, ITEMS_POLL_MS);
}
