import { maskSecret } from './mask';

describe('maskSecret', () => {
  it('tells a long secret apart by its length and last characters only', () => {
    expect(maskSecret('whsec_0123456789abcdefWXYZ')).toBe('[26 characters, ending …WXYZ]');
  });

  it('shows nothing of a short one', () => {
    expect(maskSecret('hunter2')).toBe('[7 characters]');
  });
});
