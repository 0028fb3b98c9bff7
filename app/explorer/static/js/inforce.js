// Which drawn relations are in force on a date, as the API's `as_of` says: the relations of each
// expanded node in one page when they fit, else pair by pair.
import { get, ref } from "./api.js";

const PAGE = 1000;
const CACHE_ENTRIES = 5000;
// Answers already fetched, by date and query: the slider comes back to the same years, and a
// drawing grows around the same pairs.
const cache = new Map();

function idsInForce(key, path, params) {
  const cacheKey = `${params.as_of}\n${key}`;
  if (!cache.has(cacheKey)) {
    if (cache.size >= CACHE_ENTRIES) cache.clear();
    cache.set(cacheKey, get(path, params).then((page) => ({
      ids: page.items.map((r) => r.id), total: page.total, complete: page.total <= page.items.length,
    })));
  }
  return cache.get(cacheKey);
}

/** The ids among `relations` in force on `asOf` (a year); `expanded` are the nodes drawn with all
 * their neighbourhood, whose own relations can be asked for at once. */
export async function relationsInForce(relations, expanded, asOf) {
  const inForce = new Set();
  const checked = new Set();
  const centers = await Promise.all(expanded.map(async (center) => {
    // A hub's relations in force fill many pages: ask how many (one item) before fetching a page.
    const path = `/entities/${ref(center)}/relations`;
    const first = await idsInForce(`first ${center}`, path, { as_of: asOf, limit: 1 });
    if (first.complete) return first;
    return first.total > PAGE ? null : idsInForce(`all ${center}`, path, { as_of: asOf, limit: PAGE });
  }));
  expanded.forEach((center, index) => {
    if (!centers[index]) return;
    centers[index].ids.forEach((id) => inForce.add(id));
    relations.filter((r) => r.source === center || r.target === center).forEach((r) => checked.add(r.id));
  });
  const pairs = new Set(relations.filter((r) => !checked.has(r.id)).map((r) => `${r.source}\n${r.target}`));
  const found = await Promise.all([...pairs].map((pair) => {
    const [source, target] = pair.split("\n");
    return idsInForce(`pair ${pair}`, "/relations", { source, target, as_of: asOf, limit: PAGE });
  }));
  found.forEach((page) => page.ids.forEach((id) => inForce.add(id)));
  return inForce;
}
