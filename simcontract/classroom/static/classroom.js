// simcontract classroom: the join page, the student's page and the teacher's dashboard.
// Plain script, no libraries: every page asks the server for news about once a second.
"use strict";

let TEXTS = {}, FALLBACK = {}, LANG = localStorage.getItem("simcontract_lang") || "";
let VERSION = null, VIEW = null, FORM_KEY = null, DEADLINE = null, PAUSED = false, STEP = null;
let PRESENCE = null;  // the teacher's: which seats were present when the table was drawn
const page = document.body.dataset.page;
const $ = (id) => document.getElementById(id);

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node && typeof node === "object" ? node[part] : undefined), table);
}
function T(key, values) {
  let text = lookup(TEXTS, key);
  if (typeof text !== "string") text = lookup(FALLBACK, key);
  if (typeof text !== "string") text = key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (values && name in values ? values[name] : m));
}
function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
const money = (x) => Number(x).toLocaleString(undefined, {maximumFractionDigits: 1});
const pct = (x) => `${Math.round(100 * x)}%`;

// timeout (ms): give up on an answer that long in coming (a poll; a form sent is waited for).
async function api(path, body, timeout) {
  const sep = path.includes("?") ? "&" : "?";
  const options = body === undefined ? {} : {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)};
  const stop = timeout ? new AbortController() : null;
  const timer = stop ? setTimeout(() => stop.abort(), timeout) : null;
  if (stop) options.signal = stop.signal;
  let response;
  try {
    response = await fetch(`${path}${sep}lang=${encodeURIComponent(LANG)}`, options);
  } catch (e) {
    return {ok: false, status: 0, data: {error: T("errors.network")}};
  } finally {
    if (timer) clearTimeout(timer);
  }
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  return {ok: response.ok, status: response.status, data};
}
function say(message) { const box = $("message"); if (box) box.textContent = message || ""; }

// The served Chinese font (font.css, for devices without one) loads only once Chinese text
// is laid out. Chromium keeps the shapes of text laid out while it loads (the system font's
// empty boxes, without a CJK font) after it has loaded: the title and headings stayed tofu.
// So the pages fill in their texts only when the font is ready (or after a few seconds).
const FONT_READY = !document.fonts ? Promise.resolve() : Promise.race([
  document.fonts.load('1em "SimcontractCJK"', "中").catch(() => []),
  new Promise((resolve) => setTimeout(resolve, 5000)),
]);

async function loadTexts() {
  const [{data}] = await Promise.all([api("/api/texts"), FONT_READY]);
  TEXTS = data.texts; FALLBACK = data.fallback; LANG = data.lang;
  document.documentElement.lang = LANG === "zh_CN" ? "zh-CN" : LANG;
  const select = $("lang");
  select.setAttribute("aria-label", T("language"));
  select.innerHTML = Object.entries(data.languages).map(([code, name]) => `<option value="${code}"${code === LANG ? " selected" : ""}>${esc(name)}</option>`).join("");
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = T(el.dataset.t); });
  document.title = T("title");
  return data;
}

function setupLanguage(after) {
  $("lang").addEventListener("change", async (event) => {
    LANG = event.target.value; localStorage.setItem("simcontract_lang", LANG);
    await loadTexts(); VERSION = null; FORM_KEY = null; after();
  });
}

function clockText() {
  if (PAUSED) return T("paused");
  if (DEADLINE === null) return "";
  const left = Math.max(0, Math.round((DEADLINE - Date.now()) / 1000));
  return T("time_left", {m: Math.floor(left / 60), s: String(left % 60).padStart(2, "0")});
}
function setClock(clock) {
  PAUSED = !!(clock && clock.paused);
  DEADLINE = clock && clock.left !== null && clock.left !== undefined ? Date.now() + 1000 * clock.left : null;
}

// ------------------------------------------------------------------ join
async function joinPage() {
  await loadTexts(); setupLanguage(() => {});
  const code = new URLSearchParams(location.search).get("code");
  if (code) $("code").value = code;
  $("join").addEventListener("submit", async (event) => {
    event.preventDefault();
    const {ok, data} = await api("/api/join", {code: $("code").value, name: $("name").value});
    if (ok) location.href = "/play"; else say(data.error);
  });
}

// ------------------------------------------------------------------ student
function phaseText(view) {
  const year = T("year_of", {year: view.year, years: view.years});
  return `${year} · ${T("phase." + view.phase)}`;
}

