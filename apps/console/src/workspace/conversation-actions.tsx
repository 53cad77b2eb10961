import { useRef, useState, type FormEvent } from 'react';
import type { ParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';
import { PRIORITIES, type Agent, type Conversation, type Priority, type Status } from './types';

/** Actions answer once the conversation service applied them, so the view reloads what is true. */
const APPLIED = { headers: { prefer: 'wait=5' } };
const SNOOZE_MS = 4 * 60 * 60 * 1000;

interface Props {
  api: ParleyClient;
  conversation: Conversation;
  agentId: string;
  agents: Agent[];
  onDone: (action: 'claimed' | 'changed') => void;
}

export function ConversationActions({ api, conversation, agentId, agents, onDone }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const path = { params: { path: { id: conversation.id } }, ...APPLIED };

  async function act(
    what: () => Promise<{ data?: unknown; error?: unknown; response: Response }>,
    done: 'claimed' | 'changed',
  ) {
    setBusy(true);
    try {
      ok(await what());
      setError(null);
      onDone(done);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  const claim = () =>
    act(() => api.POST('/v1/conversations/{id}/assignment', { ...path, body: { agentId: 'me' } }), 'claimed');
  const setStatus = (status: Status) =>
    act(
      () =>
        api.POST('/v1/conversations/{id}/status', {
          ...path,
          body:
            status === 'snoozed'
              ? { status, snoozeUntil: new Date(Date.now() + SNOOZE_MS).toISOString() }
              : { status },
        }),
      'changed',
    );
  const setPriority = (priority: Priority) =>
    act(() => api.POST('/v1/conversations/{id}/priority', { ...path, body: { priority } }), 'changed');

  async function transfer(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    const body = {
      agentId: value('agentId'),
      team: value('team'),
      reason: value('reason'),
      note: value('note'),
    };
    if (!body.agentId && !body.team) {
      setError('Choose an agent or a team to transfer to.');
      return;
    }
    dialog.current?.close();
    await act(() => api.POST('/v1/conversations/{id}/transfer', { ...path, body }), 'changed');
  }

  const mine = conversation.assigneeId === agentId;
  const others = agents.filter((a) => a.id !== agentId);
  return (
    <div className="actions" aria-label="Conversation actions" role="group">
      {!mine && (
        <button type="button" className="primary" onClick={claim} disabled={busy}>
          {conversation.assigneeId ? 'Assign to me' : 'Claim'}
        </button>
      )}
      <button type="button" onClick={() => dialog.current?.showModal()} disabled={busy}>
        Transfer…
      </button>
      <label>
        <span>Status</span>
        <select
          value={conversation.status}
          onChange={(e) => void setStatus(e.target.value as Status)}
          disabled={busy}
        >
          <option value="open">Open</option>
          <option value="pending">Pending</option>
          <option value="snoozed">Snoozed (4 h)</option>
          <option value="resolved">Resolved</option>
        </select>
      </label>
      <label>
        <span>Priority</span>
        <select
          value={conversation.priority}
          onChange={(e) => void setPriority(e.target.value as Priority)}
          disabled={busy}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p[0].toUpperCase() + p.slice(1)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <dialog ref={dialog} aria-labelledby="transfer-title" className="card">
        <form onSubmit={transfer}>
          <h2 id="transfer-title">Transfer conversation</h2>
          <label htmlFor="transfer-agent">Agent</label>
          <select id="transfer-agent" name="agentId" defaultValue="">
            <option value="">Anyone in the team</option>
            {others.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.presence}, {a.load}/{a.capacity})
              </option>
            ))}
          </select>
          <label htmlFor="transfer-team">Team</label>
          <input id="transfer-team" name="team" defaultValue={conversation.team ?? ''} />
          <label htmlFor="transfer-reason">Reason</label>
          <input id="transfer-reason" name="reason" maxLength={500} />
          <label htmlFor="transfer-note">Note for the next agent</label>
          <textarea id="transfer-note" name="note" rows={3} maxLength={10_000} />
          <div className="dialog-buttons">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Transfer
            </button>
          </div>
        </form>
      </dialog>
    </div>
  );
}
