import { compareWithClassValidator, decoratedClasses } from '@parley/testing';
import { ValidatorOptions } from 'class-validator';
import * as deadLetters from '../admin/dead-letters.dto';
import * as conversations from '../conversations/conversations.dto';
import * as inbox from '../inbox/inbox.dto';
import * as messages from '../messages/messages.dto';
import * as people from '../people/people.dto';
import * as search from '../search/search.dto';
import * as webhooks from '../webhooks/webhooks.dto';
import * as paging from './paging';
import { requestValidation } from './validation';

/** What Nest's pipe hands to class-validator with the gateway's settings. */
const REQUEST_OPTIONS: ValidatorOptions = {
  forbidUnknownValues: false,
  whitelist: true,
  forbidNonWhitelisted: true,
  validationError: { target: false, value: false },
};

describe('requestValidation', () => {
  it("agrees with class-validator on every request class's rules, property by property", () => {
    const classes = [paging, conversations, messages, people, search, inbox, webhooks, deadLetters].flatMap(
      decoratedClasses,
    );
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining(['PostMessageRequest', 'CreateWebhookRequest', 'SearchRequest', 'LimitQuery']),
    );
    const validate = (object: object, options: ValidatorOptions) =>
      (requestValidation as unknown as { validate(o: object, v: ValidatorOptions): unknown }).validate(
        object,
        options,
      );
    const outcome = compareWithClassValidator(
      classes,
      (object, options) => {
        const errors = validate(object, options);
        // The fast path answers at once; class-validator's own validate() answers with a promise.
        return Array.isArray(errors) && errors.length === 0;
      },
      REQUEST_OPTIONS,
    );
    expect(outcome.disagreements).toEqual([]);
    expect(outcome.classesWithValidSample).toEqual(classes.map((c) => c.name));
  });

  it('names each problem of a request with its field', async () => {
    await expect(
      requestValidation.transform(
        { body: '', surprise: 1 },
        { type: 'body', metatype: messages.PostMessageRequest },
      ),
    ).rejects.toMatchObject({
      errors: expect.arrayContaining([
        expect.objectContaining({ field: 'surprise' }),
        expect.objectContaining({ field: 'body' }),
      ]),
    });
  });
});