function renderStatus(view) {
  const role = view.seat.role === "ngo" ? T("role_ngo") : T("role_official");
  let note = "";
  if (view.seat.from_year > view.year && view.phase !== "lobby") note = `<p>${esc(T("from_year", {year: view.seat.from_year}))}</p>`;
  $("status").innerHTML = `<h2>${esc(view.seat.name)} · ${esc(role)}</h2><p class="big" id="phase-line">${esc(phaseText(view))}</p><p id="clock"></p>${note}`;
}

function renderStory(view) {
  const box = $("story");
  box.hidden = !view.story.length;
  box.innerHTML = `<h3>${esc(T("what_happened", {year: view.story_year}))}</h3><ul>${view.story.map((s) => `<li>${esc(s)}</li>`).join("")}</ul>`;
}

// A table whose rows a phone shows one under another, each figure after its column's
// name (table.rows in classroom.css). names: the columns' names (text); rows: cells as
// HTML; more: rows of HTML after them.
function rowTable(names, rows, more = "") {
  const head = `<tr>${names.map((n) => `<th>${esc(n)}</th>`).join("")}</tr>`;
  const body = rows.map((cells) => `<tr>${cells.map((c, i) => `<td data-label="${esc(names[i])}">${c}</td>`).join("")}</tr>`).join("");
  return `<table class="rows">${head}${body}${more}</table>`;
}

function renderOrganisation(org) {
  if (!org) return `<p>${esc(T("no_organisation"))}</p>`;
  const closed = org.alive ? "" : `<p class="error">${esc(T("closed", {reason: org.exit_name || org.exit_reason, year: org.exit_year}))}</p>
    <button id="reseat">${esc(T("reseat"))}</button>`;
  const contracts = org.contracts.length
    ? rowTable([T("purchaser_col"), T("price_col"), T("years_col"), T("promised_col"), T("score_col")],
      org.contracts.map((c) => [esc(c.purchaser_name), money(c.price), `${c.start}–${c.end}`, pct(c.promised), c.score === null ? "—" : c.score.toFixed(2)]))
    : `<p>${esc(T("no_contracts"))}</p>`;
  const ties = org.ties.length ? `<ul>${org.ties.map((t) => `<li>${esc(t.purchaser_name)}: ${t.tie.toFixed(2)}</li>`).join("")}</ul>` : `<p>${esc(T("no_ties"))}</p>`;
  return `<h3>${esc(org.title)}</h3><p>${esc(org.origin_name)} · ${esc(org.place)} ${esc(org.sector_name)}</p>${closed}
    <dl class="facts"><dt>${esc(T("reserves"))}</dt><dd id="reserves">${money(org.reserves)}</dd>
    <dt>${esc(org.money_year ? T("revenue_gov_in", {year: org.money_year}) : T("revenue_gov"))}</dt><dd>${money(org.revenue_gov)}</dd>
    <dt>${esc(org.money_year ? T("revenue_other_in", {year: org.money_year}) : T("revenue_other"))}</dt><dd>${money(org.revenue_other)}</dd>
    <dt>${esc(T("staff"))}</dt><dd id="staff">${org.staff}</dd><dt>${esc(T("reputation"))}</dt><dd>${org.reputation.toFixed(2)}</dd>
    <dt>${esc(T("dependence"))}</dt><dd>${pct(org.dependence)}</dd></dl>
    <h4>${esc(T("contracts"))}</h4>${contracts}<h4>${esc(T("ties"))}</h4>${ties}`;
}

function renderPost(post) {
  if (!post) return "";
  const slots = rowTable([T("slot_col"), T("provider_col"), T("until_col"), T("score_col")],
    post.slots.map((s, i) => [i + 1, esc(s.provider_name || T("empty_slot")), s.end ?? "—", s.score.toFixed(2)]));
  const ties = post.ties.length ? `<ul>${post.ties.map((t) => `<li>${esc(t.ngo_name)}: ${t.tie.toFixed(2)}</li>`).join("")}</ul>` : `<p>${esc(T("no_ties"))}</p>`;
  return `<h3>${esc(post.title)}</h3><p>${esc(T("mode"))}: ${esc(post.mode_name)} · ${esc(T("budget"))}: ${money(post.budget)}</p>
    ${slots}
    <h4>${esc(T("your_ties"))}</h4>${ties}`;
}

// step="any": a stepped slider would snap the model's own value (0.955 to 0.96).
function slider(id, label, value, min, max, hint) {
  return `<label>${esc(label)} <output id="${id}-out">${pct(value)}</output>
    <input type="range" id="${id}" min="${min}" max="${max}" step="any" value="${value}"
      oninput="document.getElementById('${id}-out').textContent=Math.round(100*this.value)+'%'"></label>
    <p class="hint">${esc(hint)}</p>`;
}

