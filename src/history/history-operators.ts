import type { LinkMethod } from '../operators/operator.ts';

/** An operator of the generated history: made-up payment apps, most on the 2020 PIN path, one hardened. */
export interface HistoryOperator {
  client_id: string;
  display_name: string;
  passbook_label: string;
  method: LinkMethod;
  /** Share of honest customers' links. */
  popularity: number;
  /** The server address its legacy link requests come from. */
  server_ip: string;
  /** When it began taking links (the hardened one came late, as in 2020). */
  since: string;
}

/** Five PIN-path wallets, as the seven services of seeds/000, and one FAPI wallet. */
export const HISTORY_OPERATORS: readonly HistoryOperator[] = [
  { client_id: 'history-mirai-pay', display_name: 'ミライペイ', passbook_label: 'ミライペイ', method: 'legacy_pin', popularity: 0.3, server_ip: '203.0.113.10', since: '2015-01-01' },
  { client_id: 'history-hayate-money', display_name: 'ハヤテマネー', passbook_label: 'ハヤテマネー', method: 'legacy_pin', popularity: 0.22, server_ip: '203.0.113.20', since: '2015-01-01' },
  { client_id: 'history-tsubame-wallet', display_name: 'ツバメウォレット', passbook_label: 'ツバメウォレット', method: 'legacy_pin', popularity: 0.16, server_ip: '203.0.113.30', since: '2016-04-01' },
  { client_id: 'history-sakura-pay', display_name: 'サクラペイ', passbook_label: 'サクラペイ', method: 'legacy_pin', popularity: 0.12, server_ip: '203.0.113.40', since: '2016-10-01' },
  { client_id: 'history-kodama-cash', display_name: 'コダマキャッシュ', passbook_label: 'コダマキャッシュ', method: 'legacy_pin', popularity: 0.08, server_ip: '203.0.113.50', since: '2017-04-01' },
  { client_id: 'history-furikae-secure', display_name: 'フリカエセキュアH', passbook_label: 'フリカエセキュア', method: 'fapi2', popularity: 0.12, server_ip: '203.0.113.60', since: '2019-04-01' },
];
