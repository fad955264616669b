// The page's client of the JSON API. The token comes from the URL once and is then kept in
// sessionStorage and removed from the address bar, so it does not end up in history or in
// a screenshot of the page.
const TOKEN_KEY = "adasa.token";

export function takeToken() {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get("token");
  if (fromUrl) {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete("token");
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

export function makeApi(token) {
  const headers = { authorization: `Bearer ${token}` };
  async function request(path, init = {}) {
    const response = await fetch(path, { ...init, headers: { ...headers, ...init.headers } });
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      const error = body?.error ?? { code: "INTERNAL", message: response.statusText };
      throw new ApiError(error.code, error.message, response.status);
    }
    return body;
  }
  return {
    get: (path, params = {}) => request(withQuery(path, params)),
    post: (path, body) =>
      request(path, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    // EventSource cannot send headers, so the follow stream carries the token in its URL.
    follow: (params) => new EventSource(withQuery("/api/logs/follow", { ...params, token })),
  };
}

function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
