// The explorer: what the user chose (actor, expanded nodes, date, pair, question) lives in `view`
// and in the URL, so a copied link reopens the same view. Every answer comes from the REST API.
import { get, ref } from "./api.js";
import { createGraph } from "./graph.js";
import { relationsInForce } from "./inforce.js";
import { QUESTIONS, askQuestion } from "./questions.js";
import { hideAnswer, hidePair, relationDates, showAnswer, showPair } from "./panel.js";
import { attachSearch } from "./search.js";
import { createTimebar } from "./timebar.js";

const NEIGHBOUR_LIMIT = 60; // nodes, and relations, fetched per expansion: never a whole large graph
const ZOOM_STEP = 1.4; // per press of the zoom buttons

const $ = (id) => document.getElementById(id);
const view = { actor: null, expanded: [], date: null, pair: null, ask: null };
let graph;
let timebar;
let dateRequest = 0;

function say(text) {
  $("message").textContent = text;
}

/** Runs an async handler; a problem the API reports is shown to the user, not thrown. */
const guarded = (handler) => async (...args) => {
  try {
    await handler(...args);
  } catch (error) {
    say(error.message);
  }
};

function writeUrl() {
  const params = new URLSearchParams();
  if (view.actor) params.set("actor", view.actor);
  const more = view.expanded.filter((id) => id !== view.actor);
  if (more.length) params.set("expand", more.join(","));
  if (view.date !== null) params.set("date", String(view.date));
  if (view.pair) params.set("pair", view.pair.join(","));
  if (view.ask) {
    params.set("ask", view.ask.question);
    params.set("a", view.ask.a);
    params.set("b", view.ask.b);
  }
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
}

function showCounts() {
  const counts = graph.counts();
  const box = $("counts");
  Object.assign(box.dataset, { nodes: counts.nodes, edges: counts.edges, faded: counts.faded });
  let text = `${counts.nodes} nodes, ${counts.edges} relations`;
  if (view.date !== null) text += `; ${counts.faded} not in force in ${view.date}`;
  box.textContent = text + ".";
  renderListing();
}

function listButton(key, text, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.key = key;
  button.textContent = text;
  button.addEventListener("click", guarded(onClick));
  const item = document.createElement("li");
  item.append(button);
  return item;
}

/** The drawing as buttons, for the keyboard and screen readers; keeps focus on the same entry. */
function renderListing() {
  const focused = document.activeElement && document.activeElement.closest("#listing")
    ? document.activeElement.dataset.key : null;
  const nodes = graph.nodes().map((entity) => listButton(`node ${entity.id}`,
    `${entity.name} (${entity.kind})${view.expanded.includes(entity.id) ? ", expanded" : ""}`,
    () => expandNode(entity.id)));
  const edges = graph.relations().map((relation) => listButton(`relation ${relation.id}`,
    `${relationDates(relation)} ${relation.type}: ${relation.source} → ${relation.target}` +
    (relation.faded ? " (not in force)" : ""), () => openPair(relation.source, relation.target)));
  $("node-list").replaceChildren(...nodes);
  $("edge-list").replaceChildren(...edges);
  if (focused) {
    const again = [...document.querySelectorAll("#listing button")].find((b) => b.dataset.key === focused);
    if (again) again.focus();
  }
}

async function fetchNeighbourhood(id) {
  const hood = await get(`/entities/${ref(id)}/neighbors`, { limit: NEIGHBOUR_LIMIT });
  graph.add(hood.nodes, hood.edges, id);
  if (hood.truncated) say(`${hood.center.name} has more neighbours than the ${NEIGHBOUR_LIMIT} drawn.`);
  graph.markExpanded(hood.center.id);
  if (!view.expanded.includes(hood.center.id)) view.expanded.push(hood.center.id);
  return hood;
}

/** A cut neighbourhood can spend its relations on a few busy pairs: fetch the first relation each
 * way between the centre and every neighbour left without one, so no drawn node floats alone. */
async function firstRelationsWithUnlinked(hood) {
  const center = hood.center.id;
  const linked = new Set(hood.edges.flatMap((r) => (r.source === center ? [r.target] : r.target === center
    ? [r.source] : [])));
  const unlinked = hood.nodes.map((n) => n.id).filter((n) => n !== center && !linked.has(n));
  const pages = await Promise.all(unlinked.flatMap((other) => [
    get("/relations", { source: center, target: other, limit: 1 }),
    get("/relations", { source: other, target: center, limit: 1 }),
  ]));
  return pages.flatMap((page) => page.items);
}

/** Puts all that was drawn on screen: layout, the date's fading, counts, the slider's range. */
async function redraw() {
  graph.layout();
  timebar.fitTo(graph.relations());
  await applyDate();
  if (!performance.getEntriesByName("first-view").length) performance.mark("first-view");
}

