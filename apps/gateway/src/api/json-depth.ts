/** No request body Parley accepts is nested deeper than this; deeper input is refused before validation. */
export const MAX_JSON_DEPTH = 16;

/** Depth of a parsed JSON value, computed without recursion so hostile nesting cannot blow the stack. */
export function jsonDepth(value: unknown, limit = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}
