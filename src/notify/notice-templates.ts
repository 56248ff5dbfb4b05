import { formatYen } from '../shared/yen.ts';
import { NEW_FACTOR_COOLING_OFF_MS } from '../mfa/factor-policy.ts';
import type { CustomerNotice } from '../mfa/notify-customer.ts';
import type { LinkMethod } from '../operators/operator.ts';
import { BANK_FRAUD_DESK_PHONE, BANK_NAME } from './bank-contact.ts';
import { formatJapanDateTime } from '../shared/japan-time.ts';
import { customerAccountLabel } from '../linking/link.ts';
import type { CampaignNoticeData, LinkedServiceLine, Notice } from './notice.ts';

/** An e-mail ready to send: plain text only, so no client hides where a link really goes. */
export interface RenderedEmail {
  subject: string;
  text: string;
}

/** The "this wasn't me" link a link or charge notice carries, and until when it works. */
export interface NotMeLink {
  url: string;
  expires_at: Date;
}

export interface EmailContext {
  /** The customer's name as the bank records it: a phishing mail cannot know it. */
  customer_name: string;
  not_me?: NotMeLink;
}

const METHOD_TEXT: Record<LinkMethod, { ja: string; en: string }> = {
  legacy_pin: { ja: '口座番号・暗証番号による連携 (二段階認証なし)', en: 'account number and PIN (no two-step verification)' },
  fapi2: { ja: '当行での本人確認と二段階認証による同意', en: 'your consent at the bank, with two-step verification' },
};

const FACTOR_TEXT = {
  totp: { ja: '認証アプリ', en: 'authenticator app' },
  sms: { ja: 'SMS認証コード', en: 'SMS code' },
  passkey: { ja: 'パスキー', en: 'passkey' },
} as const;

const CREDENTIAL_TEXT = {
  legacy_pin: { ja: 'キャッシュカード暗証番号による口座連携', en: 'account linking with your cash-card PIN' },
  password: { ja: 'インターネットバンキングのログイン', en: 'internet-banking login' },
} as const;

const FOOTER = {
  ja: `当行がメールやSMSで暗証番号・パスワード・認証コードをお尋ねすることはありません。\nお問い合わせ: ${BANK_NAME.ja} 不正利用ダイヤル ${BANK_FRAUD_DESK_PHONE} (24時間)`,
  en: `We never ask for your PIN, password or codes by e-mail or SMS.\nQuestions: ${BANK_NAME.en} fraud desk ${BANK_FRAUD_DESK_PHONE} (24 hours)`,
};

function notMeBlock(notMe: NotMeLink | undefined): { ja: string; en: string } {
  if (!notMe) {
    return {
      ja: `お心当たりがない場合は、すぐに ${BANK_FRAUD_DESK_PHONE} へお電話ください。`,
      en: `If this was not you, call ${BANK_FRAUD_DESK_PHONE} at once.`,
    };
  }
  const until = formatJapanDateTime(notMe.expires_at);
  return {
    ja: `お心当たりがない場合は、次のリンクを開いてください。連携をただちに停止し、以後の引き落としを止めます。\n${notMe.url}\n(リンクの有効期限: ${until}、1回限り)`,
    en: `If this was not you, open this link: it stops the link at once and blocks any further charge.\n${notMe.url}\n(valid until ${until}, once)`,
  };
}

/** The cooling-off of a new factor, in whole hours, as the notice says it. */
const COOLING_OFF_HOURS = NEW_FACTOR_COOLING_OFF_MS / (60 * 60 * 1000);

