import { html, type SafeHtml } from '../../web/html.ts';

/** Where a hardened-wallet user is on the way to a bank link. */
export type IdentityStep = 'phone' | 'ekyc' | 'link' | 'done';

const STEPS: Array<{ step: Exclude<IdentityStep, 'done'>; ja: string; en: string }> = [
  { step: 'phone', ja: '1. 電話番号の確認', en: 'Phone' },
  { step: 'ekyc', ja: '2. 本人確認 (eKYC)', en: 'Identity' },
  { step: 'link', ja: '3. 銀行口座の連携', en: 'Bank link' },
];

/** The three steps of the hardened sign-up, the current one highlighted. */
export function renderIdentitySteps(current: IdentityStep): SafeHtml {
  const at = current === 'done' ? STEPS.length : STEPS.findIndex((entry) => entry.step === current);
  return html`<ol class="steps" id="identity-steps" data-current="${current}">${STEPS.map((entry, index) =>
    html`<li class="${index < at ? 'done' : index === at ? 'current' : ''}">${index < at ? '✓ ' : ''}${entry.ja}<small>${entry.en}</small></li>`)}</ol>`;
}

/** The step a user is at, from what the wallet knows about them. */
export function identityStepOf(identity: { phone_verified_at: Date | null; ekyc: unknown }, linked: boolean): IdentityStep {
  if (!identity.phone_verified_at) return 'phone';
  if (!identity.ekyc) return 'ekyc';
  return linked ? 'done' : 'link';
}

/** The link to the page of each step not yet done. */
export const NEXT_STEP: Record<Exclude<IdentityStep, 'done'>, SafeHtml> = {
  phone: html`<a href="/verify-phone" id="next-step">電話番号を確認する / Verify your phone</a>`,
  ekyc: html`<a href="/ekyc" id="next-step">本人確認（eKYC）をする / Verify your identity</a>`,
  link: html`<a href="/link" id="next-step">銀行口座を連携する / Link bank account</a>`,
};
