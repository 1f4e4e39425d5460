// casebook page: sends a case report to the API and draws the Case it gets back.
// Every piece of text from the server is set with textContent, never parsed as HTML.

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

const TYPE_ORDER = [
  "Sign_symptom", "Disease_disorder", "Diagnostic_procedure", "Therapeutic_procedure",
  "Medication", "Lab_value", "Biological_structure", "Age", "Sex", "Date", "Duration",
  "Severity", "Outcome", "History", "Family_history", "Dosage", "Clinical_event",
];
const ASSERTIONS = {
  negated: "struck through",
  uncertain: "wavy underline, ?",
  hypothetical: "italic, ?if",
  historical: "dashed, past",
  family: "italic, family",
};
const TYPE_EDGES = {
  Sign_symptom: "#c62828", Disease_disorder: "#8e24aa", Diagnostic_procedure: "#00838f",
  Therapeutic_procedure: "#2e7d32", Medication: "#558b2f", Lab_value: "#9a7200",
  Biological_structure: "#1e4fbf", Outcome: "#8d6e00", Clinical_event: "#424242",
};

const view = {
  formats: ["json"],
  ownCase: null, // the case analysed from the user's input
  lastInput: null, // what was sent, to ask for it again in another format
  shown: null, // the case on screen
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const NEAR_WHOLE = 0.05;

/** An age in words, as casebook.model.readable_age says it: "29 years", "8 months". */
function readableAge(years) {
  const months = years * 12;
  const weeks = (years * 365.25) / 7;
  const days = years * 365.25;
  const say = (value, unit) => `${value} ${unit}${value === 1 ? "" : "s"}`;
  const near = (count) => Math.round(count) >= 1 && Math.abs(count - Math.round(count)) < NEAR_WHOLE;
  if (Math.round(months) >= 24) {
    if (Math.abs(years - Math.round(years)) < NEAR_WHOLE) return say(Math.round(years), "year");
    return say(Math.round(years * 10) / 10, "year");
  }
  if (Math.round(months) >= 12) {
    return Math.round(months) === 12 ? say(1, "year") : say(Math.round(months), "month");
  }
  if (near(months)) return say(Math.round(months), "month");
  if (near(weeks)) return say(Math.round(weeks), "week");
  const hours = Math.round(days * 24);
  if (Math.round(days) >= 1 || hours < 1) return say(Math.round(days), "day");
  return say(hours, "hour");
}

function humanize(key) {
  const words = String(key).replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// --- talking to the API -------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(path, options = {}) {
  const headers = new Headers(options.headers || {});
  const token = sessionStorage.getItem("casebook-token");
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const response = await fetch(path, { ...options, headers });
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch { body = null; }
    throw new ApiError(response.status, body);
  }
  return response;
}

const SIMILAR_CASES = 5;

function requestFor(input, format) {
  // The Case JSON comes with the stored cases most like it (none while the store is empty).
  const path = format ? `/v1/analyze?format=${encodeURIComponent(format)}`
    : `/v1/analyze?similar=${SIMILAR_CASES}`;
  if (input.file) {
    const form = new FormData();
    form.append("file", input.file, input.file.name);
    return [path, { method: "POST", body: form }];
  }
  return [path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: input.text }),
  }];
}

// --- feedback -------------------------------------------------------------------------------

function busy(on, message) {
  $("spinner").hidden = !on;
  $("analyze").disabled = on;
  $("result").setAttribute("aria-busy", on ? "true" : "false");
  $("status").textContent = message || "";
}

function showError(error) {
  const box = $("error");
  box.replaceChildren();
  if (error instanceof ApiError && error.body && error.body.code) {
    box.append(el("p", {}, el("code", { text: error.body.code }), ` ${error.body.message}`));
    if (error.body.hint) box.append(el("p", { text: error.body.hint }));
  } else {
    box.append(el("p", { text: `The request failed: ${error.message}` }));
  }
  if (error instanceof ApiError && error.status === 401) {
    $("token-row").hidden = false;
    $("token").focus();
  }
  box.hidden = false;
}