function securityLines(notice: CustomerNotice): { subject_ja: string; subject_en: string; ja: string; en: string } {
  switch (notice.kind) {
    case 'second_factor_locked':
      return {
        subject_ja: `${FACTOR_TEXT[notice.factor].ja}をロックしました`, subject_en: `Your ${FACTOR_TEXT[notice.factor].en} is locked`,
        ja: `${FACTOR_TEXT[notice.factor].ja}の入力を続けて5回間違えたため、ロックしました。解除は当行窓口・お電話で承ります。`,
        en: `Your ${FACTOR_TEXT[notice.factor].en} was locked after 5 wrong codes in a row. The bank unlocks it at a branch or by phone.`,
      };
    case 'second_factor_enrolled':
      return {
        subject_ja: `${FACTOR_TEXT[notice.factor].ja}が登録されました`, subject_en: `A new ${FACTOR_TEXT[notice.factor].en} was registered`,
        // The cooling-off is said where the notice arrives: a thief's new factor is harmless for that long, if the holder calls.
        ja: `お客さまのインターネットバンキングに${FACTOR_TEXT[notice.factor].ja}が登録されました。不正利用を防ぐため、登録から${COOLING_OFF_HOURS}時間はお支払い・口座連携の承認に使えません。`,
        en: `A new ${FACTOR_TEXT[notice.factor].en} was registered to your internet banking. To protect you, it cannot approve payments or links for its first ${COOLING_OFF_HOURS} hours.`,
      };
    case 'second_factor_removed':
      return {
        subject_ja: `${FACTOR_TEXT[notice.factor].ja}が削除されました`, subject_en: `A ${FACTOR_TEXT[notice.factor].en} was removed`,
        ja: `お客さまのインターネットバンキングから${FACTOR_TEXT[notice.factor].ja}が削除されました。`,
        en: `A ${FACTOR_TEXT[notice.factor].en} was removed from your internet banking.`,
      };
    case 'credential_locked': {
      const what = CREDENTIAL_TEXT[notice.credential];
      const account = notice.account ? customerAccountLabel(notice.account.branch_code, notice.account.account_masked) : null;
      const account_en = notice.account ? customerAccountLabel(notice.account.branch_code, notice.account.account_masked, 'en') : null;
      return {
        subject_ja: `${what.ja}をロックしました`, subject_en: `Your ${what.en} is locked`,
        ja: `${account ? `口座 ${account} の` : ''}${what.ja}を、続けて間違えた入力があったためロックしました。解除は ${BANK_FRAUD_DESK_PHONE} へお電話ください。`,
        en: `${account_en ? `The ${what.en} for account ${account_en}` : `Your ${what.en}`} was locked after repeated wrong attempts. Call ${BANK_FRAUD_DESK_PHONE} to unlock it.`,
      };
    }
    case 'phone_number_changed':
      return {
        subject_ja: 'ご登録の電話番号を変更しました', subject_en: 'The phone number on your account was changed',
        ja: `当行窓口でのお手続きにより、ご登録の電話番号を ${notice.previous_phone_masked} から ${notice.new_phone_masked} に変更しました。SMSの確認コードとお知らせは新しい番号に届きます。`,
        en: `At your request at a branch, the phone number on your account was changed from ${notice.previous_phone_masked} to ${notice.new_phone_masked}. Codes and notices by text now go to the new number.`,
      };
  }
}

/** Both languages in one message, Japanese first, as a Japanese bank writes to all its customers. */
function bilingual(subject_ja: string, subject_en: string, name: string, ja: string, en: string): RenderedEmail {
  return {
    subject: `【${BANK_NAME.ja}】${subject_ja} / ${subject_en}`,
    text: `${name} 様\n\n${ja}\n\n${FOOTER.ja}\n\n----- English -----\n\nDear ${name},\n\n${en}\n\n${FOOTER.en}\n`,
  };
}

const SERVICE_STATUS_TEXT: Record<LinkedServiceLine['status'], { ja: string; en: string }> = {
  active: { ja: '連携中', en: 'linked' },
  frozen: { ja: '停止中', en: 'frozen' },
  revoked: { ja: '解除済み', en: 'unlinked' },
};

