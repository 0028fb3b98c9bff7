// The drawing: Cytoscape.js holds the nodes and relations the page has fetched, styled by kind and
// polarity. It never holds more than what was asked for (a neighbourhood at a time, capped).

const KIND_STYLE = {
  state: { shape: "round-rectangle", color: "#2563eb" },
  person: { shape: "ellipse", color: "#d97706" },
  organization: { shape: "hexagon", color: "#7c3aed" },
  event: { shape: "diamond", color: "#0f766e" },
  place: { shape: "triangle", color: "#6b7280" },
};
// Entity and relation ids may coincide (an event entity and the relation recording it), and Cytoscape
// keeps one id space: relations get a prefix.
const edgeId = (relationId) => `relation/${relationId}`;

const BUNDLE_FROM = 12; // relations between one pair drawn as separate labelled curves, at most

// Below this zoom the 11-px labels render under 9 px: a phone's fitted drawing is zoomed in to it.
const READABLE_ZOOM = 0.8;

const POLARITY_COLOR = { positive: "#15803d", negative: "#b91c1c", neutral: "#6b7280" };

const STYLE = [
  { selector: "node", style: {
    "label": "data(name)", "font-size": 11, "text-valign": "bottom", "text-margin-y": 3,
    "text-wrap": "ellipsis", "text-max-width": 110, "width": 26, "height": 26,
    "border-width": 2, "border-color": "#fff", "color": "#111827",
    "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
  } },
  ...Object.entries(KIND_STYLE).map(([kind, { shape, color }]) => ({
    selector: `node[kind = "${kind}"]`, style: { "shape": shape, "background-color": color },
  })),
  { selector: "node.center", style: { "width": 38, "height": 38, "border-color": "#111827", "border-width": 3 } },
  { selector: "node.expanded", style: { "border-color": "#111827" } },
  { selector: "edge", style: {
    "curve-style": "bezier", "width": 2, "target-arrow-shape": "triangle", "arrow-scale": 0.8,
    "label": "data(type)", "font-size": 8, "text-rotation": "autorotate", "color": "#374151",
    "text-background-color": "#ffffff", "text-background-opacity": 0.7,
  } },
  ...Object.entries(POLARITY_COLOR).map(([polarity, color]) => ({
    selector: `edge[polarity = "${polarity}"]`, style: { "line-color": color, "target-arrow-color": color },
  })),
  // Many relations between one pair (event data) are drawn as one bundle of straight lines, unlabelled.
  { selector: "edge.bundled", style: { "curve-style": "haystack", "haystack-radius": 0.4, "label": "", "width": 1.5 } },
  { selector: "edge.faded", style: { "opacity": 0.15, "line-style": "dashed", "text-opacity": 0 } },
  { selector: ".highlight", style: { "underlay-color": "#facc15", "underlay-opacity": 0.8, "underlay-padding": 6 } },
  { selector: "edge.highlight", style: { "width": 4, "opacity": 1, "underlay-padding": 4 } },
  { selector: ":selected", style: { "overlay-color": "#111827", "overlay-opacity": 0.2 } },
];

/** A Cytoscape graph in `container`; `onNode(id)` and `onEdge(relation)` answer taps. */
export function createGraph(container, { onNode, onEdge }) {
  window.cytoscape.use(window.cytoscapeFcose);
  const cy = window.cytoscape({
    container, style: STYLE, minZoom: 0.1, maxZoom: 4,
    layout: { name: "preset" },
  });
  cy.on("tap", "node", (event) => onNode(event.target.id()));
  cy.on("tap", "edge", (event) => onEdge(event.target.data("relation")));
  return new Graph(cy);
}

class Graph {
  constructor(cy) {
    this.cy = cy;
    this.placed = false; // whether the drawn nodes have positions worth keeping
  }

