// The dashboard: the process table (refreshed every 2 s) with actions on each instance, the
// selected app's actions on all its instances (each with a confirmation), its history charts
// with its recent events beside them, and its logs.
import { makeApi, takeToken } from "./api.js";
import { drawChart, formatPercent, formatSize, watchChartWidths } from "./chart.js";
import { showEvents, showLogs } from "./panels.js";

const LIST_EVERY_MS = 2000;
const HISTORY_EVERY_MS = 10_000;
const WINDOW_MS = {
  "15m": 9e5,
  "1h": 3.6e6,
  "6h": 2.16e7,
  "24h": 8.64e7,
  "7d": 6.048e8,
  "30d": 2.592e9,
};
const $ = (selector) => document.querySelector(selector);

const state = { api: null, app: "", rows: [], stopFollow: () => {} };
const TITLE = { start: "Start", stop: "Stop", restart: "Restart", reload: "Reload" };

function showError(error) {
  const banner = $("#error-banner");
  banner.textContent = error ? `${error.code ?? "ERROR"}: ${error.message}` : "";
  banner.hidden = !error;
}

function formatUptime(ms) {
  if (ms === null) return "–";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function cell(label, content, className) {
  const td = document.createElement("td");
  td.dataset.label = label;
  if (className) td.className = className;
  td.append(content);
  return td;
}

function actionButton(label, row, op) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.dataset.action = op;
  button.setAttribute("aria-label", `${label} ${row.name} #${row.id}`);
  button.addEventListener(
    "click",
    () => confirmAction(op, { label: `${row.name} #${row.id}`, targets: [String(row.id)] }),
  );
  return button;
}

function renderRow(row) {
  const tr = document.createElement("tr");
  tr.dataset.id = String(row.id);
  tr.dataset.status = row.status;
  const status = document.createElement("span");
  status.className = `status status-${row.status}`;
  status.textContent = row.status;
  const actions = document.createElement("div");
  actions.className = "actions";
  if (row.desired === "up") {
    actions.append(
      actionButton("Restart", row, "restart"),
      actionButton("Reload", row, "reload"),
      actionButton("Stop", row, "stop"),
    );
  } else actions.append(actionButton("Start", row, "start"));
  tr.append(
    cell("id", String(row.id)),
    cell("name", row.name, "name"),
    cell("status", status),
    cell("pid", row.pid === null ? "–" : String(row.pid)),
    cell("restarts", String(row.restarts), "restarts"),
    cell("uptime", formatUptime(row.uptime_ms)),
    cell("CPU", formatPercent(row.group_cpu)),
    cell("memory", formatSize(row.group_memory)),
    cell("actions", actions, "actions-cell"),
  );
  return tr;
}

async function refreshList() {
  try {
    const rows = await state.api.get("/api/list");
    $("#process-table tbody").replaceChildren(...rows.map(renderRow));
    $("#no-processes").hidden = rows.length > 0;
    state.rows = rows;
    syncAppChoices(rows);
    syncAppActions();
    $("#connection").textContent = "live";
    $("#connection").dataset.state = "live";
  } catch (error) {
    $("#connection").textContent = "disconnected";
    $("#connection").dataset.state = "down";
    showError(error);
  }
}

function syncAppChoices(rows) {
  const select = $("#app-select");
  const apps = [...new Set(rows.map((r) => r.name))];
  const current = [...select.options].map((o) => o.value);
  if (apps.join("\n") === current.join("\n")) return;
  select.replaceChildren(...apps.map((name) => new Option(name, name)));
  if (apps.includes(state.app)) select.value = state.app;
  else selectApp(apps[0] ?? "");
}

/** The app buttons: Start while some instance is meant to be down, the others while some is up. */
function syncAppActions() {
  const rows = state.rows.filter((r) => r.name === state.app);
  const up = rows.some((r) => r.desired === "up");
  const down = rows.some((r) => r.desired !== "up");
  for (const button of document.querySelectorAll("#app-actions button")) {
    const op = button.dataset.appAction;
    button.disabled = rows.length === 0 || (op === "start" ? !down : !up);
    button.setAttribute("aria-label", `${TITLE[op]} every instance of ${state.app || "the app"}`);
  }
  $("#app-instances").textContent = rows.length === 1 ? "1 instance" : `${rows.length} instances`;
}

function appAction(op) {
  const rows = state.rows.filter((r) => r.name === state.app);
  if (!state.app || rows.length === 0) return;
  const ids = rows.map((r) => `#${r.id}`).join(", ");
  const label = `every instance of ${state.app} (${ids})`;
  confirmAction(op, { label, targets: [state.app] });
}

/** Asks, then runs `op` on `what.targets` (instance ids or an app name). */
function confirmAction(op, what) {
  const dialog = $("#confirm-dialog");
  $("#confirm-text").textContent = `${TITLE[op]} ${what.label}?`;
  dialog.returnValue = "";
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "ok") return;
    try {
      await state.api.post(`/api/${op}`, { targets: what.targets });
      showError(null);
    } catch (error) {
      showError(error);
    }
    await refreshList();
    await refreshEvents();
  }, { once: true });
  dialog.showModal();
}

async function refreshHistory() {
  if (!state.app) return;
  const span = WINDOW_MS[$("#window-select").value] ?? WINDOW_MS["1h"];
  const until = Date.now();
  const since = until - span;
  try {
    const stats = await state.api.get("/api/stats", {
      targets: state.app,
      since,
      until,
      max_points: 300,
    });
    const window = { since: stats.since, until: stats.until };
    drawChart($("#chart-cpu"), stats.points, { measure: "group_cpu", bytes: false, window });
    drawChart($("#chart-memory"), stats.points, { measure: "group_memory", bytes: true, window });
  } catch (error) {
    showError(error);
  }
}

async function refreshEvents() {
  try {
    const shown = await showEvents(state.api, $("#event-list"), state.app);
    $("#no-events").hidden = shown > 0;
  } catch (error) {
    showError(error);
  }
}

async function refreshLogs() {
  state.stopFollow();
  try {
    state.stopFollow = await showLogs(state.api, $("#log-view"), state.app, $("#log-form"));
    showError(null);
  } catch (error) {
    state.stopFollow = () => {};
    showError(error);
  }
}

function selectApp(app) {
  state.app = app;
  $("#app-select").value = app;
  $("#events-title").textContent = app ? `Recent events of ${app}` : "Recent events";
  syncAppActions();
  refreshHistory();
  refreshEvents();
  refreshLogs();
}

async function loadDaemonInfo() {
  const info = await state.api.get("/api/daemon");
  $("#daemon-info").textContent = `v${info.version} · pid ${info.pid} · ${info.home}`;
}

function start() {
  const token = takeToken();
  if (!token) {
    showError({
      code: "UNAUTHORIZED",
      message: "No token: open the URL that `adasa web` printed.",
    });
    return;
  }
  state.api = makeApi(token);
  watchChartWidths();
  $("#app-select").addEventListener("change", (e) => selectApp(e.target.value));
  $("#window-select").addEventListener("change", () => refreshHistory());
  for (const button of document.querySelectorAll("#app-actions button")) {
    button.addEventListener("click", () => appAction(button.dataset.appAction));
  }
  $("#log-form").addEventListener("submit", (e) => {
    e.preventDefault();
    refreshLogs();
  });
  loadDaemonInfo().catch(showError);
  refreshList();
  setInterval(refreshList, LIST_EVERY_MS);
  setInterval(() => {
    refreshHistory();
    refreshEvents();
  }, HISTORY_EVERY_MS);
}

start();
