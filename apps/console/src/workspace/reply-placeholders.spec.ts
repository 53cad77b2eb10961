import { fillPlaceholders, shortcutTyped } from './reply-placeholders';

const context = {
  customerName: 'Ada Lovelace',
  customerEmail: null,
  agentName: 'Grace Hopper',
  conversationId: 'c-1',
};

describe('fillPlaceholders', () => {
  it('fills what it knows, leaves an unknown value empty and an unknown placeholder as written', () => {
    expect(
      fillPlaceholders(
        'Hi {{customer.name}} ({{ customer.email }}), about {{conversation.id}}: {{order.id}}. {{agent.name}}',
        context,
      ),
    ).toBe('Hi Ada Lovelace (), about c-1: {{order.id}}. Grace Hopper');
  });
});

describe('shortcutTyped', () => {
  it.each([
    ['/', ''],
    ['/ref', 'ref'],
    ['/ref ', null],
    ['hello /ref', null],
    ['', null],
  ])('reads %j as %j', (draft, typed) => expect(shortcutTyped(draft)).toBe(typed));
});