// --- drawing a case -------------------------------------------------------------------------

function mentionIndex(caseData) {
  return new Map(caseData.mentions.map((m) => [m.id, m]));
}

/** The text cut where mentions start and end; each piece is drawn as its innermost mention. */
function highlighted(caseData) {
  const { text, mentions } = caseData;
  const starts = new Map();
  const cuts = new Set([0, text.length]);
  for (const m of mentions) {
    if (m.end <= m.start) continue;
    cuts.add(m.start);
    cuts.add(m.end);
    if (!starts.has(m.start)) starts.set(m.start, []);
    starts.get(m.start).push(m);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const fragment = document.createDocumentFragment();
  let active = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    active = active.filter((m) => m.end > from).concat(starts.get(from) || []);
    const piece = text.slice(from, to);
    if (!active.length) {
      fragment.append(piece);
      continue;
    }
    const inner = active.reduce((a, b) => (b.end - b.start < a.end - a.start ? b : a));
    const mark = el("mark", {
      class: `m t-${inner.type} a-${inner.assertion}`,
      "data-mention": inner.id,
      title: `${inner.type.replaceAll("_", " ")}, ${inner.assertion}`,
      text: piece,
    });
    fragment.append(mark);
    if (inner.end === to && inner.assertion !== "present") {
      fragment.append(el("span", { class: "sr-only", text: ` (${inner.assertion})` }));
    }
  }
  return fragment;
}

function legend(caseData) {
  const present = new Set(caseData.mentions.map((m) => m.type));
  const items = [];
  for (const type of TYPE_ORDER) {
    if (!present.has(type)) continue;
    items.push(el("span", { role: "listitem" },
      el("span", { class: `swatch t-${type}`, "aria-hidden": "true" }),
      type.replaceAll("_", " ")));
  }
  const others = [...present].filter((t) => !TYPE_ORDER.includes(t));
  if (others.length) {
    items.push(el("span", { role: "listitem" },
      el("span", { class: "swatch", "aria-hidden": "true" }),
      `other (${others.map((t) => t.replaceAll("_", " ")).join(", ")})`));
  }
  for (const [assertion, mark] of Object.entries(ASSERTIONS)) {
    items.push(el("span", { role: "listitem" },
      el("mark", { class: `m a-${assertion}`, "aria-hidden": "true", text: "word" }),
      `${assertion}: ${mark}`));
  }
  return items;
}

function focusMention(id) {
  for (const old of document.querySelectorAll("mark.focused")) old.classList.remove("focused");
  const marks = document.querySelectorAll(`mark[data-mention="${CSS.escape(id)}"]`);
  if (!marks.length) return;
  for (const mark of marks) mark.classList.add("focused");
  marks[0].scrollIntoView({ block: "center" });
  $("case-text").focus({ preventScroll: true });
}

/** Any value of the summary, drawn without knowing its shape. */
function describe(value, mentions) {
  if (value === null || value === undefined) return document.createTextNode("");
  if (typeof value === "string" && mentions.has(value)) {
    const mention = mentions.get(value);
    return el("button", {
      type: "button", class: "mention-link", text: mention.text, "data-mention": value,
      "aria-label": `${mention.text}: show it in the text`,
    });
  }
  if (typeof value !== "object") return document.createTextNode(String(value));
  if (Array.isArray(value)) {
    const list = el("ul");
    for (const item of value) list.append(el("li", {}, describe(item, mentions)));
    return list;
  }
  const facts = el("dl", { class: "facts" });
  for (const [key, item] of Object.entries(value)) {
    if (item === null || (Array.isArray(item) && !item.length)) continue;
    facts.append(el("dt", { text: humanize(key) }), el("dd", {}, describe(item, mentions)));
  }
  return facts;
}

