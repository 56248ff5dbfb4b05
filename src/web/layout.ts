import { html, raw, type SafeHtml } from './html.ts';

const STYLE = raw(`<style>
  :root { --ink:#1d2733; --muted:#5b6b7a; --line:#d9e1e8; --brand:#0b5d8c; --warn:#b3261e; --ok:#1e7b34; }
  * { box-sizing: border-box; }
  body { margin:0; font-family: system-ui, "Hiragino Sans", "Noto Sans JP", sans-serif; color:var(--ink); background:#f5f7f9; }
  header { background:var(--brand); color:#fff; padding:12px 24px; display:flex; justify-content:space-between; align-items:center; }
  header a { color:#fff; }
  main { max-width: 960px; margin: 24px auto; padding: 0 16px; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 28px; }
  .card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:16px 20px; margin:12px 0; }
  table { width:100%; border-collapse: collapse; background:#fff; }
  th, td { border-bottom:1px solid var(--line); padding:8px 10px; text-align:left; }
  td.yen, th.yen { text-align:right; font-variant-numeric: tabular-nums; }
  label { display:block; margin:10px 0 4px; font-weight:600; }
  input { padding:8px; border:1px solid var(--line); border-radius:4px; font-size:1rem; width: 100%; max-width: 320px; }
  button { background:var(--brand); color:#fff; border:0; border-radius:4px; padding:8px 16px; font-size:1rem; cursor:pointer; margin-top:12px; }
  button.danger { background: var(--warn); }
  .error { color:var(--warn); font-weight:600; }
  .banner-warn { background:#fdecea; border:2px solid var(--warn); color:var(--warn); padding:12px 16px; border-radius:6px; font-weight:600; }
  .tag { display:inline-block; padding:2px 8px; border-radius:10px; font-size:.8rem; background:#e8eef3; }
  .tag.on { background:#fdecea; color:var(--warn); } .tag.off { background:#e6f4ea; color:var(--ok); }
  .muted { color:var(--muted); font-size:.9rem; }
</style>`);

/** The bank's page frame. */
export function bankPage(title: string, body: SafeHtml, nav: SafeHtml = html``): string {
  return html`<!doctype html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — ふりかえ銀行</title>${STYLE}</head>
<body><header><strong>ふりかえ銀行 Furikae Bank</strong><nav>${nav}</nav></header><main>${body}</main></body></html>`.toString();
}
