import { useId, useState, type FormEvent } from 'react';
import { describeError } from '@parley/web';

export interface RatingInput {
  score: number;
  comment?: string;
}

const SCORES = [1, 2, 3, 4, 5];
const SCORE_LABEL: Record<number, string> = { 1: 'Bad', 2: 'Poor', 3: 'OK', 4: 'Good', 5: 'Great' };

/**
 * Asks how a resolved conversation went: a score from 1 to 5 and an optional comment. Nothing is
 * sent until the customer presses Send, even with a score preselected (an email's link).
 */
export function RatingForm({
  onRate,
  preselected,
}: {
  onRate: (rating: RatingInput) => Promise<void>;
  preselected?: number;
}) {
  const [score, setScore] = useState<number | undefined>(preselected);
  const [comment, setComment] = useState('');
  const [sending, setSending] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const commentId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!score) return;
    setSending(true);
    setError(null);
    try {
      await onRate({ score, ...(comment.trim() && { comment: comment.trim() }) });
      setSent(true);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setSending(false);
    }
  }

  if (sent)
    return (
      <p className="rating-thanks" role="status">
        Thank you for your rating!
      </p>
    );
  return (
    <form className="rating" onSubmit={submit} aria-label="Rate this conversation">
      <fieldset>
        <legend>How did we do?</legend>
        <div className="rating-scores">
          {SCORES.map((value) => (
            <label key={value} className={`rating-score ${score === value ? 'chosen' : ''}`}>
              <input
                type="radio"
                name="score"
                value={value}
                checked={score === value}
                onChange={() => setScore(value)}
              />
              <span aria-hidden="true">{'★'.repeat(value)}</span>
              <span className="visually-hidden">
                {value} of 5, {SCORE_LABEL[value]}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <label htmlFor={commentId}>Comment (optional)</label>
      <textarea
        id={commentId}
        rows={2}
        maxLength={1000}
        value={comment}
        onChange={(event) => setComment(event.target.value)}
      />
      <button type="submit" className="primary" disabled={!score || sending}>
        Send rating
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
