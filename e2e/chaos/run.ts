import 'reflect-metadata';
import { writeResults } from '@parley/testing';
import { printResults, runScenario, SCENARIOS, Scenario, ScenarioResult } from './scenarios';

/**
 * `npm run chaos -- --minutes N [--only scenario,…] [--rapid]`: every scenario for N minutes of
 * load, one after another; prints the accounting table and writes it to bench/results/chaos.json.
 * `--rapid` makes cluster-node kill the next node soon after the last one came back.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const minutes = Number(option('minutes') ?? 1);
  if (!(minutes > 0)) throw new Error('--minutes takes a positive number');
  const only = option('only')?.split(',') as Scenario[] | undefined;
  const unknown = only?.filter((s) => !SCENARIOS.includes(s));
  if (unknown?.length)
    throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.join(', ')}`);
  const results: ScenarioResult[] = [];
  for (const scenario of only ?? SCENARIOS) {
    console.log(`\n${scenario}: ${minutes} min of load with faults…`);
    const result = await runScenario(scenario, Math.round(minutes * 60), { rapid: args.includes('--rapid') });
    results.push(result);
    printResults([result]);
  }
  console.log('\nAll scenarios:');
  printResults(results);
  console.log(`written to ${writeResults('chaos', { date: new Date().toISOString(), minutes, results })}`);
  const failed = results.filter(
    (r) => r.lost + r.duplicated + r.unexpected + r.seqGaps + r.inboxProblems.length > 0,
  );
  process.exit(failed.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