const SUMMARY_GROUPS = [
  ["presenting_problem", "Presenting problem"], ["diagnoses", "Diagnoses"],
  ["procedures", "Procedures"], ["complications", "Complications"],
  ["investigations", "Investigations"], ["treatments", "Treatments"],
  ["outcomes", "Outcomes"], ["follow_up", "Follow-up"],
];

/** One summary item: its words (linked to the first mention), assertion, and related facts. */
function summaryItem(item, mentions) {
  const first = item.mentions[0];
  const words = mentions.has(first) ? describe(first, mentions) : document.createTextNode(item.text);
  const entry = el("li", {}, words);
  if (item.assertion && item.assertion !== "present") {
    entry.append(el("span", { class: "assertion", text: ` (${item.assertion})` }));
  }
  for (const link of item.related || []) {
    entry.append(` — ${humanize(link.relation)}: `, describe(link.mentions[0], mentions));
  }
  return entry;
}

/** The clinical summary as a table: one row per group that has items; the facts the report
 * states about other patients or the literature come last, in a row marked as such. */
function summaryTable(summary, mentions) {
  const table = el("table", { class: "summary" });
  const body = el("tbody");
  const groups = [...SUMMARY_GROUPS, ["literature", "From the literature (not this patient)"]];
  for (const [key, label] of groups) {
    const items = summary[key] || [];
    if (!items.length) continue;
    const list = el("ul", { class: "summary-items" });
    for (const item of items) list.append(summaryItem(item, mentions));
    const row = el("tr", {}, el("th", { scope: "row", text: label }), el("td", {}, list));
    if (key === "literature") row.classList.add("literature");
    body.append(row);
  }
  table.append(body);
  return table;
}

function offsetLabel(days) {
  if (days === null || days === undefined) return "";
  if (days === 0) return "day 0";
  const sign = days > 0 ? "+" : "−";
  const size = Math.abs(days);
  if (size >= 365) return `${sign}${Math.round(size / 365)} y`;
  if (size >= 30) return `${sign}${Math.round(size / 30)} mo`;
  return `${sign}${Math.round(size)} d`;
}

/** When an event happened, as the text fixes it: "+2 d", "+2 d or later", or "" when unsaid. */
function whenLabel(event) {
  const exact = event.offset_days;
  const bound = event.min_offset_days;
  if ((exact === null || exact === undefined) && bound !== null && bound !== undefined) {
    return `${offsetLabel(bound)} or later`;
  }
  return offsetLabel(exact);
}

/**
 * The timeline as an SVG: one column per order, left to right; simultaneous events stack.
 * Events of one order whose days differ ("+2 d", "+2 d or later") get a column each, so that
 * no label claims a day an event does not have.
 */
function timelineSvg(caseData) {
  const mentions = mentionIndex(caseData);
  const groups = new Map();
  for (const event of caseData.timeline) {
    const key = `${event.order}\u0000${whenLabel(event)}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(event);
  }
  const firstStart = (key) =>
    Math.min(...groups.get(key).map((e) => mentions.get(e.mention).start));
  const columns = [...groups.keys()].sort((a, b) =>
    groups.get(a)[0].order - groups.get(b)[0].order || firstStart(a) - firstStart(b));
  const step = 120;
  const tallest = Math.max(...columns.map((o) => groups.get(o).length));
  const width = Math.max(320, step * columns.length + 20);
  const height = 80 + 18 * tallest;
  const axis = 40;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-labelledby", "timeline-title timeline-desc");
  const node = (tag, attrs, text) => {
    const item = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) item.setAttribute(key, String(value));
    if (text !== undefined) item.textContent = text;
    svg.append(item);
    return item;
  };
  const sequence = columns.map((o) => groups.get(o)
    .map((e) => mentions.get(e.mention).text).join(" and ")).join(", then ");
  node("title", { id: "timeline-title" }, "Timeline of the case");
  node("desc", { id: "timeline-desc" }, `In order: ${sequence}.`);
  node("line", { x1: 20, y1: axis, x2: width - 20, y2: axis, stroke: "#444", "stroke-width": 2 });
  columns.forEach((key, index) => {
    const x = step / 2 + step * index; // half a column in, so the first labels are whole
    const events = groups.get(key);
    const when = whenLabel(events[0]);
    node("circle", { cx: x, cy: axis, r: 6, fill: "#1e4fbf" });
    node("text", { x, y: axis - 14, "text-anchor": "middle" }, when || `#${events[0].order}`);
    events.forEach((event, row) => {
      const mention = mentions.get(event.mention);
      const label = mention.text.length > 18 ? `${mention.text.slice(0, 17)}…` : mention.text;
      const text = node("text", {
        x, y: axis + 24 + 18 * row, "text-anchor": "middle",
        fill: TYPE_EDGES[mention.type] || "#111",
        "text-decoration": mention.assertion === "negated" ? "line-through" : "none",
      }, label);
      const tip = document.createElementNS(SVG, "title");
      tip.textContent = `${mention.text} (${mention.type.replaceAll("_", " ")}, ${mention.assertion})`;
      text.append(tip);
    });
  });
  return svg;
}

