/**
 * A secret as it may appear in a log or an error: enough to tell two apart (its length and last
 * characters for long ones), never enough to use.
 */
export function maskSecret(value: string): string {
  if (value.length < 16) return `[${value.length} characters]`;
  return `[${value.length} characters, ending …${value.slice(-4)}]`;
}
