import { PRIORITIES, type Agent, type Label, type Priority, type Status } from './types';

const STATUSES: Status[] = ['open', 'pending', 'snoozed', 'resolved'];

/** What narrows the lists; empty fields do not. `assignee` is an agent id, `me` or `none`. */
export interface ListFilters {
  status: Status | '';
  priority: Priority | '';
  label: string;
  assignee: string;
  team: string;
}

export const NO_FILTERS: ListFilters = { status: '', priority: '', label: '', assignee: '', team: '' };

/** The filters as `GET /v1/conversations` takes them. */
export function listQuery(filters: ListFilters) {
  return {
    ...(filters.status && { status: filters.status }),
    ...(filters.priority && { priority: filters.priority }),
    ...(filters.label && { labels: [filters.label] }),
    ...(filters.assignee && { assignee: filters.assignee }),
    ...(filters.team.trim() && { team: filters.team.trim() }),
  };
}

/** The filters the queue takes (it is open and unassigned by definition). */
export function queueQuery(filters: ListFilters) {
  const { priority, labels, team } = listQuery(filters);
  return { ...(priority && { priority }), ...(labels && { labels }), ...(team && { team }) };
}

interface Props {
  filters: ListFilters;
  onChange: (filters: ListFilters) => void;
  labels: Label[];
  agents: Agent[];
  /** The queue has no status or assignee of its own to choose; "Mine" has no assignee to choose. */
  fixed: Array<'status' | 'assignee'>;
}

export function ConversationFilters({ filters, onChange, labels, agents, fixed }: Props) {
  const set = (field: keyof ListFilters) => (event: { target: { value: string } }) =>
    onChange({ ...filters, [field]: event.target.value });
  const active = Object.values(filters).some(Boolean);
  return (
    <fieldset className="list-filters">
      <legend className="visually-hidden">Filters</legend>
      {!fixed.includes('status') && (
        <select aria-label="Status" value={filters.status} onChange={set('status')}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      )}
      <select aria-label="Priority" value={filters.priority} onChange={set('priority')}>
        <option value="">Any priority</option>
        {PRIORITIES.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
      <select aria-label="Label" value={filters.label} onChange={set('label')}>
        <option value="">Any label</option>
        {labels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
      {!fixed.includes('assignee') && (
        <select aria-label="Assignee" value={filters.assignee} onChange={set('assignee')}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Unassigned</option>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name}
            </option>
          ))}
        </select>
      )}
      <input aria-label="Team" placeholder="Team" value={filters.team} onChange={set('team')} size={8} />
      {active && (
        <button type="button" className="link" onClick={() => onChange(NO_FILTERS)}>
          Clear
        </button>
      )}
    </fieldset>
  );
}
