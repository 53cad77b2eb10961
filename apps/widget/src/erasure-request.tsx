import { useState } from 'react';
import type { ParleyClient } from '@parley/client';
import { describeError, ok } from '@parley/web';

type Step = 'idle' | 'confirming' | 'sending' | 'pending';

/**
 * "Delete my data": the signed-in customer asks the business to erase everything it holds about
 * them. The request waits for an admin to approve it; asking again while it waits is the same request.
 */
export function ErasureRequest({ api }: { api: ParleyClient }) {
  const [step, setStep] = useState<Step>('idle');
  const [error, setError] = useState<string | null>(null);

  async function ask() {
    setStep('sending');
    setError(null);
    try {
      ok(await api.POST('/v1/me/erasure-request', {}));
      setStep('pending');
    } catch (failure) {
      setError(describeError(failure));
      setStep('confirming');
    }
  }

  if (step === 'pending')
    return (
      <p className="erasure-request" role="status">
        Your request to delete your data is pending: the team will review it.
      </p>
    );
  return (
    <section className="erasure-request" aria-label="Your data">
      {step === 'idle' ? (
        <button type="button" className="link" onClick={() => setStep('confirming')}>
          Delete my data
        </button>
      ) : (
        <>
          <p>
            Ask the team to delete your conversations, messages and everything else it keeps about you? This
            cannot be undone once they approve it.
          </p>
          <button type="button" className="danger" disabled={step === 'sending'} onClick={() => void ask()}>
            Ask to delete my data
          </button>{' '}
          <button
            type="button"
            className="link"
            disabled={step === 'sending'}
            onClick={() => setStep('idle')}
          >
            Cancel
          </button>
        </>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
