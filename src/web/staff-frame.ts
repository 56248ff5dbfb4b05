import { html, raw, type SafeHtml } from './html.ts';
import { bankPage } from './layout.ts';
import { csrfField, type StaffContext } from './staff-gate.ts';
import type { StaffRole } from '../staff/staff-role.ts';

/** The console's sections, in the order the navigation shows them. */
const SECTIONS = [
  { path: '/staff', label: 'ダッシュボード Dashboard' },
  { path: '/staff/operators', label: '事業者 Operators' },
  { path: '/staff/charges', label: '取引 Charges' },
  { path: '/staff/alerts', label: 'アラート Alerts' },
  { path: '/staff/cases', label: '案件 Cases' },
  { path: '/staff/customers', label: '顧客 Customers' },
  { path: '/staff/scans', label: '遡及スキャン Scans' },
  { path: '/staff/security', label: '認証 Security' },
  { path: '/staff/audit', label: '監査 Audit' },
] as const;

export type StaffSection = (typeof SECTIONS)[number]['path'];

export const ROLE_LABELS: Record<StaffRole, string> = { viewer: '閲覧 viewer', analyst: '分析 analyst', admin: '管理 admin' };

// The console is wider than the customer pages (tables of charges), and marks who may do what.
const CONSOLE_STYLE = raw(`<style>
  main { max-width: 1180px; }
  nav.console { display:flex; flex-wrap:wrap; gap:4px; margin: 0 0 16px; border-bottom:1px solid var(--line); }
  nav.console a { padding:8px 12px; color:var(--ink); text-decoration:none; border-radius:6px 6px 0 0; font-size:.92rem; }
  nav.console a.here { background:#fff; border:1px solid var(--line); border-bottom-color:#fff; margin-bottom:-1px; font-weight:600; color:var(--brand); }
  header form { display:inline; margin-left:12px; } header button { margin:0; padding:4px 10px; font-size:.85rem; background:rgba(255,255,255,.18); }
  .role { display:inline-block; padding:1px 8px; border-radius:10px; background:rgba(255,255,255,.2); font-size:.8rem; margin-left:6px; }
  .stats { display:grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap:12px; }
  .stat { background:#fff; border:1px solid var(--line); border-radius:8px; padding:14px 18px; text-decoration:none; color:var(--ink); display:block; }
  .stat .n { font-size:2rem; font-weight:700; font-variant-numeric: tabular-nums; } .stat.alarm .n { color:var(--warn); }
  .stat .label { color:var(--muted); font-size:.9rem; }
  table { font-size:.92rem; } td, th { vertical-align: top; }
  table.wide td, table.wide th { padding:6px 8px; }
  .switch { border:1px solid var(--line); border-radius:8px; padding:10px 12px; margin:4px 0; background:#fafbfc; }
  .switch.on { background:#fdecea; border-color:#f3b8b2; }
  .switch .state { font-weight:700; font-size:1.05rem; } .switch.on .state { color:var(--warn); } .switch.off .state { color:var(--ok); }
  .switch form { display:flex; gap:6px; align-items:center; margin-top:6px; }
  .switch input[name=reason] { flex:1; max-width:none; font-size:.9rem; padding:6px; }
  .switch button, td form button, .actions button { margin:0; padding:6px 12px; font-size:.9rem; }
  .actions { display:flex; flex-wrap:wrap; gap:6px; align-items:center; } .actions form { margin:0; }
  button.secondary { background:#e8eef3; color:var(--ink); }
  .code { font-family: ui-monospace, monospace; font-size:.82rem; background:#eef2f5; padding:1px 5px; border-radius:4px; display:inline-block; margin:1px 0; }
  .sev-high { color:var(--warn); font-weight:700; } .sev-medium { color:#a15c00; font-weight:600; } .sev-low { color:var(--muted); }
  .decision-allow { color:var(--ok); } .decision-challenge { color:#a15c00; font-weight:600; } .decision-hold, .decision-deny { color:var(--warn); font-weight:700; }
  .since { font-size:.82rem; color:var(--muted); margin-top:4px; }
  .nowrap { white-space:nowrap; } td.details code { word-break:break-all; }
  textarea { width:100%; min-height:80px; padding:8px; border:1px solid var(--line); border-radius:4px; font:inherit; }
  select { padding:6px; border:1px solid var(--line); border-radius:4px; font-size:.95rem; }
</style>`);

/** A console page: the bank frame, who is logged in with their role, and the section navigation. */
export function staffPage(context: StaffContext, title: string, here: StaffSection, body: SafeHtml): string {
  const who = html`<span data-staff-role="${context.staff.role}">${context.staff.display_name}<span class="role">${ROLE_LABELS[context.staff.role]}</span></span>
<form method="post" action="/staff/logout">${csrfField(context)}<button type="submit">Log out</button></form>`;
  const nav = html`<nav class="console">${SECTIONS.map((section) =>
    html`<a href="${section.path}" class="${section.path === here ? 'here' : ''}">${section.label}</a>`)}</nav>`;
  return bankPage(`${title} · Console`, html`${CONSOLE_STYLE}${nav}${body}`, who);
}