function renderPlanForm(form) {
  const v = form.values;
  // The server says what limits the bids: how many, and that none is ticked at first;
  // or why there is no tender to tick.
  const notes = form.notes.map((n) => `<p class="hint">${esc(n)}</p>`).join("");
  const tenders = form.tenders.map((t) => `<label class="check"><input type="checkbox" name="bid" value="${esc(t.id)}"${v.bids.includes(t.id) ? " checked" : ""}> ${esc(t.name)}</label>`).join("");
  const officials = [`<option value="">${esc(T("court_nobody"))}</option>`].concat(form.officials.map((o) => `<option value="${o.id}"${v.court === o.id ? " selected" : ""}>${esc(o.name)}</option>`)).join("");
  return `<h3>${esc(T("plan_title"))}</h3>
    <fieldset><legend>${esc(T("bid_for"))}</legend>${notes}${tenders}
      <label class="check"><input type="checkbox" id="invitations"${v.invitations ? " checked" : ""}> ${esc(T("answer_invitations"))}</label></fieldset>
    ${slider("price", T("price"), v.price, form.lowest_price, 1, T("price_hint"))}
    ${slider("promise", T("promise"), v.promise, 1, form.highest_promise, T("promise_hint"))}
    <label class="check"><input type="checkbox" id="duties"${v.duties ? " checked" : ""}> ${esc(T("accept_duties"))}</label>
    <p class="hint">${esc(T("duties_hint"))}</p>
    <label>${esc(T("hires"))} <input type="number" id="hires" min="0" max="20" step="1" value="${v.hires}"></label>
    <p class="hint">${esc(T("hires_hint"))}</p>
    ${slider("documentation", T("documentation"), v.documentation, 0, 1, T("documentation_hint"))}
    <label>${esc(T("court"))} <select id="court">${officials}</select></label>
    <p class="hint">${esc(T("court_hint"))}</p>
    ${slider("advocacy", T("advocacy"), v.advocacy, 0, 1, T("advocacy_hint"))}
    <button id="submit-plan" data-year="${form.year}">${esc(T("submit_plan"))}</button>
    <p id="plan-state" class="ok">${form.submitted ? esc(T("plan_received")) : ""}</p>`;
}

function readPlan() {
  const num = (id) => Number($(id).value);
  const court = $("court").value;
  return {
    bids: [...document.querySelectorAll('input[name="bid"]:checked')].map((el) => el.value),
    price: num("price"), promise: num("promise"), invitations: $("invitations").checked,
    duties: $("duties").checked, documentation: num("documentation"),
    hires: Math.round(num("hires")), court: court === "" ? null : Number(court), advocacy: num("advocacy"),
  };
}

function renderAwardForm(pending) {
  const choice = (value, checked) => `<input type="radio" name="winner" value="${value}"${checked ? " checked" : ""}>`;
  const rows = pending.bids.map((b) => [choice(b.ngo, b.ngo === pending.proposed), esc(b.name), pct(b.price), pct(b.promise),
    b.reputation.toFixed(2), b.tie.toFixed(2), b.merit.toFixed(2), b.score.toFixed(2), b.acceptable ? "✓" : "✗"]);
  const none = `<tr><td>${choice("", pending.proposed === null)}</td><td colspan="8">${esc(T("no_award"))}</td></tr>`;
  return `<h3>${esc(T("award_title", {tender: pending.name}))}</h3><p class="hint">${esc(T("award_hint"))}</p>
    ${rowTable(["", T("bidder_col"), T("price_col_share"), T("promised_col"), T("reputation"), T("tie_col"), T("merit_col"), T("award_score_col"), T("acceptable_col")], rows, none)}
    <button id="submit-award" data-tender="${esc(pending.tender)}">${esc(T("submit_award"))}</button><p id="award-state" class="ok">${pending.submitted ? esc(T("award_received")) : ""}</p>`;
}

