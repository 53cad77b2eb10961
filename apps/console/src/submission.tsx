import { useState, type FormEvent } from 'react';
import { describeError } from '@parley/web';

/**
 * A form's submission: busy while `action` runs, its failure described for the form. On success the
 * form is left busy, since what it led to (signed in, password set) replaces it.
 */
export function useSubmission(action: () => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return { error, busy, submit };
}

/** The form's failure, if any, and its submit button. */
export function SubmitRow(props: {
  errorId: string;
  error: string | null;
  busy: boolean;
  label: string;
  busyLabel: string;
}) {
  return (
    <>
      {props.error && (
        <p id={props.errorId} role="alert" className="error">
          {props.error}
        </p>
      )}
      <button type="submit" className="primary" disabled={props.busy}>
        {props.busy ? props.busyLabel : props.label}
      </button>
    </>
  );
}
