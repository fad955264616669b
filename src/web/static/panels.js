// The event timeline and the log viewer of the selected app.
const MAX_LOG_LINES = 2000;

export function formatTime(ms) {
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function describeEvent(e) {
  const parts = [];
  if (e.from_state || e.to_state) parts.push(`${e.from_state ?? "?"} → ${e.to_state ?? "?"}`);
  if (e.exit_code !== null) parts.push(`code ${e.exit_code}`);
  if (e.signal) parts.push(e.signal);
  if (e.reason) parts.push(e.reason);
  return parts.join(", ");
}

/** Shows the app's latest events, newest first; returns how many. */
export async function showEvents(api, list, app) {
  const events = app ? await api.get("/api/events", { targets: app, limit: 50 }) : [];
  const items = events.slice().reverse().map((e) => {
    const li = document.createElement("li");
    const time = document.createElement("time");
    time.dateTime = new Date(e.at).toISOString();
    time.textContent = formatTime(e.at);
    const name = document.createElement("strong");
    name.textContent = `${e.event}${e.instance_id === null ? "" : ` #${e.instance_id}`}`;
    const detail = document.createElement("span");
    detail.textContent = describeEvent(e);
    li.dataset.event = e.event;
    li.append(time, " ", name, " ", detail);
    return li;
  });
  list.replaceChildren(...items);
  return items.length;
}

function lineText(line) {
  const stream = line.stream === "err" ? "E" : " ";
  return `${formatTime(line.time)} ${line.app}#${line.instance_id} ${stream} ${line.text}`;
}

/** Shows a window of logs, then follows when asked. Returns a function that stops following. */
export async function showLogs(api, view, app, form) {
  const fields = new FormData(form);
  const params = {
    targets: app,
    since: fields.get("since"),
    until: fields.get("until"),
    grep: fields.get("grep"),
    stream: fields.get("stream"),
  };
  if (!params.since && !params.until) params.lines = 200;
  const lines = app ? await api.get("/api/logs", params) : [];
  view.textContent = lines.map(lineText).join("\n");
  view.scrollTop = view.scrollHeight;
  if (!app || !fields.get("follow")) return () => {};
  const source = api.follow({ targets: app, grep: params.grep, stream: params.stream, lines: 0 });
  source.addEventListener("lines", (event) => appendLines(view, JSON.parse(event.data)));
  return () => source.close();
}

function appendLines(view, lines) {
  const atBottom = view.scrollTop + view.clientHeight >= view.scrollHeight - 4;
  const text = lines.map(lineText).join("\n");
  view.textContent = view.textContent ? `${view.textContent}\n${text}` : text;
  const all = view.textContent.split("\n");
  if (all.length > MAX_LOG_LINES) view.textContent = all.slice(-MAX_LOG_LINES).join("\n");
  if (atBottom) view.scrollTop = view.scrollHeight;
}
