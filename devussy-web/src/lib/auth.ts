// The optional access token of a server started with DEVUSSY_ACCESS_TOKEN. The user types it; it is
// kept in sessionStorage only (gone when the tab closes), never in projects, exports or URLs.
const KEY = 'devussy.accessToken';
const listeners = new Set<() => void>();
let needed = false;

function session(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

export function getAccessToken(): string | null {
  return session()?.getItem(KEY) || null;
}

export function setAccessToken(token: string | null): void {
  const storage = session();
  if (token) storage?.setItem(KEY, token);
  else storage?.removeItem(KEY);
  needed = false;
  emit();
}

export function authHeaders(): Record<string, string> {
  const token = getAccessToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Called by the API layer on a 401: the app then asks for the token. */
export function reportUnauthorized(): void {
  needed = true;
  emit();
}

export function tokenNeeded(): boolean {
  return needed;
}

export function subscribeAuth(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(): void {
  for (const listener of [...listeners]) listener();
}
