import { html, type SafeHtml } from './html.ts';
import { bankPage, CONSOLE_STYLESHEET } from './layout.ts';
import type { Stylesheet } from '../http/stylesheet.ts';
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
  { path: '/staff/incidents', label: 'インシデント Incidents' },
  { path: '/staff/scans', label: '遡及スキャン Scans' },
  { path: '/staff/security', label: '認証 Security' },
  { path: '/staff/audit', label: '監査 Audit' },
  { path: '/staff/lab', label: 'ラボ Lab' },
] as const;

export type StaffSection = (typeof SECTIONS)[number]['path'];

/** Who did an audited action: the staff member's name, or the bank itself for entries with no staff member (the audit chain's keying mark). */
export function actorName(staff_id: string | null, names: ReadonlyMap<string, string>): string {
  return staff_id === null ? '銀行 the bank' : names.get(staff_id) ?? staff_id;
}

export const ROLE_LABELS: Record<StaffRole, string> = { viewer: '閲覧 viewer', analyst: '分析 analyst', admin: '管理 admin' };


/** A console page: the bank frame, who is logged in with their role, and the section navigation. */
export function staffPage(context: StaffContext, title: string, here: StaffSection, body: SafeHtml, stylesheets: readonly Stylesheet[] = []): string {
  const who = html`<span data-staff-role="${context.staff.role}">${context.staff.display_name}<span class="role">${ROLE_LABELS[context.staff.role]}</span></span>
<form method="post" action="/staff/logout">${csrfField(context)}<button type="submit">Log out</button></form>`;
  const nav = html`<nav class="console">${SECTIONS.map((section) =>
    html`<a href="${section.path}" class="${section.path === here ? 'here' : ''}">${section.label}</a>`)}</nav>`;
  return bankPage(`${title} · Console`, html`${nav}${body}`, who, [CONSOLE_STYLESHEET, ...stylesheets]);
}