/** The campaign notice's body: the customer's linked services, the labels to look for, what staff added, what to do. */
function campaignLines(d: CampaignNoticeData): { ja: string; en: string } {
  const services = (lang: 'ja' | 'en') => d.services.length === 0
    ? (lang === 'ja' ? '  (現在連携しているサービスはありません)' : '  (no service is linked to your account now)')
    : d.services.map((line) => lang === 'ja'
      ? `  ・${line.operator_name} (通帳の摘要: ${line.passbook_label}) 口座: ${line.branch_code} 普通 ${line.account_masked} [${SERVICE_STATUS_TEXT[line.status].ja}]`
      : `  - ${line.operator_name} (passbook label: ${line.passbook_label}) account: ${line.branch_code} ${line.account_masked} [${SERVICE_STATUS_TEXT[line.status].en}]`).join('\n');
  const labels = d.passbook_labels.map((label) => `「${label}」`).join(' ');
  return {
    ja: `${d.message_ja ? `${d.message_ja}\n\n` : ''}お客さまの口座と連携しているサービス:\n${services('ja')}\n\n` +
      `通帳または入出金明細に、次の摘要のお心当たりのないお取引がないか、ご確認ください。\n  ${labels}\n\n` +
      `お心当たりのないお取引があった場合は、${BANK_FRAUD_DESK_PHONE} (不正利用ダイヤル、24時間) へお電話ください。` +
      `このお知らせにリンクはありません。リンクのあるメールやSMSで当行を名乗るものにはご注意ください。`,
    en: `${d.message_en ? `${d.message_en}\n\n` : ''}Services linked to your account:\n${services('en')}\n\n` +
      `Please check your passbook or statement for any transaction you do not recognise under these labels:\n  ${labels}\n\n` +
      `If you find one, call ${BANK_FRAUD_DESK_PHONE} (fraud desk, 24 hours). ` +
      `This notice carries no link: be wary of any mail or SMS in the bank's name that does.`,
  };
}

/**
 * How a customer renews a consent, in every reminder: from the operator's app, which sends them to the bank's own
 * sign-in page. The notice carries no link (a reminder with a "renew here" button is the phishing mail's template),
 * and says the bank never asks for a code by phone.
 */
function renewalSteps(operator_name: string): { ja: string; en: string } {
  return {
    ja: `続けてご利用になる場合は、${operator_name}のアプリで口座連携の「更新」を選んでください。当行のログインページが開きます。` +
      `アドレスが当行のものであることをお確かめのうえ、ログインと二段階認証で承認してください。連携・ご利用履歴・上限はそのまま引き継がれます。
` +
      `期限は当行インターネットバンキング (メールのリンクからではなく、ご自身で開いてください) の「連携サービス」でも確認できます。
` +
      `当行が電話やメールで認証コードをお尋ねすることはありません。コードを聞かれたら、それは詐欺です。`,
    en: `To keep using it, choose "renew" for your bank link in the ${operator_name} app. It opens the bank's own sign-in page: ` +
      `check the address is the bank's, sign in and approve with your second factor. The link, its history and its limits stay as they are.
` +
      `You can also see when each consent ends under "Linked services" in the bank's internet banking (open it yourself, not from a link in a mail).
` +
      `The bank never asks for your codes by phone or e-mail: anyone who asks for one is a fraudster.`,
  };
}

