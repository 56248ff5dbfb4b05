import type { Config } from '../config.ts';

/** The bank's notice settings from the configuration, as createBankApp takes them. */
export function noticeOptions(config: Pick<Config, 'smtp_url' | 'mail_from' | 'not_me_key' | 'campaign_sends_per_second'>):
  { smtp_url?: string; mail_from: string; not_me_key: string; campaign_sends_per_second: number } {
  return {
    ...(config.smtp_url ? { smtp_url: config.smtp_url } : {}), mail_from: config.mail_from, not_me_key: config.not_me_key,
    campaign_sends_per_second: config.campaign_sends_per_second,
  };
}
