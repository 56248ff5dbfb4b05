import { html } from '../../web/html.ts';
import { NAME_KANA_CHARS_MAX } from '../form-fields.ts';
import { EKYC_DOCUMENT_BYTES_MAX } from '../verify-identity.ts';
import type { WalletFailure } from '../wallet-outcome.ts';
import { renderIdentitySteps } from './identity-steps.ts';
import { csrfField, invalidIf, renderFailure, renderPage, type PageFrame } from './page-layout.ts';

/** Values to show again after a refusal; never the image. */
export interface EkycFormValues {
  name_kana?: string;
  birth_date?: string;
}

/** The eKYC form: document photo, declared name and birth date, and the simulator's face-match choice. */
export function renderEkycPage(frame: PageFrame, model: { csrf_token: string; values?: EkycFormValues; failure?: WalletFailure; notice?: string }): string {
  const { failure } = model;
  const values = model.values ?? {};
  return renderPage(frame, html`
${model.notice ? html`<p class="notice" id="notice">${model.notice}</p>` : ''}
${renderIdentitySteps('ekyc')}
${renderFailure(failure)}
<form method="post" action="/ekyc" enctype="multipart/form-data" class="card" id="ekyc-form">
  ${csrfField(model.csrf_token)}
  <label for="document">本人確認書類の写真 <small>/ Photo of your ID (driving licence, My Number card): PNG, JPEG or WebP, up to ${EKYC_DOCUMENT_BYTES_MAX / 1024 / 1024} MiB</small></label>
  <input id="document" name="document" type="file" required accept="image/png,image/jpeg,image/webp"${invalidIf(failure, 'document')}>
  <label for="name_kana">お名前（カタカナ・書類どおり） <small>/ Name in katakana, as on the document</small></label>
  <input id="name_kana" name="name_kana" required maxlength="${NAME_KANA_CHARS_MAX}" placeholder="ヤマダ ハナコ" value="${values.name_kana ?? ''}"${invalidIf(failure, 'name_kana')}>
  <label for="birth_date">生年月日 <small>/ Date of birth (YYYY-MM-DD)</small></label>
  <input id="birth_date" name="birth_date" required placeholder="1948-03-15" value="${values.birth_date ?? ''}"${invalidIf(failure, 'birth_date')}>
  <fieldset id="face-match"${invalidIf(failure, 'face_match')}>
    <legend>顔照合（シミュレーター） / Face match (simulator)</legend>
    <label><input type="radio" name="face_match" value="match" id="face-match-yes" checked> 一致 / Match</label>
    <label><input type="radio" name="face_match" value="no_match" id="face-match-no"> 不一致 / No match</label>
  </fieldset>
  <button type="submit" class="primary" id="ekyc-submit">本人確認を送信 / Verify my identity</button>
</form>
<p class="muted">デモ用のeKYCシミュレーターです。書類は画像かどうかだけを確かめ、顔照合の結果はここで選びます。<br>
This is the eKYC SIMULATOR for the demo and the lab: it checks only that the document is an image, and the face-match result is the one chosen above.</p>
`);
}