/**
 * The case's codes by vocabulary, best first: those it shows (above the threshold calibrated
 * for precision) unless ``all``, when the rest of the ranking follows, marked.
 */
function codeRows(caseData, all) {
  const sorted = caseData.codes.filter((code) => all || code.shown !== false).sort((a, b) =>
    a.system.localeCompare(b.system) || b.score - a.score);
  return sorted.map((code) => {
    const words = (code.evidence || []).slice(0, 2)
      .map((span) => caseData.text.slice(span.start, span.end)).join("; ");
    const notes = [code.category ? "category" : "", code.shown === false ? "below threshold" : ""]
      .filter(Boolean).join(", ");
    const display = el("td", { "data-label": "name", text: code.display });
    if (notes) display.append(" ", el("small", { text: `(${notes})` }));
    return el("tr", code.shown === false ? { class: "below-threshold" } : {},
      el("td", { "data-label": "system", text: code.system }),
      el("td", { "data-label": "code" }, el("code", { text: code.code })),
      display,
      el("td", { "data-label": "score", text: code.score.toFixed(2) }),
      el("td", { "data-label": "evidence", text: words }));
  });
}

function drawCodes(caseData, all) {
  const rows = codeRows(caseData, all);
  $("codes").tBodies[0].replaceChildren(...rows);
  const more = $("all-codes");
  more.hidden = rows.length === caseData.codes.length && !all;
  more.textContent = all ? "Show only the codes above the threshold" : `Show all ${caseData.codes.length} ranked codes`;
  more.setAttribute("aria-expanded", all ? "true" : "false");
  more.dataset.all = all ? "true" : "false";
}

function caseLink(id, label) {
  return el("a", { href: `#case/${encodeURIComponent(id)}`, text: label || id });
}

const OUTCOME_ORDER = ["resolved", "improved", "unchanged", "worsened", "died", "unknown"];

function quote(words) {
  return (words || []).map((w) => `“${w.text}”`).join(", ");
}

function whoLine(hit) {
  const parts = [];
  if (hit.age_years !== null && hit.age_years !== undefined) parts.push(readableAge(hit.age_years));
  if (hit.sex) parts.push(hit.sex);
  return parts.length ? parts.join(", ") : "age and sex not stated";
}

/** A shared fact: its name, then the words of each case that state it. */
function matchedItem(fact) {
  const item = el("li", {}, el("strong", { text: fact.label }));
  if (fact.assertion === "negated") {
    item.append(el("span", { class: "assertion", text: " (ruled out in both)" }));
  }
  item.append(el("span", { class: "words", text: ` — this case: ${quote(fact.query)}; ` +
    `similar case: ${quote(fact.hit)}` }));
  return item;
}

