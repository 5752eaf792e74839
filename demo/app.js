// forecart storefront demo. Uses only the package's public API: the browser entry (web/index.js,
// what `import { Forecart } from 'forecart'` resolves to) and, in Web Worker mode, forecart/worker
// (web/worker-client.js). No framework, no build step, no inline script or style (the page runs under a
// strict Content-Security-Policy), no request to any other origin.
//
// For tests and curious readers the page mirrors its state in data- attributes of <body>:
// state (loading|ready|error), mode (main|worker), kernels, storage, consent, history-count,
// pending (events not yet stored), idle ("true" when nothing is queued), first-prediction-ms,
// latency-ms, prediction-seq, catalogue, namespace, warnings and errors (space-separated codes).
import { Forecart as MainThreadForecart, ForecartError } from '../web/index.js';

// The two catalogues a visitor can switch between. Each has its own model, its own history namespace
// (the Forecart `namespace` option: the IndexedDB records of one never reach the other) and, where
// the data has them, product names (a JSON file of {id: name} beside the model).
const CATALOGUES = {
  taobao: {
    model: 'taobao.fcm',
    names: null,
    namespace: 'forecart-demo',
    title: 'Taobao',
    honest: 'The Taobao UserBehavior data has no product names or pictures: items are shown by their anonymised ids and categories, with a pattern generated from the category id.',
    source: 'Data: Alibaba Taobao UserBehavior (Tianchi data set 649), a slice; ids as published.',
  },
  uci: {
    model: 'uci.fcm',
    names: 'uci.names.json',
    namespace: 'forecart-demo-uci',
    title: 'UK gift shop',
    honest: "A UK online gift shop's invoices (2010-2011): products have their real names (the shop's own descriptions) but no pictures, so each gets a pattern generated from the last word of its name. The data has purchases only, so this model knows one action: opening a product records nothing, buying it does.",
    source: 'Data: UCI Machine Learning Repository, Online Retail (Chen, Sain and Guo 2012), CC BY 4.0; names as published.',
  },
};
const DEFAULT_CATALOGUE = 'taobao';
const LS_CATALOGUE = 'forecart-demo:catalogue'; // a key of CATALOGUES
const LS_CONSENT = 'forecart-demo:consent'; // 'granted' | 'revoked' (absent: not asked yet)
const LS_WORKER = 'forecart-demo:worker'; // '1' | '0'
const PAGE_SIZE = 24;
const TOP_K = 10;
const CATEGORY_K = 48;
const HISTORY_SHOWN = 60;

// Labels for the action names of the demo models; other models show their own names.
const ACTION_LABELS = {
  pv: { button: 'View', done: 'Viewed', bar: 'view' },
  view: { button: 'View', done: 'Viewed', bar: 'view' },
  click: { button: 'View', done: 'Viewed', bar: 'view' },
  cart: { button: 'Add to cart', done: 'Added to cart', bar: 'add to cart' },
  fav: { button: 'Favourite', done: 'Favourited', bar: 'favourite' },
  favourite: { button: 'Favourite', done: 'Favourited', bar: 'favourite' },
  follow: { button: 'Follow', done: 'Followed', bar: 'follow' },
  buy: { button: 'Buy', done: 'Bought', bar: 'buy' },
  purchase: { button: 'Buy', done: 'Bought', bar: 'buy' },
  browse: { button: 'View', done: 'Viewed', bar: 'view' },
  order: { button: 'Order', done: 'Ordered', bar: 'order' },
};
const label = (action, kind) => ACTION_LABELS[action]?.[kind] ?? action;
const VIEW_ACTIONS = ['pv', 'view', 'click', 'browse'];
const PURCHASE_ACTIONS = ['buy', 'purchase', 'order'];
// The action that opening a product records: a view-like one; for a model without one, the first
// action if it has several, and nothing if its only action is (say) a purchase.
function viewAction() {
  return state.actions.find((a) => VIEW_ACTIONS.includes(a)) ?? (state.actions.length > 1 && !PURCHASE_ACTIONS.includes(state.actions[0]) ? state.actions[0] : null);
}
const purchaseAction = () => state.actions.find((a) => PURCHASE_ACTIONS.includes(a)) ?? null;

const $ = (id) => document.getElementById(id);
const body = document.body;
const params = new URLSearchParams(location.search);

