import { html } from '../../web/html.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** A page that only explains a refusal (expired form, login needed, not found) and offers a way on. */
export function renderMessagePage(frame: PageFrame, model: { failure: WalletFailure; next_href: string; next_text: string }): string {
  return renderPage(frame, html`
${renderFailure(model.failure)}
<p><a href="${model.next_href}" id="next-link">${model.next_text}</a></p>
`);
}
