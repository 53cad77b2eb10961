import { registry } from '@parley/observability';
import { Counter, Gauge } from 'prom-client';

/** What retention removed and when it last ran (a run happens in one process: take the max over them). */
export const retentionMetrics = {
  runs: new Counter({
    name: 'parley_retention_runs_total',
    help: 'Retention runs this process made (scheduled, or asked for by an admin)',
    registers: [registry],
  }),
  lastRun: new Gauge({
    name: 'parley_retention_last_run_timestamp_seconds',
    help: 'When this process last finished a retention run (Unix time)',
    registers: [registry],
  }),
  conversationsRemoved: new Counter({
    name: 'parley_retention_conversations_removed_total',
    help: 'Resolved conversations removed entirely for their site’s retention policy',
    registers: [registry],
  }),
  attachmentsRemoved: new Counter({
    name: 'parley_retention_attachments_removed_total',
    help: 'Attachments deleted from the object store for their site’s retention policy',
    registers: [registry],
  }),
};