function renderDecide(view) {
  const box = $("decide");
  let key = null;
  if (view.form) key = `plan-${view.year}`;
  else if (view.pending) key = `award-${view.pending.tender}-${view.year}`;
  if (!key) { box.hidden = true; box.innerHTML = ""; FORM_KEY = null; return; }
  box.hidden = false;
  if (key === FORM_KEY) {
    if (view.form && view.form.submitted) $("plan-state").textContent = T("plan_received");
    if (view.pending && view.pending.submitted) $("award-state").textContent = T("award_received");
    return;
  }
  FORM_KEY = key;
  if (view.form) {
    box.innerHTML = renderPlanForm(view.form);
    // The answer may come after a poll has drawn the next form: it belongs to this one.
    const state = $("plan-state");
    $("submit-plan").addEventListener("click", async () => {
      const {ok, data} = await api("/api/plan", readPlan());
      if (!state.isConnected) return;
      if (ok) { state.textContent = T("plan_received"); say(""); } else say(data.error);
    });
  } else {
    box.innerHTML = renderAwardForm(view.pending);
    const state = $("award-state");
    $("submit-award").addEventListener("click", async () => {
      const chosen = document.querySelector('input[name="winner"]:checked');
      const winner = !chosen || chosen.value === "" ? null : Number(chosen.value);
      const {ok, data} = await api("/api/award", {tender: view.pending.tender, winner});
      if (!state.isConnected) return;
      if (ok) { state.textContent = T("award_received"); say(""); } else say(data.error);
    });
  }
}

function renderStudent(view) {
  VIEW = view; setClock(view.clock);
  renderStatus(view); renderStory(view); renderDecide(view);
  $("mine").innerHTML = view.seat.role === "ngo" ? renderOrganisation(view.organisation) : renderPost(view.post);
  const reseat = $("reseat");
  if (reseat) reseat.addEventListener("click", async () => {
    const {ok, data} = await api("/api/reseat", {});
    say(ok ? T("reseated") : data.error); VERSION = null;
  });
  if (view.error) say(T("errors.year_failed"));
}

// Polls can overlap on a busy machine: a late answer to an earlier poll must not draw an
// older state over a newer one (the dashboard then sent a step the session had left).
function newer(data) { return VERSION === null || data.version >= VERSION; }

// Ask for news every `ms`, one request at a time: while the network is down or the laptop
// sleeps, polls fired on a timer queued up in the browser and reached the server together.
const POLL_TIMEOUT = 10000;
async function repeat(poll, ms) {
  for (;;) {
    const start = Date.now();
    await poll();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, ms - (Date.now() - start))));
  }
}
function tickClock() { const clock = $("clock"); if (clock) clock.textContent = clockText(); }

async function pollStudent() {
  try {
    const {ok, status, data} = await api(`/api/me?since=${VERSION ?? ""}`, undefined, POLL_TIMEOUT);
    if (status === 401) { location.href = "/"; return; }
    if (ok && !data.same && newer(data)) { VERSION = data.version; renderStudent(data); }
  } catch (e) { /* the network dropped: try again */ }
  tickClock();
}

async function playPage() {
  await loadTexts(); setupLanguage(pollStudent);
  setInterval(tickClock, 1000);
  await repeat(pollStudent, 1000);
}

// ------------------------------------------------------------------ teacher
function renderTeacher(view) {
  setClock(view.clock); STEP = view.step;
  $("join-code").textContent = view.code;
  $("phase").textContent = `${T("year_of", {year: view.year, years: view.years})} · ${T("phase." + view.phase)}${view.waiting_for ? " · " + T("waiting_for", {who: view.waiting_for}) : ""}`;
  if (document.activeElement !== $("timer-planning")) $("timer-planning").value = view.timers.planning;
  if (document.activeElement !== $("timer-awarding")) $("timer-awarding").value = view.timers.awarding;
  const m = view.market;
  // The counts are of the last year closed, named by its number (none before year 1 closes).
  const closed = m.year === null ? "" : `<dt>${esc(T("slots_served", {year: m.year}))}</dt><dd id="slots-served">${m.served} / ${m.slots}</dd>
    <dt>${esc(T("tenders_last", {year: m.year}))}</dt><dd>${m.tenders}</dd><dt>${esc(T("failed_last", {year: m.year}))}</dt><dd>${m.failed}</dd>`;
  $("market").innerHTML = `<h3>${esc(T("market"))}</h3><dl class="facts"><dt>${esc(T("active_ngos"))}</dt><dd id="active-ngos">${m.active}</dd>
    ${closed}</dl>${history(m.history)}${view.error ? `<p class="error">${esc(T("year_failed_here"))}</p><pre class="error">${esc(view.error)}</pre>` : ""}`;
  const rows = view.seats.map((s) => `<tr class="${s.present ? "" : "absent"}"><td>${s.number}</td><td>${esc(s.name)}</td><td>${esc(s.role === "ngo" ? T("role_ngo") : T("role_official"))}</td>
    <td>${esc(s.agent)}</td><td>${s.present ? "●" : "○"}</td><td>${s.decided ? "✓" : ""}${s.awards && s.awards.awaited ? ` ${s.awards.made}/${s.awards.awaited}` : ""}</td><td>${s.alive ? "" : esc(T("closed_short"))}</td>
    <td>${view.phase === "ended" ? "" : s.rejoin ? `${esc(T("rejoin_open"))} <button data-seat="${s.number}" data-allow="false">${esc(T("cancel_rejoin"))}</button>`
      : `<button data-seat="${s.number}" data-allow="true" title="${esc(T("let_rejoin_help"))}">${esc(T("let_rejoin"))}</button>`}</td></tr>`).join("");
  $("seats").innerHTML = `<h3>${esc(T("joined", {n: view.seats.length}))}</h3><table id="seat-table"><tr><th>#</th><th>${esc(T("student"))}</th><th>${esc(T("role"))}</th>
    <th>${esc(T("plays"))}</th><th>${esc(T("present"))}</th><th>${esc(T("decided"))}</th><th></th><th></th></tr>${rows}</table>`;
  if (view.phase === "ended" && $("debrief").hidden) showDebrief();
}

