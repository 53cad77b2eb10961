import type { Conversation } from './types';

const VIA_TEXT = { widget: 'in the chat', email: 'from the email' } as const;

/** The customer's rating of the conversation, as the agent it counts for sees it. */
export function RatingSummary({ rating }: { rating: NonNullable<Conversation['rating']> }) {
  return (
    <section className="rating-summary" aria-label="Customer rating">
      <p>
        <span className="stars" aria-hidden="true">
          {'★'.repeat(rating.score)}
          {'☆'.repeat(5 - rating.score)}
        </span>{' '}
        <strong>Rated {rating.score} of 5</strong>{' '}
        <span className="muted">
          {VIA_TEXT[rating.via]} ·{' '}
          <time dateTime={rating.ratedAt}>{new Date(rating.ratedAt).toLocaleString()}</time>
        </span>
      </p>
      {rating.comment && <blockquote className="rating-comment">{rating.comment}</blockquote>}
    </section>
  );
}