/** Renders a notice as an e-mail in Japanese and English. Carries no PIN, code, credential or full account number. */
export function renderEmail(notice: Notice, { customer_name, not_me }: EmailContext): RenderedEmail {
  const action = notMeBlock(not_me);
  switch (notice.template) {
    case 'link_created': {
      const d = notice.data;
      const account = customerAccountLabel(d.branch_code, d.account_masked);
      const limits = { ja: `1回 ${formatYen(d.charge_yen_max)} / 1か月 ${formatYen(d.charges_yen_per_month_max)}`, en: `${formatYen(d.charge_yen_max)} per charge, ${formatYen(d.charges_yen_per_month_max)} a month` };
      const when = formatJapanDateTime(d.linked_at);
      return bilingual(
        '口座連携のお知らせ', `Your account was linked to ${d.operator_name}`, customer_name,
        `お客さまの口座が次のサービスと連携されました。このサービスは、お客さまの口座から引き落としができるようになります。\n\n` +
          `  サービス: ${d.operator_name}\n  口座: ${account}\n  方式: ${METHOD_TEXT[d.method].ja}\n  上限: ${limits.ja}\n  日時: ${when}\n\n${action.ja}`,
        `Your account was linked to the service below. It can now pull money from your account.\n\n` +
          `  Service: ${d.operator_name}\n  Account: ${customerAccountLabel(d.branch_code, d.account_masked, 'en')}\n  Method: ${METHOD_TEXT[d.method].en}\n  Limits: ${limits.en}\n  Time: ${when}\n\n${action.en}`,
      );
    }
    case 'charge_succeeded': {
      const d = notice.data;
      const account = customerAccountLabel(d.branch_code, d.account_masked);
      const when = formatJapanDateTime(d.charged_at);
      return bilingual(
        `${formatYen(d.amount_yen)} の引き落としのお知らせ`, `${formatYen(d.amount_yen)} was charged to your account`, customer_name,
        `お客さまの口座から次の引き落としがありました。\n\n` +
          `  金額: ${formatYen(d.amount_yen)}\n  サービス: ${d.operator_name}\n  通帳の摘要: ${d.passbook_label}\n  口座: ${account}\n  日時: ${when}\n\n${action.ja}`,
        `This amount was charged to your account.\n\n` +
          `  Amount: ${formatYen(d.amount_yen)}\n  Service: ${d.operator_name}\n  Passbook label: ${d.passbook_label}\n  Account: ${customerAccountLabel(d.branch_code, d.account_masked, 'en')}\n  Time: ${when}\n\n${action.en}`,
      );
    }
    case 'compensation_paid': {
      const d = notice.data;
      const account = `${d.branch_code} 普通 ${d.account_masked}`;
      const when = formatJapanDateTime(d.paid_at);
      return bilingual(
        `不正利用の補償 ${formatYen(d.amount_yen)} をお支払いしました`, `We have paid you ${formatYen(d.amount_yen)} in compensation for fraud`, customer_name,
        `${d.operator_name} を通じた不正な引き落としについて、補償金をお客さまの口座にお支払いしました。\n\n` +
          `  金額: ${formatYen(d.amount_yen)}\n  通帳の摘要: ${d.passbook_label}\n  口座: ${account}\n  日時: ${when}\n\n` +
          `ご不明な点は ${BANK_FRAUD_DESK_PHONE} へお電話ください。`,
        `We have paid compensation into your account for the fraudulent charges made through ${d.operator_name}.\n\n` +
          `  Amount: ${formatYen(d.amount_yen)}\n  Passbook label: ${d.passbook_label}\n  Account: ${account}\n  Time: ${when}\n\n` +
          `Questions: call ${BANK_FRAUD_DESK_PHONE}.`,
      );
    }
    case 'consent_expiring': {
      const d = notice.data;
      const ends = formatJapanDateTime(d.consent_expires_at);
      const steps = renewalSteps(d.operator_name);
      return bilingual(
        `${d.operator_name}との口座連携の有効期限が近づいています (${ends})`, `Your link to ${d.operator_name} ends on ${ends}`, customer_name,
        `${d.operator_name}との口座連携 (口座 ${customerAccountLabel(d.branch_code, d.account_masked)}) へのお客さまの同意は、${ends}に期限を迎えます。` +
          `期限を過ぎると、${d.operator_name}はお客さまの口座から引き落としができなくなります。\n\n${steps.ja}`,
        `Your consent to ${d.operator_name} charging your account (${customerAccountLabel(d.branch_code, d.account_masked, 'en')}) ends on ${ends}. ` +
          `After that, ${d.operator_name} can no longer pull money from your account.\n\n${steps.en}`,
      );
    }
    case 'consent_renewed': {
      const d = notice.data;
      const ends = formatJapanDateTime(d.consent_expires_at);
      const when = formatJapanDateTime(d.renewed_at);
      return bilingual(
        '口座連携の更新のお知らせ', `Your link to ${d.operator_name} was renewed`, customer_name,
        `次のサービスとの口座連携への同意が更新されました。\n\n  サービス: ${d.operator_name}\n  口座: ${customerAccountLabel(d.branch_code, d.account_masked)}\n` +
          `  新しい有効期限: ${ends}\n  日時: ${when}\n\n${action.ja}`,
        `Your consent to the service below was renewed.\n\n  Service: ${d.operator_name}\n  Account: ${customerAccountLabel(d.branch_code, d.account_masked, 'en')}\n` +
          `  Now ends: ${ends}\n  Time: ${when}\n\n${action.en}`,
      );
    }
    case 'campaign_notice': {
      const lines = campaignLines(notice.data);
      return bilingual('通帳・入出金明細のご確認のお願い', 'Please check your passbook', customer_name, lines.ja, lines.en);
    }
    default: {
      const lines = securityLines(notice.data);
      return bilingual(lines.subject_ja, lines.subject_en, customer_name, `${lines.ja}\n\n${action.ja}`, `${lines.en}\n\n${action.en}`);
    }
  }
}