function history(rows) {
  if (!rows || !rows.length) return "";
  const body = rows.map((r) => `<tr><td>${r.year}</td><td>${r.active}</td><td>${r.providers}</td><td>${r.tenders}</td><td>${r.failed}</td></tr>`).join("");
  return `<table id="history"><tr><th>${esc(T("year_axis"))}</th><th>${esc(T("active_ngos"))}</th><th>${esc(T("providers"))}</th><th>${esc(T("tenders"))}</th><th>${esc(T("failed"))}</th></tr>${body}</table>`;
}

async function showDebrief() {
  const {ok, data} = await api("/api/debrief");
  if (!ok) { say(data.error); return; }
  const box = $("debrief"); box.hidden = false;
  const rows = data.map((r) => `<tr><td>${esc(r.label)}</td><td>${esc(r.students)}</td><td>${esc(r.simulated)}</td></tr>`).join("");
  const stamp = Date.now();
  box.innerHTML = `<h3>${esc(T("show_debrief"))}</h3><table id="debrief-table"><tr><th></th><th>${esc(T("debrief.students"))}</th><th>${esc(T("debrief.simulated"))}</th></tr>${rows}</table>
    <div class="charts">${["survival", "reserves", "turnover"].map((n) => `<img alt="${esc(T("debrief.chart_" + n))}" src="/debrief/${n}.png?lang=${LANG}&t=${stamp}">`).join("")}</div>`;
}

async function pollTeacher() {
  try {
    const {ok, data} = await api(`/api/teacher?since=${VERSION ?? ""}&presence=${PRESENCE ?? ""}`, undefined, POLL_TIMEOUT);
    if (ok && !data.same && newer(data)) { VERSION = data.version; PRESENCE = data.presence; renderTeacher(data); }
  } catch (e) { /* try again */ }
  tickClock();
}

async function teacherPage() {
  const info = await loadTexts();
  $("join-url").textContent = info.join_url;
  $("qr").alt = T("qr_alt");
  setupLanguage(() => { pollTeacher(); if (!$("debrief").hidden) showDebrief(); });
  for (const action of ["start", "advance", "pause", "resume", "end"]) {
    const button = $(action);
    button.addEventListener("click", async () => {
      // A double click must not close the next stop too: the server refuses a step the
      // session has left, and the button rests for a second in case a poll came between.
      button.disabled = true; setTimeout(() => { button.disabled = false; }, 1000);
      const {ok, data} = await api(`/api/teacher/${action}`, {step: STEP});
      say(ok ? "" : data.error);
    });
  }
  // The seat table is drawn anew with each piece of news: one listener for its buttons.
  $("seats").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-seat]");
    if (!button) return;
    button.disabled = true;
    const {ok, data} = await api("/api/teacher/rejoin", {seat: Number(button.dataset.seat), allow: button.dataset.allow === "true"});
    if (!ok) button.disabled = false;  // refused: the table is not drawn anew
    say(ok ? "" : data.error);
  });
  $("show-debrief").addEventListener("click", showDebrief);
  $("set-timers").addEventListener("click", async () => {
    for (const phase of ["planning", "awarding"]) {
      const {ok, data} = await api("/api/teacher/timer", {phase, seconds: Number($(`timer-${phase}`).value)});
      if (!ok) { say(data.error); return; }
    }
    say("");
  });
  setInterval(tickClock, 1000);
  await repeat(pollTeacher, 1000);
}

({join: joinPage, play: playPage, teacher: teacherPage})[page]();