/** Draws a neighbourhood; a cut one is drawn first as it came, then with the links it lacked. */
async function drawNeighbourhood(hood) {
  await redraw();
  if (!hood.truncated) return;
  graph.add([], await firstRelationsWithUnlinked(hood));
  await redraw();
}

async function chooseActor(id) {
  graph.clear();
  Object.assign(view, { actor: null, expanded: [], pair: null, ask: null });
  hidePair();
  hideAnswer();
  say("");
  const hood = await fetchNeighbourhood(id);
  view.actor = hood.center.id;
  graph.markCenter(view.actor);
  $("party-a").value = hood.center.name;
  await drawNeighbourhood(hood);
  writeUrl();
}

async function expandNode(id) {
  await drawNeighbourhood(await fetchNeighbourhood(id));
  writeUrl();
}

/** Fades what is not in force on the slider's date. */
async function applyDate() {
  const request = ++dateRequest;
  const inForce = view.date === null ? null : await relationsInForce(graph.relations(), view.expanded, view.date);
  if (request !== dateRequest) return; // a later date has been asked for meanwhile
  graph.fade(inForce);
  showCounts();
  if (view.pair) await openPair(...view.pair, { focus: false });
}

async function openPair(a, b, { focus = true } = {}) {
  const pair = await showPair(a, b, view.date);
  view.pair = [pair.a.id, pair.b.id];
  graph.highlight(view.pair, pair.relations.map((r) => r.id));
  $("party-a").value = pair.a.name;
  $("party-b").value = pair.b.name;
  if (focus) $("pair-title").focus();
  writeUrl();
}

/** Adds the entities named by `ids` that are not drawn yet. */
async function ensureEntities(ids) {
  const drawn = new Set(graph.nodes().map((e) => e.id));
  const missing = [...new Set(ids)].filter((id) => !drawn.has(id));
  const entities = await Promise.all(missing.map((id) => get(`/entities/${ref(id)}`)));
  graph.add(entities, []);
}

async function answer(question, a, b) {
  const { entries, nodes } = await askQuestion(question, a, b, view.date);
  const relations = entries.flatMap((entry) => entry.relations);
  await ensureEntities([...nodes, ...relations.flatMap((r) => [r.source, r.target])]);
  graph.add([], relations);
  view.ask = { question, a, b };
  $("party-a").value = a;
  $("party-b").value = b;
  showAnswer(`${QUESTIONS[question]}: ${a} and ${b}`, entries, graph.names());
  await redraw();
  graph.highlight(nodes, relations.map((r) => r.id));
  showCounts();
  writeUrl();
}

async function ask(event) {
  event.preventDefault();
  const a = $("party-a").value.trim();
  const b = $("party-b").value.trim();
  if (!a || !b) {
    say("Name two actors first.");
    return;
  }
  const question = event.submitter ? event.submitter.value : "pair";
  if (question === "pair") {
    await openPair(a, b);
  } else {
    await answer(question, a, b);
  }
}

async function setDate(date) {
  view.date = date;
  await applyDate();
  writeUrl();
}

async function restore() {
  const params = new URLSearchParams(location.search);
  const date = /^\d{4}$/.test(params.get("date") || "") ? Number(params.get("date")) : null;
  if (date !== null) timebar.set(date);
  view.date = date;
  if (params.get("actor")) {
    await chooseActor(params.get("actor"));
    for (const id of (params.get("expand") || "").split(",").filter(Boolean)) {
      await drawNeighbourhood(await fetchNeighbourhood(id));
    }
  }
  const question = params.get("ask");
  if (Object.hasOwn(QUESTIONS, question || "") && params.get("a") && params.get("b")) {
    await answer(question, params.get("a"), params.get("b"));
  }
  if (params.get("pair")) await openPair(...params.get("pair").split(","), { focus: false });
  writeUrl();
}

async function copyLink() {
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    say(`Link copied: ${link}`);
  } catch {
    say(`Copy this link: ${link}`);
  }
}

async function start() {
  graph = createGraph($("cy"), {
    onNode: guarded(expandNode),
    onEdge: guarded((relation) => openPair(relation.source, relation.target)),
  });
  timebar = createTimebar({ onDate: guarded(setDate) });
  attachSearch($("actor"), $("suggestions"), guarded(chooseActor));
  $("ask").addEventListener("submit", guarded(ask));
  $("copy-link").addEventListener("click", guarded(copyLink));
  $("zoom-in").addEventListener("click", () => graph.zoomBy(ZOOM_STEP));
  $("zoom-out").addEventListener("click", () => graph.zoomBy(1 / ZOOM_STEP));
  $("zoom-fit").addEventListener("click", () => graph.fit());
  await guarded(restore)();
  document.body.dataset.ready = "true";
}

window.addEventListener("DOMContentLoaded", start);
