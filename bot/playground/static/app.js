// The playground page: renders the world the bot's process sends (server-sent events) and posts
// what people and coordinators do. Plain JavaScript, no build step, nothing from the internet.
"use strict";

const $ = (id) => document.getElementById(id);
let world = null;
let person = null;      // id of the person shown
let team = null;        // key of the team shown
let thread = null;      // forum topic shown (null: General)
let replyTo = null;     // message a coordinator replies to (plain groups)
let pendingLocation = null; // a reply-keyboard location button waiting for a place
const pressed = new Set(); // buttons pressed here whose answer has not come yet

async function post(path, body) {
  const response = await fetch("/playground/" + path, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) showReport(false, data.error || "error");
  return data;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== null && value !== undefined) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function showReport(ok, text) {
  $("report").hidden = false;
  $("report").className = ok ? "ok" : "error";
  $("report-text").textContent = text;
}

function actAsPerson(body) { return post("act", Object.assign({person: person}, body)); }
function actAsTeam(body) { return post("act", Object.assign({team: team, thread: thread}, body)); }

// Messages ---------------------------------------------------------------------------------------

function bubble(message, mine, actor) {
  if (message.kind === "forum_topic_created") {
    return el("div", {class: "msg service"}, "📁 " + (message.topic || ""));
  }
  const node = el("div", {class: "msg " + (mine ? "me" : "bot"), "data-id": message.id});
  if (!mine && actor === "team" && !message.from_bot) node.append(el("div", {class: "author"}, message.author));
  if (message.from_bot && actor === "team") node.append(el("div", {class: "author"}, "Lotse"));
  if (message.reply_to) node.append(el("div", {class: "quote", dir: "auto"}, message.reply_to.text));
  const media = {voice: "🎤 voice message", photo: "🖼 photo", document: "📄 " + (message.file || "file"),
    audio: "🎵 audio", video: "🎬 video", sticker: "sticker", contact: "👤 contact"}[message.kind];
  if (media) node.append(el("div", {class: "media"}, media));
  const text = el("div", {class: "text", dir: "auto"});
  if (message.html) text.innerHTML = message.html;
  else if (message.location) text.textContent = `📍 ${message.location.latitude.toFixed(4)}, ${message.location.longitude.toFixed(4)}`;
  else if (!media) text.textContent = `[${message.kind}]`;
  node.append(text);
  if (message.buttons.length) {
    const rows = el("div", {class: "buttons"});
    for (const row of message.buttons) {
      const line = el("div", {class: "brow"});
      for (const button of row) {
        if (button.url) {
          line.append(el("a", {href: button.url, target: "_blank", rel: "noopener", dir: "auto"}, "↗ " + button.text));
          continue;
        }
        const key = `${message.chat}:${message.id}:${button.data}`;
        const waiting = pressed.has(key) || world.pending.some((p) => `${p[0]}:${p[1]}:${p[2]}` === key);
        line.append(el("button", {
          type: "button", dir: "auto", "data-callback": button.data,
          class: waiting ? "pending" : "",
          onclick: () => press(actor, message, button.data, key),
        }, button.text));
      }
      rows.append(line);
    }
    node.append(rows);
  }
  const meta = el("div", {class: "meta"}, message.edited ? "edited" : "");
  if (actor === "team" && !currentTeam().forum) {
    meta.append(" ", el("button", {type: "button", class: "reply-action", onclick: () => setReply(message)}, "↩ reply"));
  }
  node.append(meta);
  return node;
}

async function press(actor, message, data, key) {
  pressed.add(key);
  render();
  try {
    if (actor === "team") await actAsTeam({kind: "press", message: message.id, data: data});
    else await actAsPerson({kind: "press", message: message.id, data: data});
  } finally {
    // The spinner stays while the bot has not answered (the world's "pending" list says so).
    pressed.delete(key);
  }
}

function fillChat(container, messages, actor, isMine) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  container.replaceChildren(...messages.map((m) => bubble(m, isMine(m), actor)));
  if (atBottom || container.dataset.first !== "no") container.scrollTop = container.scrollHeight;
  container.dataset.first = "no";
}

// People -----------------------------------------------------------------------------------------

let lastNotice = null;
function showNotice(notice) {
  // Telegram shows the answer to a button press as a short toast (or an alert to confirm).
  if (!notice || notice.id === lastNotice) return;
  lastNotice = notice.id;
  const toast = $("toast");
  toast.textContent = notice.text;
  toast.className = notice.alert ? "alert" : "";
  toast.hidden = false;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => { toast.hidden = true; }, notice.alert ? 8000 : 4000);
}

function currentPerson() { return world.people.find((p) => p.id === person); }