/** A differing fact: which case states it, how, and what the other case says. */
function differsItem(fact) {
  const stating = fact.side === "query" ? "this case" : "the similar case";
  const other = fact.side === "query" ? "the similar case" : "this case";
  const how = fact.assertion === "negated" ? "rules it out" : "states it";
  const says = { absent: "does not mention it", present: "states it", negated: "rules it out" };
  const item = el("li", {}, el("strong", { text: fact.label }),
    ` — ${stating} ${how} (${quote(fact.words)}); ${other} ${says[fact.other] || fact.other}`);
  if (fact.other_words && fact.other_words.length) item.append(` (${quote(fact.other_words)})`);
  return item;
}

function factList(label, facts, draw, headingId) {
  const block = el("div", { class: "hit-facts" });
  block.append(el("h5", { id: headingId, text: label }));
  const list = el("ul", { "aria-labelledby": headingId });
  for (const fact of facts) list.append(draw(fact));
  block.append(list);
  return block;
}

function hitItems(caseData) {
  return caseData.similar.map((hit) => {
    const titleId = `hit-${hit.rank}-title`;
    const item = el("li", { class: "hit", "aria-labelledby": titleId });
    item.append(el("h4", { id: titleId },
      el("span", { class: "rank", text: `${hit.rank}. ` }), caseLink(hit.id, hit.title || hit.id)));
    item.append(el("p", { class: "hit-meta" },
      el("span", { class: "score", text: `score ${Number(hit.score).toFixed(3)}` }),
      ` · ${whoLine(hit)} · case `, el("code", { text: hit.id })));
    if (hit.title_words && hit.title_words.length) {
      item.append(el("p", { class: "hit-title-words",
        text: `Title words this case also uses: ${hit.title_words.join(", ")}` }));
    }
    if (hit.matched && hit.matched.length) {
      item.append(factList("Shared facts", hit.matched, matchedItem, `hit-${hit.rank}-matched`));
    }
    if (hit.differs && hit.differs.length) {
      item.append(factList("Facts that differ", hit.differs, differsItem, `hit-${hit.rank}-differs`));
    }
    return item;
  });
}

/** The outcomes any tally row reports, in a fixed order. */
function tallyOutcomes(tally) {
  const seen = new Set(tally.flatMap((row) => Object.keys(row.outcomes || {})));
  return OUTCOME_ORDER.filter((o) => seen.has(o))
    .concat([...seen].filter((o) => !OUTCOME_ORDER.includes(o)));
}

function drawTally(tally) {
  const outcomes = tallyOutcomes(tally);
  const head = el("tr", {}, el("th", { scope: "col", text: "treatment" }),
    el("th", { scope: "col", text: "cases" }),
    ...outcomes.map((o) => el("th", { scope: "col", text: o })));
  $("tally").tHead.replaceChildren(head);
  const rows = tally.map((row) => {
    const cells = outcomes.map((outcome) => {
      const ids = (row.outcomes || {})[outcome] || [];
      const cell = el("td", { "data-label": outcome });
      ids.forEach((id, i) => {
        if (i) cell.append(", ");
        cell.append(caseLink(id));
      });
      return cell;
    });
    return el("tr", {}, el("th", { scope: "row", text: row.treatment }),
      el("td", { "data-label": "cases", text: String(row.cases.length) }), ...cells);
  });
  $("tally").tBodies[0].replaceChildren(...rows);
}

function patientLine(caseData) {
  const { age_years: age, sex } = caseData.patient || {};
  const parts = [];
  if (age !== null && age !== undefined) parts.push(readableAge(age));
  if (sex) parts.push(sex);
  const who = parts.length ? parts.join(", ") : "age and sex not stated";
  return `Patient: ${who}. ${caseData.mentions.length} mentions in ` +
    `${caseData.sentences.length} sentences.`;
}

