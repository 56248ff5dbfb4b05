/**
 * A minimal user agent over fetch for tests that walk the bank's login and consent pages without a browser:
 * it keeps cookies per path, follows nothing automatically, and reads form tokens out of the HTML.
 */
export function createCookieAgent() {
  const jar = new Map<string, { value: string; path: string }>();

  function store(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const [name, ...rest] = pair!.split('=');
      const path = attributes.map((a) => a.trim()).find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
      const value = rest.join('=');
      const expired = attributes.some((a) => /expires=thu, 01 jan 1970/i.test(a.trim()));
      if (expired || value === '') jar.delete(`${name!.trim()}|${path}`);
      else jar.set(`${name!.trim()}|${path}`, { value, path });
    }
  }

  function cookieHeader(url: URL): string {
    return [...jar.entries()]
      .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
      .map(([key, cookie]) => `${key.split('|')[0]}=${cookie.value}`)
      .join('; ');
  }

  async function request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const headers = new Headers(init.headers);
    const cookies = cookieHeader(target);
    if (cookies) headers.set('cookie', cookies);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    store(response);
    return response;
  }

  return {
    request,
    /** GET that follows redirects on the same origin while they stay there; stops at the first other origin. */
    async follow(url: string | URL, stopAt?: (location: URL) => boolean): Promise<{ response: Response; url: URL }> {
      let current = new URL(url);
      for (let hops = 0; hops < 10; hops++) {
        const response = await request(current);
        const location = response.headers.get('location');
        if (!location || response.status < 300 || response.status >= 400) return { response, url: current };
        const next = new URL(location, current);
        if (stopAt?.(next)) return { response, url: next };
        current = next;
      }
      throw new Error('too many redirects');
    },
    /** Posts a form and returns the response without following it. */
    post(url: string | URL, fields: Record<string, string>) {
      return request(url, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    },
  };
}

/** Reads a hidden input's value from a page. */
export function formValue(page: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(page);
  if (!match) throw new Error(`no ${name} on the page`);
  return match[1]!;
}