// Only plain model file names under ./models/ are accepted from the URL (?model=name.fcm); it loads
// that file in place of the catalogue's model (the failure tests use it). ?catalogue=KEY picks a
// catalogue, otherwise the one chosen last (localStorage), otherwise Taobao.
function modelFromUrl() {
  const m = params.get('model');
  return m && /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.fcm$/.test(m) && !m.includes('..') ? m : null;
}
function initialCatalogue(model) {
  const own = Object.keys(CATALOGUES).find((k) => CATALOGUES[k].model === model);
  if (model) return own ?? DEFAULT_CATALOGUE;
  for (const k of [params.get('catalogue'), localStorage.getItem(LS_CATALOGUE)]) if (k && Object.hasOwn(CATALOGUES, k)) return k;
  return DEFAULT_CATALOGUE;
}
const urlModel = modelFromUrl();
const firstCatalogue = initialCatalogue(urlModel);

const state = {
  fc: null,
  mode: 'main',
  catalogue: firstCatalogue,
  modelName: urlModel ?? CATALOGUES[firstCatalogue].model,
  names: null, // {id: product name} of the catalogue, or null
  info: null,
  actions: [],
  items: [],
  page: 0,
  category: null,
  selected: null,
  explainItem: null,
  explainChosen: false,
  prediction: null,
  pending: new Set(),
  queued: 0,
  historyBusy: false,
  historyDirty: false,
  latencies: [],
  predictionSeq: 0,
  warnings: new Set(),
  errors: new Set(),
  loadStarted: 0,
};

// ---------------------------------------------------------------------------------------------
// Small utilities

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

