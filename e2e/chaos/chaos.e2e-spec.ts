import { printResults, runScenario, SCENARIOS, ScenarioResult } from './scenarios';

/**
 * The contract's guarantees under faults, CI-sized (about 12 s of load per scenario);
 * `npm run chaos -- --minutes N` runs the same scenarios longer.
 */
describe('chaos', () => {
  const results: ScenarioResult[] = [];

  afterAll(() => printResults(results));

  it.each(SCENARIOS)(
    '%s: nothing lost, duplicated or unexpected; seq gap-free; inboxes complete and ordered',
    async (scenario) => {
      const result = await runScenario(scenario, Number(process.env.CHAOS_SECONDS ?? 12));
      results.push(result);
      printResults([result]);
      expect(result.faults).toBeGreaterThan(0);
      expect(result.accepted).toBeGreaterThan(50);
      expect({
        lost: result.lost,
        duplicated: result.duplicated,
        unexpected: result.unexpected,
        seqGaps: result.seqGaps,
        inboxProblems: result.inboxProblems,
      }).toEqual({ lost: 0, duplicated: 0, unexpected: 0, seqGaps: 0, inboxProblems: [] });
      // Dead letters are for messages that cannot be handled, never for infrastructure that was away.
      if (scenario === 'poison') expect(result.deadLetters).toBeGreaterThan(0);
      else expect(result.deadLetters).toBe(0);
      expect(result.stored + result.rejected).toBe(result.accepted);
    },
    300_000,
  );
});
