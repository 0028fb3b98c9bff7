// The side panel: a pair's timeline, status and chart, and the answers to the questions.
import { get, ref } from "./api.js";

const $ = (id) => document.getElementById(id);
const CHART_JS = "/assets/vendor/chart.js/chart.umd.min.js";
let chart = null;
let chartLibrary = null;

/** Chart.js is loaded when the first pair is opened, not with the page: the first view needs only the graph. */
function loadChartLibrary() {
  chartLibrary ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = CHART_JS;
    script.onload = () => resolve(window.Chart);
    script.onerror = () => reject(new Error("the chart library could not be loaded"));
    document.head.append(script);
  });
  return chartLibrary;
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function evidence(relation) {
  // A number locates a paragraph of an article; anything else (a file and line, a field) is shown as is.
  return relation.evidence.map((e) => `${e.source_id} ${/^\d+$/.test(e.locator) ? "¶" : ""}${e.locator}`).join(", ");
}

/** "2018-05", "2010 – 2016", "until 2016", or "undated": memberships in event data carry no dates. */
export function relationDates(relation) {
  if (relation.start && relation.end) return `${relation.start} – ${relation.end}`;
  if (relation.end) return `until ${relation.end}`;
  return relation.start || "undated";
}

/** One relation as a list item: date, type, the two ends, description and evidence locator. */
export function relationItem(relation, names = {}) {
  const item = element("li", undefined, `relation ${relation.polarity}`);
  const when = relationDates(relation);
  item.append(element("span", when, "when"), " ", element("strong", relation.type), " ",
    element("span", `${names[relation.source] || relation.source} → ${names[relation.target] || relation.target}`),
    element("p", relation.description, "description"),
    element("span", `evidence: ${evidence(relation)}`, "evidence"));
  return item;
}

/** Shows what happened between `a` and `b`; `date` (a year or null) picks the status shown. */
export async function showPair(a, b, date) {
  const status = get(`/dyads/${ref(a)}/${ref(b)}/status`, { as_of: date ?? undefined });
  const [dyad, state, series, Chart] = await Promise.all([
    get(`/dyads/${ref(a)}/${ref(b)}`), status, get(`/dyads/${ref(a)}/${ref(b)}/series`, { freq: "year" }),
    loadChartLibrary(),
  ]);
  const names = { [dyad.a.id]: dyad.a.name, [dyad.b.id]: dyad.b.name };
  $("pair-title").textContent = `${dyad.a.name} – ${dyad.b.name}`;
  $("pair-status").textContent =
    `On ${state.as_of}: ${state.status} (${state.polarity}), resting on ${state.basis.length} relation(s).`;
  $("pair-basis").replaceChildren(...state.basis.map((r) => relationItem(r, names)));
  $("pair-timeline").replaceChildren(...dyad.relations.map((r) => relationItem(r, names)));
  $("pair-changes").textContent = series.change_points.length
    ? "Turning points: " + series.change_points.map((c) => `${c.period} ${c.direction}`).join("; ")
    : "No turning points.";
  drawChart(Chart, series);
  $("pair").hidden = false;
  return { a: dyad.a, b: dyad.b, relations: dyad.relations };
}

function drawChart(Chart, series) {
  const turning = new Set(series.change_points.map((c) => c.period));
  const labels = series.periods.map((p) => p.period);
  const data = series.periods.map((p) => p.score);
  if (chart) chart.destroy();
  chart = new Chart($("pair-chart"), {
    type: "line",
    data: { labels, datasets: [{
      label: "cooperation (+) or conflict (−)", data, spanGaps: true, borderColor: "#2563eb",
      pointRadius: labels.map((l) => (turning.has(l) ? 6 : 2)),
      pointBackgroundColor: labels.map((l) => (turning.has(l) ? "#b91c1c" : "#2563eb")),
    }] },
    options: { animation: false, maintainAspectRatio: false, scales: { y: { suggestedMin: -10, suggestedMax: 10 } },
      plugins: { legend: { labels: { boxWidth: 12 } } } },
  });
}

export function hidePair() {
  $("pair").hidden = true;
}

/** Writes an answer: a heading, then one entry per item with the relations behind it. */
export function showAnswer(title, entries, names = {}) {
  const answer = $("answer");
  const list = element("ol");
  for (const { heading, relations } of entries) {
    const item = element("li");
    item.append(element("strong", typeof heading === "function" ? heading(names) : heading));
    const basis = element("ul");
    basis.append(...relations.map((r) => relationItem(r, names)));
    item.append(basis);
    list.append(item);
  }
  answer.replaceChildren(element("h2", title), entries.length ? list : element("p", "No answer found."));
  answer.hidden = false;
}

export function hideAnswer() {
  $("answer").hidden = true;
}
