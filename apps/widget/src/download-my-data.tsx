import { useEffect, useRef, useState } from 'react';
import type { ParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';

/** How often the widget asks whether the export is ready. */
const POLL_MS = 1_000;

type State = { step: 'idle' } | { step: 'preparing' } | { step: 'ready'; exportId: string };

/**
 * Lets a signed-in customer download everything Parley holds about them: asks for an export,
 * waits for every service to write its part, then offers the archive. The link is asked for
 * afresh on each save, as a signed link works only for minutes.
 */
export function DownloadMyData({ api }: { api: ParleyClient }) {
  const [state, setState] = useState<State>({ step: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  async function prepare() {
    setError(null);
    setState({ step: 'preparing' });
    try {
      const accepted = ok(await api.POST('/v1/me/export', {}));
      while (mounted.current) {
        const status = ok(await api.GET('/v1/exports/{id}', { params: { path: { id: accepted.id } } }));
        if (status.status === 'ready') {
          setState({ step: 'ready', exportId: accepted.id });
          return;
        }
        await new Promise((done) => setTimeout(done, POLL_MS));
      }
    } catch (failure) {
      setError(describeError(failure));
      setState({ step: 'idle' });
    }
  }

  async function save(exportId: string) {
    setError(null);
    try {
      const status = ok(await api.GET('/v1/exports/{id}', { params: { path: { id: exportId } } }));
      if (!status.url) throw new Error('The export is no longer available.');
      const link = document.createElement('a');
      link.href = status.url;
      link.download = `parley-export-${exportId}.zip`;
      link.click();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <section className="my-data" aria-label="Your data">
      {state.step === 'ready' ? (
        <button type="button" className="link" onClick={() => void save(state.exportId)}>
          Save my conversations (zip)
        </button>
      ) : (
        <button
          type="button"
          className="link"
          disabled={state.step === 'preparing'}
          onClick={() => void prepare()}
        >
          {state.step === 'preparing' ? 'Preparing your conversations…' : 'Download my conversations'}
        </button>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
