import { attributesProblem } from './customer-card';

describe('attributesProblem', () => {
  it('accepts flat strings, numbers, booleans and null (which removes)', () => {
    expect(attributesProblem({ plan: 'pro', orders: 12, vip: true, old_plan: null })).toBeUndefined();
  });

  it.each([
    [[], 'must be an object'],
    [{ plan: { tier: 'pro' } }, 'attributes.plan must be a string, a number, a boolean or null'],
    [{ tags: ['a'] }, 'attributes.tags must be a string'],
    [{ '1plan': 'x' }, 'a name is a letter'],
    [{ 'plan name': 'x' }, 'a name is a letter'],
    [{ note: 'x'.repeat(256) }, 'at most 255 characters'],
    [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, i])), 'at most 50 names'],
  ])('refuses %j', (value, message) => {
    expect(attributesProblem(value)).toContain(message);
  });
});
