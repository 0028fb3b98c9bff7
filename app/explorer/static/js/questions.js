// The three questions about two actors, each answered by one API call, as a list of entries (a
// heading, or a function of the drawn entities' names giving it, and the relations behind it) and
// the nodes to highlight.
import { get } from "./api.js";

export const QUESTIONS = {
  mediators: "Who mediated",
  candidates: "Who could mediate",
  path: "How they are connected",
};

/** Answers `question` about actors `a` and `b` (any name), on `date` (a year) or today. */
export async function askQuestion(question, a, b, date) {
  if (question === "mediators") {
    const found = await get("/mediations", { between: [a, b] });
    return {
      entries: found.items.map((item) => ({ heading: item.mediator.name, relations: item.relations })),
      nodes: found.items.map((item) => item.mediator.id),
    };
  }
  if (question === "candidates") {
    const found = await get("/analysis/mediator-candidates", { between: [a, b], as_of: date, limit: 5 });
    return {
      entries: found.items.map((item) => ({ heading: `${item.entity.name}: score ${item.score}`,
        relations: item.relations })),
      nodes: found.items.map((item) => item.entity.id),
    };
  }
  const found = await get("/paths", { source: a, target: b, k: 3, as_of: date });
  return {
    entries: found.paths.map((path) => ({
      heading: (names) => `${path.hops} step(s): ${path.nodes.map((id) => names[id] || id).join(" → ")}`,
      relations: path.edges,
    })),
    nodes: found.paths.flatMap((path) => path.nodes),
  };
}
