// The one way pages talk to the server: JSON over fetch, the API key from sessionStorage, and
// every failure turned into a sentence a person can act on (ApiProblem.message).

const KEY = "embedrag-api-key";

export class ApiProblem extends Error {
  constructor(message, { status = 0, code = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const apiKey = {
  get: () => sessionStorage.getItem(KEY),
  set: (value) => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

let askForKey = async () => false;
/** The app registers how to ask the person for a key (a dialog); resolves true once one is given. */
export function onKeyNeeded(fn) { askForKey = fn; }

/** Call the API; retry once after a 401 if the person gives a key. Returns the parsed JSON. */
export async function api(path, { method = "GET", body = undefined, raw = undefined, signal = undefined } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    const key = apiKey.get();
    if (key) headers.Authorization = `Bearer ${key}`;
    let payload;
    if (raw !== undefined) { payload = raw; headers["Content-Type"] = "application/octet-stream"; }
    else if (body !== undefined) { payload = JSON.stringify(body); headers["Content-Type"] = "application/json"; }
    let response;
    try {
      response = await fetch(path, { method, headers, body: payload, signal });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiProblem(`Cannot reach the embedrag server at ${location.origin}: is it still running?`);
    }
    if (response.status === 401 && attempt === 0) {
      if (key) apiKey.clear();
      if (await askForKey(key ? "The API key was not accepted: type it again." : null)) continue;
    }
    return readAnswer(response);
  }
}

async function readAnswer(response) {
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (response.ok) return data;
  const error = data && data.error ? data.error : {};
  throw new ApiProblem(explain(response.status, error), { status: response.status, code: error.code || null });
}

/** The server's message, prefixed with what the status means. */
export function explain(status, error) {
  const said = error.message || "no details given";
  if (status === 401) return "This server needs an API key (the button at the top right); the key given was missing or wrong.";
  if (status === 404) return `Not found: ${said}.`;
  if (status === 400 || status === 422) return `The server could not use this input: ${said}.`;
  if (status === 409) return `Conflict: ${said}.`;
  if (status === 413) return `Too large: ${said}.`;
  if (status === 503) return `The server is not ready: ${said}.`;
  if (status === 502) return `A service behind the server failed, so there is no answer: ${said}.`;
  if (status >= 500) return `The server failed (${status}): ${said}. Its log has the details.`;
  return `The server answered ${status}: ${said}.`;
}
