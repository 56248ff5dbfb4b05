import { html } from '../../web/html.ts';
import type { Problem } from '../../errors/problem.ts';
import { walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** A page that only explains a refusal (expired form, login needed, not found) and offers a way on. */
export function renderMessagePage(frame: PageFrame, model: { failure: WalletFailure; next_href: string; next_text: string }): string {
  return renderPage(frame, html`
${renderFailure(model.failure)}
<p><a href="${model.next_href}" id="next-link">${model.next_text}</a></p>
`);
}

/** A request that failed before its page could answer (bad URL, refused input, unknown page): the problem, in the wallet's frame. */
export function renderErrorPage(operator_name: string, problem: Problem): string {
  return renderMessagePage({ operator_name, title: problem.title }, {
    failure: walletFailure(problem.code, `${problem.detail} (HTTP ${problem.status}, code: ${problem.code})`),
    next_href: '/',
    next_text: 'ホームへ / Home',
  });
}
