import { jsonDepth, MAX_JSON_DEPTH } from './json-depth';

describe('jsonDepth', () => {
  it('measures ordinary bodies', () => {
    expect(jsonDepth('text')).toBe(0);
    expect(jsonDepth({ body: 'x' })).toBe(1);
    expect(jsonDepth({ teams: ['a'], meta: { x: [1] } })).toBe(3);
  });

  it('stops early on hostile nesting without exhausting the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(jsonDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
  });
});
