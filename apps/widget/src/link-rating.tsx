import { createParleyClient } from '@parley/client';
import { ok } from '@parley/web';
import { RatingForm, type RatingInput } from './rating';

/**
 * The page an email's rating link opens (`?rate=<token>&score=<n>`): the form with the score the
 * customer clicked in the email, sent only when they press Send, since mail scanners open links.
 * The signed token stands in for a session.
 */
export function LinkRating({ token, score }: { token: string; score?: number }) {
  async function rate(rating: RatingInput) {
    ok(await createParleyClient(window.location.origin).POST('/v1/ratings', { body: { token, ...rating } }));
  }
  return (
    <main className="widget" aria-labelledby="widget-title">
      <header className="widget-header">
        <h1 id="widget-title">Rate your conversation</h1>
      </header>
      <div className="thread">
        <RatingForm onRate={rate} preselected={score} />
      </div>
    </main>
  );
}

/** The rating link's parameters, when the page was opened through one. */
export function ratingLinkOf(search: string): { token: string; score?: number } | null {
  const params = new URLSearchParams(search);
  const token = params.get('rate');
  if (!token) return null;
  const score = Number(params.get('score'));
  return { token, score: Number.isInteger(score) && score >= 1 && score <= 5 ? score : undefined };
}