function renderPeople() {
  const tabs = world.people.map((p) => el("button", {
    type: "button", class: p.id === person ? "active" : "", "data-person": p.id,
    onclick: () => { person = p.id; $("person-chat").dataset.first = ""; render(); },
  }, `${p.name} (${p.language || "—"})`));
  $("person-tabs").replaceChildren(...tabs);
  const shown = currentPerson();
  const chat = $("person-chat");
  if (!shown) { chat.replaceChildren(); $("keyboard").replaceChildren(); return; }
  chat.setAttribute("dir", shown.rtl ? "rtl" : "ltr");
  showNotice(shown.notice);
  chat.setAttribute("lang", shown.language || "");
  fillChat(chat, shown.messages, "person", (m) => !m.from_bot);
  $("keyboard").replaceChildren(...shown.keyboard.map((row) => el("div", {class: "krow"}, ...row.map((b) =>
    el("button", {type: "button", dir: "auto", onclick: () => replyButton(b)}, (b.request_location ? "📍 " : "") + b.text)))));
  $("commands").replaceChildren(...shown.commands.map(([command, description]) =>
    el("div", {onclick: () => { $("commands").hidden = true; actAsPerson({kind: "text", text: "/" + command}); }},
      el("b", {}, "/" + command), " — " + description)));
}

function replyButton(button) {
  if (button.request_location) {
    pendingLocation = button.text;
    $("attach").hidden = false;
    $("place").focus();
    return;
  }
  actAsPerson({kind: "reply_button", text: button.text});
}

function shareLocation(lat, lon) {
  $("attach").hidden = true;
  if (pendingLocation) {
    const text = pendingLocation;
    pendingLocation = null;
    return actAsPerson({kind: "reply_button", text: text, lat: lat, lon: lon});
  }
  return actAsPerson({kind: "location", lat: lat, lon: lon});
}

// The map: the places of the content's regions, drawn on a plain projection (no tiles needed).
function drawMap() {
  const svg = $("map");
  const places = world.places;
  svg.replaceChildren();
  $("place").replaceChildren(el("option", {value: ""}, "Share a place…"),
    ...places.map((p, i) => el("option", {value: i}, `${p.region}: ${p.name}`)));
  if (!places.length) return;
  const lats = places.map((p) => p.lat), lons = places.map((p) => p.lon);
  const box = {s: Math.min(...lats) - 0.08, n: Math.max(...lats) + 0.08, w: Math.min(...lons) - 0.12, e: Math.max(...lons) + 0.12};
  svg._box = box;
  const x = (lon) => (lon - box.w) / (box.e - box.w) * 320, y = (lat) => (box.n - lat) / (box.n - box.s) * 200;
  const ns = "http://www.w3.org/2000/svg";
  for (const p of places) {
    const dot = document.createElementNS(ns, "circle");
    const center = p.name === p.region;
    dot.setAttribute("cx", x(p.lon)); dot.setAttribute("cy", y(p.lat)); dot.setAttribute("r", center ? 4 : 2.5);
    if (center) {
      dot.setAttribute("class", "center");
      const label = document.createElementNS(ns, "text");
      label.setAttribute("x", x(p.lon) + 5); label.setAttribute("y", y(p.lat) - 4);
      label.textContent = p.region;
      svg.append(label);
    }
    const title = document.createElementNS(ns, "title");
    title.textContent = p.name;
    dot.append(title);
    svg.append(dot);
  }
}

$("map").addEventListener("click", (event) => {
  const svg = $("map"), box = svg._box;
  if (!box) return;
  const rect = svg.getBoundingClientRect();
  const fx = (event.clientX - rect.left) / rect.width, fy = (event.clientY - rect.top) / rect.height;
  shareLocation(box.n - fy * (box.n - box.s), box.w + fx * (box.e - box.w));
});
$("place").addEventListener("change", () => {
  const p = world.places[Number($("place").value)];
  if ($("place").value !== "" && p) shareLocation(p.lat, p.lon);
});

// Coordinators -----------------------------------------------------------------------------------

function currentTeam() { return world.teams.find((t) => t.key === team); }

function setReply(message) {
  replyTo = message.id;
  $("replying").hidden = false;
  $("replying").textContent = "↩ replying to: " + message.html.replace(/<[^>]+>/g, "").slice(0, 60) + "  (Esc: cancel)";
  $("team-input").focus();
}

function clearReply() { replyTo = null; $("replying").hidden = true; }

