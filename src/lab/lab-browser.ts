import type { FetchFunction } from './inject-fetch.ts';

/** Redirects one navigation follows before giving up: the bank's longest chain (consent → resume → callback) is four. */
export const REDIRECTS_FOLLOWED_MAX = 10;

/** A customer's browser in the lab: cookies per path, redirects followed while they stay on the bank, forms posted. */
export interface LabBrowser {
  /** GET that follows redirects until one leaves `origin` (an operator's callback) or a page answers. */
  follow(url: string | URL): Promise<{ response: Response; url: URL; left: boolean }>;
  /** Posts a form; does not follow the answer. */
  post(url: string | URL, fields: Record<string, string>): Promise<Response>;
}

/** Reads a hidden input's value from a page, or undefined. */
export function formValue(page: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1];
}

/** A browser with its own cookie jar, reaching the bank at `origin` through `fetch`. */
export function createLabBrowser({ fetch, origin }: { fetch: FetchFunction; origin: string }): LabBrowser {
  const jar = new Map<string, { name: string; value: string; path: string }>();

  const store = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const equals = pair!.indexOf('=');
      const name = pair!.slice(0, equals).trim();
      const value = pair!.slice(equals + 1).trim();
      const path = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^(expires=thu, 01 jan 1970|max-age=0)/i.test(a.trim()));
      if (expired || value === '') jar.delete(`${name}|${path}`);
      else jar.set(`${name}|${path}`, { name, value, path });
    }
  };

  const request = async (url: URL, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const cookies = [...jar.values()].filter((cookie) => url.pathname.startsWith(cookie.path)).map((cookie) => `${cookie.name}=${cookie.value}`);
    if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    store(response);
    return response;
  };

  return {
    async follow(start) {
      let current = new URL(start, origin);
      for (let hops = 0; hops < REDIRECTS_FOLLOWED_MAX; hops++) {
        const response = await request(current);
        const location = response.headers.get('location');
        if (!location || response.status < 300 || response.status >= 400) return { response, url: current, left: false };
        const next = new URL(location, current);
        if (next.origin !== new URL(origin).origin) return { response, url: next, left: true };
        current = next;
      }
      throw new Error(`more than ${REDIRECTS_FOLLOWED_MAX} redirects from ${start}`);
    },
    post(url, fields) {
      return request(new URL(url, origin), {
        method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
    },
  };
}