/**
 * Renders a notice as a text message: link notices from the outbox, security notices from the SMS customer notifier
 * (createSmsCustomerNotifier), so a security SMS says what its e-mail says. SMS notices never carry a link: the bank
 * tells customers it sends no URLs by SMS, so a smishing message with one stands out. The "not me" link comes by
 * e-mail; SMS gives the phone number.
 */
export function renderSms(notice: Notice): string {
  const call = `お心当たりがない場合は ${BANK_FRAUD_DESK_PHONE} へ。 Not you? Call ${BANK_FRAUD_DESK_PHONE}.`;
  switch (notice.template) {
    case 'link_created': {
      const d = notice.data;
      const account = customerAccountLabel(d.branch_code, d.account_masked);
      return `【${BANK_NAME.ja}】口座 ${account} が「${d.operator_name}」と連携されました。 Account ${customerAccountLabel(d.branch_code, d.account_masked, 'en')} was linked to ${d.operator_name}. ${call}`;
    }
    case 'charge_succeeded': {
      const d = notice.data;
      return `【${BANK_NAME.ja}】${d.operator_name} により ${formatYen(d.amount_yen)} を引き落としました。 ${formatYen(d.amount_yen)} charged by ${d.operator_name}. ${call}`;
    }
    case 'compensation_paid': {
      const d = notice.data;
      return `【${BANK_NAME.ja}】不正利用の補償 ${formatYen(d.amount_yen)} を口座 ${d.account_masked} にお支払いしました。 We paid ${formatYen(d.amount_yen)} in fraud compensation to account ${d.account_masked}. ${BANK_FRAUD_DESK_PHONE}`;
    }
    case 'consent_expiring': {
      const d = notice.data;
      const ends = formatJapanDateTime(d.consent_expires_at);
      return `【${BANK_NAME.ja}】「${d.operator_name}」との口座連携は${ends}に期限を迎えます。更新は${d.operator_name}のアプリから。当行が電話でコードを聞くことはありません。 Your link to ${d.operator_name} ends on ${ends}; renew it in the ${d.operator_name} app. We never ask for codes by phone.`;
    }
    case 'consent_renewed': {
      const d = notice.data;
      return `【${BANK_NAME.ja}】「${d.operator_name}」との口座連携が更新されました。 Your link to ${d.operator_name} was renewed. ${call}`;
    }
    case 'campaign_notice':
      return `【${BANK_NAME.ja}】通帳に ${notice.data.passbook_labels.map((label) => `「${label}」`).join('')} のお心当たりのない取引がないかご確認ください。 Please check your passbook for these labels. ${call}`;
    default: {
      const lines = securityLines(notice.data);
      return `【${BANK_NAME.ja}】${lines.ja} ${lines.en} ${call}`;
    }
  }
}