  /** Adds entities and relations not yet drawn, new nodes around the node `near` (if drawn). */
  add(entities, relations, near = null) {
    const before = this.cy.nodes().length;
    const anchor = near && !this.cy.getElementById(near).empty() ? this.cy.getElementById(near).position() : null;
    const nodes = entities.filter((e) => this.cy.getElementById(e.id).empty()).map((e) => ({
      group: "nodes", data: { id: e.id, name: e.name, kind: e.kind, entity: e },
      position: anchor ? { x: anchor.x + Math.random() * 40 - 20, y: anchor.y + Math.random() * 40 - 20 } : undefined,
    }));
    this.placed = this.placed && before > 0;
    this.cy.add(nodes);
    const edges = relations
      .filter((r) => this.cy.getElementById(edgeId(r.id)).empty())
      .filter((r) => !this.cy.getElementById(r.source).empty() && !this.cy.getElementById(r.target).empty())
      .map((r) => ({ group: "edges", data: {
        id: edgeId(r.id), source: r.source, target: r.target, type: r.type, polarity: r.polarity, relation: r,
      } }));
    this.cy.add(edges);
    this.bundle();
    return this.cy.nodes().length - before;
  }

  bundle() {
    const perPair = new Map();
    this.cy.edges().forEach((edge) => {
      const key = [edge.data("source"), edge.data("target")].sort().join("\n");
      perPair.set(key, (perPair.get(key) || 0) + 1);
    });
    this.cy.edges().forEach((edge) => {
      const key = [edge.data("source"), edge.data("target")].sort().join("\n");
      edge.toggleClass("bundled", perPair.get(key) > BUNDLE_FROM);
    });
  }

  clear() {
    this.cy.elements().remove();
    this.placed = false;
  }

  /** Lays the graph out: from scratch the first time, then moving what was placed as little as it can. */
  layout() {
    this.cy.layout({
      name: "fcose", animate: false, randomize: !this.placed, quality: "default", nodeDimensionsIncludeLabels: true,
      idealEdgeLength: 110, nodeRepulsion: 9000, nodeSeparation: 90, fit: true, padding: 24,
    }).run();
    this.placed = true;
    this.keepReadable();
  }

  /** A drawing fitted to a narrow screen can be too small to read: zoom in to readable labels around
   * the chosen actor (the Fit button still shows it all). */
  keepReadable() {
    if (this.cy.zoom() >= READABLE_ZOOM) return;
    this.cy.zoom(READABLE_ZOOM);
    const center = this.cy.nodes(".center");
    this.cy.center(center.empty() ? undefined : center);
  }

  /** Zooms by `factor` about the middle of the view (the buttons' zoom; the wheel zooms about the pointer). */
  zoomBy(factor) {
    const level = Math.min(this.cy.maxZoom(), Math.max(this.cy.minZoom(), this.cy.zoom() * factor));
    this.cy.zoom({ level, renderedPosition: { x: this.cy.width() / 2, y: this.cy.height() / 2 } });
  }

  fit() {
    this.cy.fit(undefined, 24);
  }

  markCenter(id) {
    this.cy.nodes().removeClass("center");
    this.cy.getElementById(id).addClass("center");
  }

  markExpanded(id) {
    this.cy.getElementById(id).addClass("expanded");
  }

  /** Fades every relation whose id is not in `inForce`; `null` shows all. */
  fade(inForce) {
    this.cy.batch(() => {
      this.cy.edges().forEach((edge) => {
        edge.toggleClass("faded", inForce !== null && !inForce.has(edge.data("relation").id));
      });
    });
  }

  highlight(nodeIds, relationIds) {
    this.cy.batch(() => {
      this.cy.elements().removeClass("highlight");
      for (const id of nodeIds) this.cy.getElementById(id).addClass("highlight");
      for (const id of relationIds) this.cy.getElementById(edgeId(id)).addClass("highlight");
    });
  }

  /** Entity names by id, for what is drawn. */
  names() {
    return Object.fromEntries(this.cy.nodes().map((node) => [node.id(), node.data("name")]));
  }

  nodes() {
    return this.cy.nodes().map((node) => node.data("entity"));
  }

  relations() {
    return this.cy.edges().map((edge) => ({ ...edge.data("relation"), faded: edge.hasClass("faded") }));
  }

  counts() {
    return {
      nodes: this.cy.nodes().length,
      edges: this.cy.edges().length,
      faded: this.cy.edges(".faded").length,
      highlighted: this.cy.elements(".highlight").length,
    };
  }
}
