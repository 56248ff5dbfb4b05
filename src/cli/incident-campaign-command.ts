import { setTimeout as sleep } from 'node:timers/promises';
import { FurikaeError } from '../errors/furikae-error.ts';
import { campaignOutstanding, type Campaign, type CampaignSegment } from '../outreach/campaign.ts';
import type { CampaignMove } from '../outreach/campaigns.ts';
import type { IncidentCommandContext } from './incident-command.ts';
import { resolveOperator } from './incident-command.ts';

/** How often `campaign status --watch` reads the counts: often enough to see it move, rarely enough to cost nothing. */
const WATCH_INTERVAL_MS = 2_000;
/** Characters in a progress bar. */
const BAR_WIDTH = 30;

/** A progress bar for a campaign's settled notices: [██████░░░░] 60.0% 600/1,000. */
export function progressBar(done: number, total: number, width = BAR_WIDTH): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(ratio * 100).toFixed(1)}% ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
}

/** One line for a campaign: id, status, bar and counts. */
export function campaignLine(campaign: Campaign): string {
  const settled = campaign.enqueued_count - campaignOutstanding(campaign);
  return `${campaign.id}  ${campaign.status.padEnd(9)}  ${campaign.status === 'enqueuing' ? 'writing notices…' : progressBar(settled, campaign.enqueued_count)}`
    + `  sent ${campaign.sent_count.toLocaleString('en-US')}, failed ${campaign.failed_count}, uncertain ${campaign.uncertain_count}, cancelled ${campaign.cancelled_count.toLocaleString('en-US')}`;
}

/** The segment `--segment operator:ID|legacy_pin|scan:ID` names. */
async function segmentOption(context: IncidentCommandContext): Promise<CampaignSegment> {
  const text = context.options.segment ?? '';
  if (text === 'legacy_pin') return { kind: 'legacy_pin' };
  if (text.startsWith('operator:')) return { kind: 'operator', operator_id: await resolveOperator(context.services, text.slice('operator:'.length)) };
  if (text.startsWith('scan:')) return { kind: 'scan', scan_id: text.slice('scan:'.length) };
  throw new FurikaeError('validation_failed', '--segment must be operator:ID, legacy_pin or scan:ID');
}

const ACTIONS: Record<string, (context: IncidentCommandContext) => Promise<number>> = {
  /** Starts a campaign and writes its notices now (one statement); the bank's processes send them. */
  async start(context) {
    const segment = await segmentOption(context);
    const by = await context.login();
    const labels = context.options.labels?.split(',').map((label) => label.trim()).filter(Boolean);
    const campaign = await context.services.campaigns.create({
      incident_id: context.args[0] ?? '', segment, ...(labels && labels.length > 0 ? { passbook_labels: labels } : {}),
      message_ja: context.options['message-ja'] ?? '', message_en: context.options['message-en'] ?? '',
    }, by.id);
    context.out(`campaign ${campaign.id} started; writing its notices…`);
    const started = Date.now();
    const written = await context.services.campaigns.enqueuePending();
    for (const { campaign_id, notices } of written) {
      context.out(`campaign ${campaign_id}: ${notices.toLocaleString('en-US')} notices written to the outbox in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    context.out('the bank sends them behind ordinary notices; follow with: furikae incident campaign status ' + campaign.id + ' --watch');
    return 0;
  },

  /** Prints the counts once, or redraws a progress bar until the campaign is finished (or paused). */
  async status(context) {
    for (;;) {
      const progress = await context.services.campaigns.progress(context.args[0] ?? '');
      if (!progress) throw new FurikaeError('campaign_not_found', `No campaign ${context.args[0] ?? ''}`);
      const line = `${campaignLine(progress.campaign)}, sending ${progress.sending}, waiting ${progress.waiting.toLocaleString('en-US')}`;
      const finished = !['enqueuing', 'running'].includes(progress.campaign.status);
      if (!context.options.watch || finished) {
        if (context.options.watch && context.tty) context.write('\r\x1b[2K');
        context.out(line);
        return 0;
      }
      if (context.tty) context.write(`\r\x1b[2K${line}`);
      else context.out(line);
      await sleep(WATCH_INTERVAL_MS);
    }
  },
};

for (const move of ['pause', 'resume', 'cancel'] as const satisfies CampaignMove[]) {
  ACTIONS[move] = async (context) => {
    const by = await context.login();
    const moved = await context.services.campaigns.move(context.args[0] ?? '', move, by.id, context.options.reason ?? '');
    context.out(`campaign ${moved.id} is ${moved.status}`);
    return 0;
  };
}

/** `furikae incident campaign start|status|pause|resume|cancel …`. */
export async function incidentCampaign(context: IncidentCommandContext): Promise<number> {
  const [action = '', ...args] = context.args;
  const run = ACTIONS[action];
  if (!run) throw new FurikaeError('validation_failed', 'campaign needs one of: start, status, pause, resume, cancel');
  return run({ ...context, args });
}
