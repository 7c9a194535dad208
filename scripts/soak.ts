/**
 * `npm run soak [-- --kills 100 --repositories 5 --max-run 3s]`: the crash-safety scenario of
 * test/faults/crash-loop.ts, longer than CI runs it. Prints progress and the result; exits 1
 * when anything was lost, duplicated as an event, left undelivered or badly signed.
 */
import { parseArgs } from 'node:util';
import { runCrashLoop } from '../test/faults/crash-loop.js';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    repositories: { type: 'string', default: '5' },
    'max-run': { type: 'string', default: '3s' },
  },
});
const number = (name: string, text: string): number => {
  const value = Number(text.replace(/s$/, ''));
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name}: not a positive number: ${text}`);
  return value;
};
const kills = number('kills', values.kills);
const repositories = number('repositories', values.repositories);
const maxRunMs = number('max-run', values['max-run']) * 1000;

const started = Date.now();
const result = await runCrashLoop({
  kills,
  repositories,
  maxRunMs,
  log: (line) => console.log(`${((Date.now() - started) / 1000).toFixed(0).padStart(5)}s  ${line}`),
});
console.log(
  JSON.stringify({ ...result, seconds: Math.round((Date.now() - started) / 1000) }, null, 2),
);
const ok =
  result.brokenChains.length === 0 &&
  result.undelivered.length === 0 &&
  result.unsettled === 0 &&
  result.badSignatures === 0;
console.log(ok ? 'soak: OK' : 'soak: FAILED');
process.exitCode = ok ? 0 : 1;
