import { registry } from '@parley/observability';
import { Counter } from 'prom-client';

export const mailSends = new Counter({
  name: 'parley_mail_emails_total',
  help: 'Emails by outcome: sent, retried, failed, in_doubt (handed over when the line broke or the process died: never resent)',
  labelNames: ['outcome'],
  registers: [registry],
});
