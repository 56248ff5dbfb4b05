/**
 * Where a bank process spent its CPU, from a V8 CPU profile (`node --cpu-prof`, e.g. the hardened bench's with
 * FURIKAE_BENCH_CPU_PROF_DIR): each sample goes to the first part of the charge path found on its stack (token and
 * proof verification, logging, the charge steps' own code, the PostgreSQL client, ...), else to what its leaf frame is.
 *
 *   npx tsx src/bench/cpu-profile-summary.ts <file.cpuprofile> [--per <charges>]
 *
 * With --per, each part is also given in microseconds of CPU per charge.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** A part of the work, recognised by a frame anywhere on the stack; the first rule that matches wins. */
const STACK_RULES: ReadonlyArray<{ part: string; matches: (frame: ProfileNode['callFrame']) => boolean }> = [
  { part: 'token and DPoP proof verification (oauth4webapi, WebCrypto)', matches: (f) => f.url.includes('access-token-verifier') || f.url.includes('oauth4webapi') },
  { part: 'logging (pino)', matches: (f) => f.url.includes('/pino') || f.url.includes('sonic-boom') },
  { part: 'risk step (features, rules, decision rows)', matches: (f) => f.url.includes('/src/risk/') || f.url.includes('/charges/steps/risk') },
  { part: 'PostgreSQL client (pg: queries, parsing rows)', matches: (f) => /\/node_modules\/pg(-[a-z]+)?\//.test(f.url) || f.url.includes('postgres-database') },
  { part: 'other charge steps and the batcher', matches: (f) => f.url.includes('/src/charges/') || f.url.includes('/src/ledger/') },
  { part: 'rate limiter', matches: (f) => f.url.includes('rate-limit') || f.url.includes('/src/throttle/') },
  { part: 'request and response schemas, JSON (ajv, fast-json-stringify)', matches: (f) => /ajv|fast-json-stringify|secure-json-parse|fast-uri/.test(f.url) },
  { part: 'Fastify routing and hooks', matches: (f) => /fastify|find-my-way|avvio|light-my-request/.test(f.url) || f.url.includes('/src/http/') },
];

/** What a sample is when no rule matched its stack: its leaf frame's kind. */
function leafPart(frame: ProfileNode['callFrame']): string {
  if (frame.functionName === '(idle)') return '(idle)';
  if (frame.functionName === '(garbage collector)') return 'garbage collection';
  if (frame.functionName === '(program)') return '(program: V8 and native code)';
  if (/^node:(internal\/)?(http|_http|net|stream|internal\/streams|internal\/http)/.test(frame.url) || /_http_/.test(frame.url)) return 'HTTP in node (sockets, parsing)';
  if (frame.url.startsWith('node:')) return 'other node internals';
  if (frame.url === '') return `native: ${frame.functionName || '(anonymous)'}`;
  return 'other JavaScript';
}

/** Milliseconds of samples by part, busiest first, and the total that was not idle. */
export function summariseCpuProfile(profile: CpuProfile): { parts: Array<{ part: string; ms: number }>; busy_ms: number; total_ms: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const partOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    const stack: ProfileNode['callFrame'][] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    const part = STACK_RULES.find((rule) => stack.some(rule.matches))?.part ?? leafPart(stack[0]!);
    partOf.set(id, part);
    return part;
  };
  const ms = new Map<string, number>();
  let total_ms = 0;
  profile.samples.forEach((id, index) => {
    const delta_ms = (profile.timeDeltas[index] ?? 0) / 1000;
    total_ms += delta_ms;
    const part = classify(id);
    ms.set(part, (ms.get(part) ?? 0) + delta_ms);
  });
  const parts = [...ms].map(([part, value]) => ({ part, ms: value })).sort((a, b) => b.ms - a.ms);
  return { parts, busy_ms: total_ms - (ms.get('(idle)') ?? 0), total_ms };
}

function main(): void {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { per: { type: 'string' } } });
  const file = positionals[0];
  if (!file) throw new Error('usage: cpu-profile-summary.ts <file.cpuprofile> [--per <charges>]');
  const per = values.per === undefined ? undefined : Number(values.per);
  if (per !== undefined && (!Number.isSafeInteger(per) || per < 1)) throw new Error('--per must be a positive whole number');
  const { parts, busy_ms, total_ms } = summariseCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  console.log(`# ${file}: ${(total_ms / 1000).toFixed(1)} s sampled, ${(busy_ms / 1000).toFixed(1)} s busy`);
  console.log(`| part | ms | share of busy |${per ? ' µs per charge |' : ''}`);
  console.log(`|---|---:|---:|${per ? '---:|' : ''}`);
  for (const { part, ms } of parts) {
    if (part === '(idle)') continue;
    console.log(`| ${part} | ${ms.toFixed(0)} | ${((100 * ms) / busy_ms).toFixed(1)} % |${per ? ` ${((ms * 1000) / per).toFixed(0)} |` : ''}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, ''))) main();