function renderTeams() {
  $("team-tabs").replaceChildren(...world.teams.map((t) => el("button", {
    type: "button", class: t.key === team ? "active" : "", "data-team": t.key,
    title: t.forum ? "forum group: a topic per request" : "plain group: reply to a card",
    onclick: () => { team = t.key; thread = null; clearReply(); render(); },
  }, `${t.name}${t.forum ? "" : " (group)"}`)));
  const shown = currentTeam();
  if (!shown) return;
  const topics = shown.forum ? [{thread: null, name: "General"}, ...shown.topics] : [];
  $("topics").replaceChildren(...topics.map((topic) => el("li", {
    class: topic.thread === thread ? "active" : "", "data-thread": topic.thread === null ? "" : topic.thread, dir: "auto",
    onclick: () => { thread = topic.thread; $("team-chat").dataset.first = ""; render(); },
  }, (topic.thread === null ? "# " : "💬 ") + topic.name)));
  const messages = shown.forum ? shown.messages.filter((m) => (m.thread || null) === thread) : shown.messages;
  $("team-input").placeholder = `${shown.coordinator.name}: /t received, /claim, /close …`;
  fillChat($("team-chat"), messages, "team", (m) => !m.from_bot && m.author === shown.coordinator.name);
}

// Everything --------------------------------------------------------------------------------------

function render() {
  if (!world) return;
  $("version").textContent = world.version;
  if (person === null && world.people.length) person = world.people[0].id;
  if (team === null && world.teams.length) team = world.teams[0].key;
  renderPeople();
  renderTeams();
}

function receive(data) {
  const placesChanged = !world || JSON.stringify(world.places) !== JSON.stringify(data.places);
  const languagesChanged = !world || JSON.stringify(world.languages) !== JSON.stringify(data.languages);
  world = data;
  if (placesChanged) drawMap();
  if (languagesChanged) fillLanguages();
  render();
}

function fillLanguages() {
  const select = $("person-language"), chosen = select.value || "ar";
  select.replaceChildren(
    ...world.languages.map((l) => el("option", {value: l.code}, `${l.code} ${l.name}`)),
    el("option", {value: ""}, "— none"), el("option", {value: "*"}, "other code…"));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : world.languages[0].code;
}

$("person-language").addEventListener("change", () => { $("person-other").hidden = $("person-language").value !== "*"; });
$("add-person").addEventListener("submit", async (event) => {
  event.preventDefault();
  const choice = $("person-language").value;
  const language = choice === "*" ? $("person-other").value.trim() : choice;
  const created = await post("people", {name: $("person-name").value.trim(), language: language});
  person = created.id;
  $("person-chat").dataset.first = "";
});
$("person-compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("person-input").value;
  if (!text.trim() || person === null) return;
  $("person-input").value = "";
  actAsPerson({kind: "text", text: text});
});
$("team-compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("team-input").value;
  if (!text.trim()) return;
  $("team-input").value = "";
  actAsTeam({kind: "text", text: text, reply_to: replyTo});
  clearReply();
});
$("team-input").addEventListener("keydown", (event) => { if (event.key === "Escape") clearReply(); });
$("attach-toggle").addEventListener("click", () => { $("attach").hidden = !$("attach").hidden; });
$("commands-toggle").addEventListener("click", () => { $("commands").hidden = !$("commands").hidden; });
$("send-voice").addEventListener("click", () => { $("attach").hidden = true; actAsPerson({kind: "voice"}); });
for (const [id, kind] of [["send-photo", "photo"], ["send-file", "document"]]) {
  $(id).addEventListener("change", () => {
    const file = $(id).files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => {
      $("attach").hidden = true;
      actAsPerson({kind: kind, data: reader.result.split(",")[1] || "", filename: file.name, mime: file.type});
      $(id).value = "";
    };
    reader.readAsDataURL(file);
  });
}
// Tapping a /command in a message sends it, as in Telegram.
document.addEventListener("click", (event) => {
  const command = event.target.closest("a.command");
  if (!command) return;
  event.preventDefault();
  if (command.closest("#team-chat")) actAsTeam({kind: "text", text: command.dataset.command});
  else actAsPerson({kind: "text", text: command.dataset.command});
});
$("reload").addEventListener("click", async () => {
  $("reload").disabled = true;
  try {
    const outcome = await post("reload", {});
    showReport(outcome.ok, outcome.report);
    receive(await (await fetch("/playground/state")).json());
  } finally {
    $("reload").disabled = false;
  }
});
$("report-close").addEventListener("click", () => { $("report").hidden = true; });

function connect() {
  const events = new EventSource("/playground/events");
  events.onopen = () => { $("connection").textContent = "● live"; };
  events.onmessage = (event) => receive(JSON.parse(event.data));
  events.onerror = () => { $("connection").textContent = "○ reconnecting…"; };
}
connect();