const fmtPct = (p, digits = 1) => `${(p * 100).toFixed(digits)}%`;
const fmtPp = (d) => `${d >= 0 ? '+' : '\u2212'}${Math.abs(d * 100).toFixed(2)} pp`; // percentage points
const catalogueDef = () => CATALOGUES[state.catalogue];
// What the page calls an item: its product name where the catalogue has one, its id otherwise.
const hasName = (item) => state.names !== null && Object.hasOwn(state.names, item);
const itemName = (item) => (hasName(item) ? state.names[item] : `Item ${item}`);
// The key of an item's generated visual: its category; for a named item without one, the last word
// of its name (HOLDER, BAG, MUG...), so that kindred products look alike.
function visualKey(item, category) {
  if (category !== undefined) return category;
  if (!hasName(item)) return undefined;
  const words = state.names[item].match(/[A-Za-z]+/g);
  return words ? `name:${words.at(-1).toUpperCase()}` : undefined;
}
// The line under an item's name: its category, or for a named item its id.
function itemMeta(item, category) {
  if (category !== undefined) return `Category ${category}`;
  return hasName(item) ? `StockCode ${item}` : '';
}
const fmtScore = (p) => (p >= 0.001 ? fmtPct(p, 2) : `${(p * 100).toPrecision(2)}%`);
const fmtInt = (n) => n.toLocaleString('en');
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
function ago(time) {
  const s = Math.round((time - Date.now()) / 1000);
  if (Math.abs(s) < 60) return rtf.format(s, 'second');
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

// Runs UI operations one after another so that the model sees events in click order and a mode
// switch never races a prediction. Errors are shown, not thrown.
let chain = Promise.resolve();
function serial(task) {
  state.queued++;
  updateIdle();
  const p = chain.then(task).catch(reportError).finally(() => {
    state.queued--;
    updateIdle();
  });
  chain = p;
  return p;
}

function updateIdle() {
  body.dataset.pending = String(state.pending.size);
  body.dataset.idle = String(state.queued === 0 && state.pending.size === 0 && !state.historyBusy && !state.historyDirty);
}

// ---------------------------------------------------------------------------------------------
// A deterministic visual per category: FNV-1a of the category id picks two hues and a pattern.

const SVG_NS = 'http://www.w3.org/2000/svg';
function hash(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
function svg(tag, attrs) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}
function categoryVisual(category) {
  const root = svg('svg', { viewBox: '0 0 100 100', class: 'visual', 'aria-hidden': 'true', focusable: 'false' });
  if (category === undefined) {
    root.append(svg('rect', { width: 100, height: 100, fill: 'hsl(0, 0%, 85%)' }));
    root.append(svg('text', { x: 50, y: 58, 'text-anchor': 'middle', 'font-size': 22, fill: 'hsl(0, 0%, 35%)' }));
    root.lastChild.textContent = '?';
    return root;
  }
  const h = hash(String(category));
  const hue = h % 360;
  const hue2 = (hue + 35 + ((h >>> 9) % 110)) % 360;
  const bg = `hsl(${hue}, 55%, 86%)`;
  const fg = `hsl(${hue2}, 50%, 42%)`;
  root.append(svg('rect', { width: 100, height: 100, fill: bg }));
  const pattern = (h >>> 17) % 5;
  const step = 12 + ((h >>> 20) % 4) * 4;
  const g = svg('g', { fill: fg, stroke: fg });
  if (pattern === 0) {
    const angle = ((h >>> 23) % 4) * 45;
    const stripes = svg('g', { transform: `rotate(${angle} 50 50)`, stroke: 'none' });
    for (let x = -60; x < 160; x += step) stripes.append(svg('rect', { x, y: -60, width: step / 2.5, height: 220 }));
    g.append(stripes);
  } else if (pattern === 1) {
    for (let y = step / 2; y < 100; y += step) {
      for (let x = step / 2; x < 100; x += step) g.append(svg('circle', { cx: x, cy: y, r: step / 4, stroke: 'none' }));
    }
  } else if (pattern === 2) {
    for (let r = step / 2; r < 75; r += step) g.append(svg('circle', { cx: 50, cy: 50, r, fill: 'none', 'stroke-width': step / 4 }));
  } else if (pattern === 3) {
    for (let y = 0; y < 100; y += step) {
      for (let x = (y / step) % 2 ? step : 0; x < 100; x += 2 * step) g.append(svg('rect', { x, y, width: step, height: step, stroke: 'none' }));
    }
  } else {
    for (let y = 0; y < 110; y += step) {
      const d = [];
      for (let x = 0; x <= 100; x += step) d.push(`${x === 0 ? 'M' : 'L'}${x} ${y + ((x / step) % 2 ? step / 2 : 0)}`);
      g.append(svg('path', { d: d.join(' '), fill: 'none', 'stroke-width': step / 5 }));
    }
  }
  root.append(g);
  return root;
}

// ---------------------------------------------------------------------------------------------
// Alerts: ForecartError codes and recoverable warnings, shown on the page (not only the console).

const WARNING_TEXT = {
  storage_fallback: 'This browser does not let the page store data (IndexedDB unavailable or full). Your history is kept in memory for this page only; what was stored before is untouched.',
  storage_blocked: 'Another tab is upgrading the history database; close other tabs of this demo if this persists.',
  corrupt_record: 'Some stored events were unreadable and were skipped.',
  unknown_action: 'Some stored events use an action this model does not know; they were skipped.',
  model_mime: 'The model was served with an unexpected content type.',
};

function showAlert(kind, code, message, buttons = []) {
  const box = $('alerts');
  const item = el('div', { class: `alert ${kind}`, dataset: { code, kind } },
    el('p', {}, el('strong', { text: kind === 'error' ? `Error (${code})` : `Warning (${code})` }), ` ${message}`));
  const row = el('div', { class: 'buttons' });
  for (const b of buttons) row.append(el('button', { type: 'button', onclick: b.onclick, text: b.text }));
  row.append(el('button', { type: 'button', class: 'link', text: 'Dismiss', onclick: () => item.remove() }));
  item.append(row);
  box.append(item);
  while (box.children.length > 5) box.firstElementChild.remove();
  (kind === 'error' ? state.errors : state.warnings).add(code);
  body.dataset.errors = [...state.errors].join(' ');
  body.dataset.warnings = [...state.warnings].join(' ');
  return item;
}

function reportError(err) {
  const code = err instanceof ForecartError || err?.name === 'ForecartError' ? err.code : 'internal';
  showAlert('error', code, err?.message || String(err));
}

function onWarning(w) {
  showAlert('warning', w.code, WARNING_TEXT[w.code] ? `${WARNING_TEXT[w.code]} (${w.message})` : w.message);
  scheduleHistoryRefresh();
}

function setStatus(text) {
  $('status').textContent = text;
}

// ---------------------------------------------------------------------------------------------
// Loading (main thread or worker)

async function loadForecart(mode) {
  const options = {
    namespace: catalogueDef().namespace,
    maxEvents: 500,
    ttlDays: 30,
    // Recording waits for consent; the choice is remembered in localStorage (not a tracking id).
    consent: localStorage.getItem(LS_CONSENT) === 'granted' ? 'granted' : 'required',
    onWarning,
  };
  const url = new URL(`models/${state.modelName}`, location.href).href;
  if (mode === 'worker') {
    const { Forecart: WorkerForecart } = await import('../web/worker-client.js');
    return WorkerForecart.load(url, options);
  }
  return MainThreadForecart.load(url, options);
}

// The catalogue's product names (a same-origin JSON file beside the model), or null: the page then
// shows ids, and says why.
async function loadNames() {
  const file = catalogueDef().names;
  if (!file || state.modelName !== catalogueDef().model) return null;
  try {
    const res = await fetch(new URL(`models/${file}`, location.href), { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const names = await res.json();
    if (!names || typeof names !== 'object' || Array.isArray(names)) throw new Error('not a JSON object');
    return names;
  } catch (err) {
    showAlert('warning', 'names_unavailable', `The product names (${file}) could not be loaded (${err.message}); items are shown by their ids.`);
    return null;
  }
}

function renderCatalogueText() {
  const def = catalogueDef();
  $('catalogue-select').value = state.catalogue;
  $('catalogue-honest').textContent = def.honest;
  $('data-source').textContent = def.source;
  body.dataset.catalogue = state.catalogue;
  body.dataset.namespace = def.namespace;
}

async function start(mode) {
  body.dataset.state = 'loading';
  body.dataset.mode = mode;
  body.dataset.model = state.modelName;
  renderCatalogueText();
  setControlsEnabled(false);
  setStatus(`Loading the model (${state.modelName}) ${mode === 'worker' ? 'in a Web Worker' : 'on the main thread'}…`);
  const t0 = performance.now();
  let fc;
  const names = loadNames(); // beside the model's download
  try {
    fc = await loadForecart(mode);
  } catch (err) {
    await names;
    $('catalogue-select').disabled = false; // the visitor can still switch to the other catalogue
    body.dataset.state = 'error';
    reportError(err);
    const buttons = [{ text: 'Retry', onclick: (e) => { e.target.closest('.alert').remove(); serial(() => start(mode)); } }];
    if (state.modelName !== catalogueDef().model) {
      buttons.unshift({
        text: 'Load the demo model',
        onclick: (e) => {
          e.target.closest('.alert').remove();
          state.modelName = catalogueDef().model;
          history.replaceState(null, '', location.pathname); // a reload keeps the working model
          serial(() => start(mode));
        },
      });
    }
    if (mode === 'worker') {
      buttons.push({ text: 'Use the main thread', onclick: (e) => { e.target.closest('.alert').remove(); $('worker-mode').checked = false; serial(() => start('main')); } });
    }
    showAlert('error', 'model_not_loaded', `The page works without predictions until a model loads (${err?.code || err?.message || err}).`, buttons);
    setStatus('No model loaded: recommendations are unavailable.');
    renderUnavailable();
    return;
  }
  state.fc = fc;
  state.mode = mode;
  state.names = await names;
  body.dataset.names = String(state.names !== null);
  state.info = await fc.info;
  state.actions = state.info.actions;
  body.dataset.kernels = state.info.kernels;
  const loadMs = performance.now() - t0;
  await refreshPredictions(); // first: the recommendations are what the shopper waits for
  state.items = await fc.catalogue();
  $('consent').checked = state.info.consent;
  $('worker-mode').checked = mode === 'worker';
  setControlsEnabled(true);
  await renderCatalogue(); // after enabling: it sets the pager buttons' own state
  body.dataset.state = 'ready';
  if (state.selected) await renderProduct(state.selected, null);
  scheduleHistoryRefresh();
  const first = body.dataset.firstPredictionMs;
  setStatus(`Ready: ${catalogueDef().title}, ${fmtInt(state.info.items)} items${state.names ? ' with names' : ''}, ` +
    `${fmtInt(state.info.categories)} categories, action${state.actions.length > 1 ? 's' : ''} ${state.actions.join(' / ')}; ` +
    `${state.info.kernels} kernels, ${mode === 'worker' ? 'Web Worker' : 'main thread'}; model loaded in ${loadMs.toFixed(0)} ms` +
    (first ? `, first prediction ${first} ms after the page started loading.` : '.'));
}

async function switchMode(mode) {
  if (mode === state.mode && state.fc) return;
  await Promise.allSettled([...state.pending]); // the new instance reads what the old one stored
  const old = state.fc;
  state.fc = null;
  if (old) await old.dispose();
  await start(mode);
}

// Another catalogue: its own model, names and history namespace. What was recorded in this one stays
// stored under its namespace and comes back when the visitor switches back.
async function switchCatalogue(key) {
  if (!Object.hasOwn(CATALOGUES, key) || (key === state.catalogue && state.fc)) return;
  await Promise.allSettled([...state.pending]);
  const old = state.fc;
  state.fc = null;
  if (old) await old.dispose();
  state.catalogue = key;
  state.modelName = CATALOGUES[key].model;
  state.names = null;
  Object.assign(state, { page: 0, category: null, selected: null, explainItem: null, explainChosen: false, prediction: null });
  $('product').hidden = true;
  localStorage.setItem(LS_CATALOGUE, key);
  history.replaceState(null, '', location.pathname); // drops ?model= / ?catalogue=: a reload keeps this choice
  await start(state.mode);
}

function setControlsEnabled(on) {
  for (const id of ['catalogue-select', 'consent', 'worker-mode', 'export-history', 'clear-history', 'prev-page', 'next-page']) $(id).disabled = !on;
}

// ---------------------------------------------------------------------------------------------
// Catalogue grid and product view

function itemCard(item, category, extra) {
  const meta = itemMeta(item, category);
  const button = el('button', { type: 'button', class: `card${hasName(item) ? ' named' : ''}`, dataset: { item }, onclick: () => openProduct(item) },
    categoryVisual(visualKey(item, category)),
    el('span', { class: 'card-id', text: itemName(item) }),
    el('span', { class: 'card-cat', text: meta || 'No category' }),
    extra ? el('span', { class: 'card-extra', text: extra }) : null);
  button.setAttribute('aria-label', `${itemName(item)}${meta ? `, ${meta.toLowerCase()}` : ''}${extra ? `, ${extra}` : ''}`);
  return el('li', { dataset: { item } }, button);
}

async function renderCatalogue() {
  const { fc } = state;
  if (!fc) return;
  const grid = $('grid');
  let entries;
  if (state.category !== null) {
    const pred = await fc.predict({ k: CATEGORY_K, category: state.category });
    entries = pred.items.map((x) => ({ item: x.item, category: x.category, extra: `${fmtScore(x.score)} likely next` }));
    $('catalogue-heading').textContent = `Category ${state.category}`;
    $('catalogue-note').textContent = `${entries.length} items of this category, ranked for you by the model.`;
    $('page-label').textContent = '';
    $('prev-page').hidden = $('next-page').hidden = true;
    $('all-items').hidden = false;
  } else {
    const pages = Math.max(1, Math.ceil(state.items.length / PAGE_SIZE));
    state.page = Math.min(Math.max(0, state.page), pages - 1);
    const ids = state.items.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
    const cats = await Promise.all(ids.map((id) => fc.itemCategory(id)));
    entries = ids.map((item, i) => ({ item, category: cats[i] }));
    $('catalogue-heading').textContent = 'Catalogue';
    $('catalogue-note').textContent = `${fmtInt(state.items.length)} items known to the model, in model order.`;
    $('page-label').textContent = `Page ${state.page + 1} of ${fmtInt(pages)}`;
    $('prev-page').hidden = $('next-page').hidden = false;
    $('prev-page').disabled = state.page === 0;
    $('next-page').disabled = state.page >= pages - 1;
    $('all-items').hidden = true;
  }
  grid.replaceChildren(...entries.map((e) => itemCard(e.item, e.category, e.extra)));
}

function openProduct(item) {
  return serial(async () => {
    const { fc } = state;
    if (!fc) return;
    state.selected = item;
    // Opening a product is a view (pv, view...), where the model has such an action.
    const view = viewAction();
    await renderProduct(item, view ?? 'none');
    if (view) {
      recordEvent(item, view);
      await refreshPredictions();
    } else {
      $('product-recorded').textContent = `Opening a product records nothing: this shop's data has ${state.actions.join(' / ')} events only.`;
    }
    $('product-heading').focus();
  });
}

async function renderProduct(item, justRecorded) {
  const category = await state.fc.itemCategory(item);
  $('product').hidden = false;
  $('product').dataset.item = item;
  $('product-visual').replaceChildren(categoryVisual(visualKey(item, category)));
  $('product-heading').textContent = itemName(item);
  $('product-meta').textContent = itemMeta(item, category) || 'No category in the model';
  $('product-category').hidden = category === undefined;
  $('product-category').dataset.category = category ?? '';
  const row = $('product-actions');
  const order = ['cart', 'fav', 'favourite', 'follow', 'buy', 'purchase', 'order'];
  const rank = (a) => (order.includes(a) ? order.indexOf(a) : order.length);
  const view = viewAction();
  const actions = state.actions.filter((a) => a !== view).sort((a, b) => rank(a) - rank(b));
  row.replaceChildren(...actions.map((action) =>
    el('button', { type: 'button', class: `act act-${action}`, dataset: { action }, text: label(action, 'button'),
      onclick: () => serial(async () => {
        recordEvent(state.selected, action);
        await refreshPredictions();
      }) })));
  if (justRecorded) $('product-recorded').textContent = '';
}

// record(): main thread: the model state is updated now, the Promise resolves once stored.
// Worker: the message queue keeps the order, so a predict() sent next sees this event.
function recordEvent(item, action) {
  const fc = state.fc;
  let p;
  try {
    p = Promise.resolve(fc.record({ item, action }));
  } catch (err) {
    reportError(err);
    return;
  }
  state.pending.add(p);
  updateIdle();
  p.then((stored) => {
    if (state.selected === item) {
      $('product-recorded').textContent = stored
        ? `${label(action, 'done')}: recorded on this device.`
        : `${label(action, 'done')}: not recorded (remembering is off; allow it above to personalise).`;
    }
  }, reportError).finally(() => {
    state.pending.delete(p);
    scheduleHistoryRefresh();
  });
}

// ---------------------------------------------------------------------------------------------
// Predictions, next-action bars, latency, explanation

async function refreshPredictions() {
  const { fc } = state;
  if (!fc) return;
  const t0 = performance.now();
  const pred = await fc.predict({ k: TOP_K });
  const ms = performance.now() - t0;
  state.prediction = pred;
  state.latencies.push(ms);
  if (state.latencies.length > 50) state.latencies.shift();
  // The explained item follows the top recommendation unless the shopper picked one ("Why?") that
  // is still recommended.
  if (!state.explainChosen || !pred.items.some((x) => x.item === state.explainItem)) {
    state.explainItem = pred.items[0]?.item ?? null;
    state.explainChosen = false;
  }
  // One explain call gives both: the chosen item's explanation and, for the whole prediction, how each
  // window event moves every next-action probability (actionExplanation).
  let explanation = [];
  let actionExplanation = [];
  if (!pred.fromPopularity) {
    const ex = await fc.predict({ k: 1, allow: state.explainItem ? [state.explainItem] : undefined, explain: true });
    if (state.explainItem) explanation = ex.items[0]?.explanation ?? [];
    actionExplanation = ex.actionExplanation ?? [];
  }
  renderPredictions(pred, ms, explanation);
  renderActionExplanation(pred, actionExplanation);
}

// Which recent events raised or lowered the purchase probability: the top 3 of each sign, in
// percentage points (the drop in P(purchase) when the event is left out; positive: it raised it).
const ACTION_EXPLAIN_TOP = 3;
const ACTION_EXPLAIN_MIN = 1e-5; // 0.001 pp: below this an event moves nothing worth showing
function renderActionExplanation(pred, entries) {
  const list = $('action-explanation');
  const help = $('action-explain-help');
  const buy = purchaseAction();
  $('action-explain-action').textContent = buy ? label(buy, 'bar') : 'purchase';
  list.dataset.action = buy ?? '';
  const empty = (text) => list.replaceChildren(el('li', { class: 'empty', text }));
  if (state.actions.length === 1) {
    list.dataset.mode = 'single';
    help.textContent = `This model has one action type (${state.actions[0]}): its next event is always a ` +
      `${state.actions[0]} (100%), so no event can raise or lower that.`;
    list.replaceChildren();
    list.hidden = true;
    return;
  }
  list.hidden = false;
  if (!buy) {
    list.dataset.mode = 'none';
    help.textContent = `This model has no purchase action (${state.actions.join(' / ')}).`;
    list.replaceChildren();
    list.hidden = true;
    return;
  }
  list.dataset.mode = 'events';
  help.textContent = `Now ${fmtPct(pred.actions[buy] ?? 0)}. Each of your recent events with how much it moved that: ` +
    'the change when the model leaves the event out, in percentage points.';
  if (pred.fromPopularity || !entries.length) {
    empty("No events yet: an empty history gets the training log's action frequencies.");
    return;
  }
  const moved = entries.map((e) => ({ ...e, d: e.impact[buy] ?? 0 }));
  const up = moved.filter((e) => e.d >= ACTION_EXPLAIN_MIN).sort((a, b) => b.d - a.d).slice(0, ACTION_EXPLAIN_TOP);
  const down = moved.filter((e) => e.d <= -ACTION_EXPLAIN_MIN).sort((a, b) => a.d - b.d).slice(0, ACTION_EXPLAIN_TOP);
  if (!up.length && !down.length) {
    empty(`None of your ${entries.length} recent events moves it.`);
    return;
  }
  const max = Math.max(...[...up, ...down].map((e) => Math.abs(e.d)), 1e-9);
  const row = (e, direction) => {
    const fill = el('span', { class: `fill ${direction === 'up' ? 'pos' : 'neg'}` });
    fill.style.width = `${((Math.abs(e.d) / max) * 100).toFixed(1)}%`;
    return el('li', { dataset: { item: e.item, action: e.action, time: String(e.time), impact: String(e.d), direction } },
      el('span', { class: 'ex-text', text: `${label(e.action, 'done')} ${itemName(e.item)}, ${ago(e.time)}` }),
      el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'ex-value', text: fmtPp(e.d) }));
  };
  list.replaceChildren(
    ...(up.length ? [el('li', { class: 'ex-group', text: 'Raised it' }), ...up.map((e) => row(e, 'up'))] : []),
    ...(down.length ? [el('li', { class: 'ex-group', text: 'Lowered it' }), ...down.map((e) => row(e, 'down'))] : []));
}

function renderPredictions(pred, ms, explanation) {
  $('pred-source').textContent = pred.fromPopularity
    ? 'No history yet: the most popular items of the catalogue.'
    : `Computed on this device from your last ${state.info.maxLen} events at most.`;
  const list = $('predictions');
  list.replaceChildren(...pred.items.map((x) => {
    const chosen = x.item === state.explainItem;
    return el('li', { dataset: { item: x.item, score: String(x.score), category: x.category ?? '' }, class: chosen ? 'chosen' : null },
      el('button', { type: 'button', class: 'rec', onclick: () => openProduct(x.item), 'aria-label': `Open ${itemName(x.item)}, ${fmtScore(x.score)} likely` },
        categoryVisual(visualKey(x.item, x.category)),
        el('span', { class: 'rec-id', text: itemName(x.item) }),
        el('span', { class: 'rec-cat', text: itemMeta(x.item, x.category) }),
        el('span', { class: 'rec-score', text: fmtScore(x.score) })),
      el('button', { type: 'button', class: 'why', 'aria-pressed': String(chosen), 'aria-label': `Why ${itemName(x.item)}?`, text: 'Why?',
        onclick: () => serial(async () => {
          state.explainItem = x.item;
          state.explainChosen = true;
          await refreshPredictions();
        }) }));
  }));

  const bars = $('action-bars');
  const top = state.actions.reduce((best, a) => ((pred.actions[a] ?? 0) > (pred.actions[best] ?? 0) ? a : best), state.actions[0]);
  bars.replaceChildren(...state.actions.map((a) => {
    const p = pred.actions[a] ?? 0;
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${(p * 100).toFixed(1)}%`; // CSSOM, allowed by style-src 'self'
    return el('li', { dataset: { action: a, p: String(p) }, class: a === top ? 'top' : null },
      el('span', { class: 'bar-label', text: label(a, 'bar') }),
      el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
      el('span', { class: 'bar-value', text: fmtPct(p) }));
  }));

  const sorted = [...state.latencies].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  $('latency').textContent = `predict(): ${ms.toFixed(2)} ms ${state.mode === 'worker' ? 'round trip to the worker' : 'on the main thread'} ` +
    `(median ${median.toFixed(2)} ms over ${sorted.length}).`;
  body.dataset.latencyMs = ms.toFixed(3);
  body.dataset.latencyMedianMs = median.toFixed(3);

  $('explain-item').textContent = state.explainItem ? itemName(state.explainItem) : 'this item';
  const ex = $('explanation');
  ex.dataset.item = state.explainItem ?? '';
  if (!explanation.length) {
    ex.replaceChildren(el('li', { class: 'empty', text: pred.fromPopularity ? 'Nothing to explain yet: no events in your history.' : 'No events explain this item.' }));
  } else {
    const max = Math.max(...explanation.map((e) => Math.abs(e.impact)), 1e-9);
    ex.replaceChildren(...explanation.slice(0, 8).map((e) => {
      const fill = el('span', { class: `fill ${e.impact >= 0 ? 'pos' : 'neg'}` });
      fill.style.width = `${((Math.abs(e.impact) / max) * 100).toFixed(1)}%`;
      return el('li', { dataset: { item: e.item, action: e.action, impact: String(e.impact) } },
        el('span', { class: 'ex-text', text: `${label(e.action, 'done')} ${itemName(e.item)}, ${ago(e.time)}` }),
        el('span', { class: 'bar', 'aria-hidden': 'true' }, fill),
        el('span', { class: 'ex-value', text: `${e.impact >= 0 ? '+' : ''}${e.impact.toFixed(2)}` }));
    }));
  }

  state.predictionSeq++;
  body.dataset.predictionSeq = String(state.predictionSeq);
  body.dataset.fromPopularity = String(pred.fromPopularity);
  if (!body.dataset.firstPredictionMs) body.dataset.firstPredictionMs = performance.now().toFixed(1);
}

function renderUnavailable() {
  $('predictions').replaceChildren(el('li', { class: 'empty', text: 'No model loaded.' }));
  $('action-bars').replaceChildren();
  $('explanation').replaceChildren();
  $('action-explanation').replaceChildren();
  $('latency').textContent = '';
  $('grid').replaceChildren();
  $('page-label').textContent = '';
  $('history-summary').textContent = 'The history is shown once a model is loaded; it stays stored on this device meanwhile.';
  $('history-list').replaceChildren();
}

// ---------------------------------------------------------------------------------------------
// History panel

function scheduleHistoryRefresh() {
  state.historyDirty = true;
  updateIdle();
  if (state.historyBusy) return;
  (async () => {
    state.historyBusy = true;
    try {
      while (state.historyDirty) {
        state.historyDirty = false;
        await renderHistory();
      }
    } catch (err) {
      reportError(err);
    } finally {
      state.historyBusy = false;
      updateIdle();
    }
  })();
}

async function renderHistory() {
  const { fc } = state;
  if (!fc) return;
  const [data, info] = await Promise.all([fc.history.export(), fc.info]);
  if (fc !== state.fc) return;
  const events = data.events;
  body.dataset.historyCount = String(events.length);
  body.dataset.storage = info.storage;
  body.dataset.consent = info.consent ? 'granted' : 'required';
  let where;
  if (!info.consent) where = 'Remembering is off: nothing is recorded or stored.';
  else if (info.storage === 'indexeddb') where = `${fmtInt(events.length)} event(s) stored in this browser's IndexedDB (namespace "${data.namespace}"), at most 500, kept 30 days.`;
  else where = `${fmtInt(events.length)} event(s) kept in memory for this page only (IndexedDB is unavailable): they are gone after a reload.`;
  $('history-summary').textContent = where;
  const shown = events.slice(-HISTORY_SHOWN).reverse();
  $('history-list').replaceChildren(...shown.map((e) =>
    el('li', { dataset: { item: e.item, action: e.action } },
      el('span', { class: 'h-action', text: label(e.action, 'done') }), ' ',
      el('span', { class: 'h-item', text: itemName(e.item) }), ' ',
      el('time', { datetime: new Date(e.time).toISOString(), text: new Date(e.time).toLocaleTimeString('en-GB') }))));
  if (events.length > HISTORY_SHOWN) $('history-list').append(el('li', { class: 'empty', text: `… and ${events.length - HISTORY_SHOWN} older event(s) (all are in the export).` }));
}

async function exportHistory() {
  const { fc } = state;
  if (!fc) return;
  const data = await fc.history.export();
  const blob = new Blob([`${JSON.stringify(data, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob); // a local blob: URL, nothing is uploaded
  const a = el('a', { href: url, download: `forecart-history-${new Date().toISOString().slice(0, 10)}.json`, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  setStatus(`Exported ${data.events.length} event(s) as JSON.`);
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wire() {
  $('consent').addEventListener('change', (e) => {
    const on = e.target.checked;
    serial(async () => {
      const { fc } = state;
      if (!fc) return;
      await Promise.allSettled([...state.pending]);
      if (on) await fc.grantConsent();
      else await fc.revokeConsent(); // also erases this namespace's stored history
      localStorage.setItem(LS_CONSENT, on ? 'granted' : 'revoked');
      setStatus(on ? 'Remembering your activity on this device.' : 'Remembering is off; the stored history was erased.');
      await refreshPredictions();
      scheduleHistoryRefresh();
    });
  });
  $('catalogue-select').addEventListener('change', (e) => {
    const key = e.target.value;
    serial(() => switchCatalogue(key));
  });
  $('worker-mode').addEventListener('change', (e) => {
    const on = e.target.checked;
    localStorage.setItem(LS_WORKER, on ? '1' : '0');
    serial(() => switchMode(on ? 'worker' : 'main'));
  });
  $('export-history').addEventListener('click', () => exportHistory().catch(reportError));
  $('clear-history').addEventListener('click', () => serial(async () => {
    await Promise.allSettled([...state.pending]);
    await state.fc?.history.clear();
    setStatus('History cleared from this device.');
    if (state.warnings.has('storage_erase_failed')) {
      // The library also erases IndexedDB after a storage failure; if even that failed, say so
      // rather than pretend that what the browser held is gone.
      showAlert('warning', 'clear_incomplete', 'Cleared for this page, but the browser storage could not be erased: reload the page and clear again.');
    }
    await refreshPredictions();
    scheduleHistoryRefresh();
  }));
  $('prev-page').addEventListener('click', () => serial(async () => { state.page--; await renderCatalogue(); }));
  $('next-page').addEventListener('click', () => serial(async () => { state.page++; await renderCatalogue(); }));
  $('all-items').addEventListener('click', () => serial(async () => {
    state.category = null;
    await renderCatalogue();
    $('catalogue-heading').focus();
  }));
  $('product-category').addEventListener('click', (e) => serial(async () => {
    state.category = e.target.dataset.category || null;
    await renderCatalogue();
    $('catalogue-heading').focus();
  }));
  $('product-close').addEventListener('click', () => {
    $('product').hidden = true;
    state.selected = null;
    $('catalogue-heading').focus();
  });
}

wire();
updateIdle();
serial(() => start(localStorage.getItem(LS_WORKER) === '1' ? 'worker' : 'main'));