function render(caseData, { own }) {
  view.shown = caseData;
  const mentions = mentionIndex(caseData);
  $("case-title").textContent = caseData.title || caseData.id;
  $("patient").textContent = patientLine(caseData);
  $("back").hidden = own || !view.ownCase;
  $("fhir").hidden = !view.formats.includes("fhir");

  const summary = caseData.summary;
  $("summary-section").hidden = !summary;
  $("summary").replaceChildren(summary ? summaryTable(summary, mentions) : "");

  $("legend").replaceChildren(...legend(caseData));
  $("case-text").replaceChildren(highlighted(caseData));

  const timeline = caseData.timeline || [];
  $("timeline-section").hidden = !timeline.length;
  $("timeline").replaceChildren(timeline.length ? timelineSvg(caseData) : "");

  $("codes-section").hidden = !caseData.codes.length;
  drawCodes(caseData, false);

  const similar = caseData.similar || [];
  $("similar-section").hidden = !similar.length;
  $("similar").replaceChildren(...(similar.length ? hitItems(caseData) : []));

  const tally = caseData.tally || [];
  $("tally-section").hidden = !tally.length;
  drawTally(tally);

  $("result").hidden = false;
}

// --- actions --------------------------------------------------------------------------------

async function analyze(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (token) sessionStorage.setItem("casebook-token", token);
  const file = $("file").files[0];
  const text = $("text").value;
  if (!file && !text.trim()) {
    showError(new Error("paste a case report or choose a file first"));
    $("text").focus();
    return;
  }
  const input = file ? { file } : { text };
  $("error").hidden = true;
  busy(true, "Analysing the case report…");
  try {
    const response = await call(...requestFor(input));
    const caseData = await response.json();
    view.ownCase = caseData;
    view.lastInput = input;
    if (location.hash) history.pushState(null, "", location.pathname);
    render(caseData, { own: true });
    busy(false, `Found ${caseData.mentions.length} mentions.`);
    $("result").focus();
  } catch (error) {
    busy(false);
    showError(error);
  }
}

async function openStoredCase(id) {
  $("error").hidden = true;
  busy(true, `Opening case ${id}…`);
  try {
    const response = await call(`/v1/cases/${encodeURIComponent(id)}`);
    render(await response.json(), { own: false });
    busy(false, `Showing stored case ${id}.`);
    $("result").focus();
  } catch (error) {
    busy(false);
    showError(error);
  }
}

async function downloadFhir() {
  const own = view.shown === view.ownCase && view.lastInput;
  const input = own ? view.lastInput : { text: view.shown.text };
  busy(true, "Preparing the FHIR bundle…");
  try {
    const response = await call(...requestFor(input, "fhir"));
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: `${view.shown.id}.fhir.json` });
    document.body.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
    busy(false, "FHIR bundle downloaded.");
  } catch (error) {
    busy(false);
    if (error instanceof ApiError && error.status === 404) {
      view.formats = view.formats.filter((f) => f !== "fhir");
      $("fhir").hidden = true;
      $("status").textContent = "FHIR export is not available on this server.";
    } else {
      showError(error);
    }
  }
}

function followHash() {
  const match = location.hash.match(/^#case\/(.+)$/);
  if (match) openStoredCase(decodeURIComponent(match[1]));
  else if (view.ownCase) render(view.ownCase, { own: true });
}

async function start() {
  $("analyze-form").addEventListener("submit", analyze);
  $("fhir").addEventListener("click", downloadFhir);
  $("all-codes").addEventListener("click", (event) => {
    drawCodes(view.shown, event.currentTarget.dataset.all !== "true");
  });
  $("back").addEventListener("click", () => {
    history.pushState(null, "", location.pathname);
    followHash();
  });
  window.addEventListener("hashchange", followHash);
  $("summary").addEventListener("click", (event) => {
    const button = event.target.closest(".mention-link");
    if (button) focusMention(button.dataset.mention);
  });
  try {
    const health = await (await fetch("/v1/health")).json();
    view.formats = health.formats || ["json"];
  } catch {
    view.formats = ["json"];
  }
  followHash();
}

start();
