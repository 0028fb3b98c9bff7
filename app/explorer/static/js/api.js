// The REST API, as any client calls it. Errors carry the problem details' `detail`.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `the service answered ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** GET `path` with `params` (arrays repeat the parameter; null and undefined are left out). */
export async function get(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined && item !== "") query.append(name, String(item));
    }
  }
  const url = query.toString() ? `${path}?${query}` : path;
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const ref = (id) => encodeURIComponent(id);
