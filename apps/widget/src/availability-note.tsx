import { useEffect, useState } from 'react';
import { createParleyClient, type components } from '@parley/client';
import { backAtText, replyTimeText } from './availability';

type Availability = components['schemas']['SiteAvailabilityItem'];

/** Refreshed now and then: agents come and go, and opening hours pass, while a page stays open. */
const REFRESH_MS = 60_000;

/**
 * Whether an agent is online now, "Usually replies within …" and, out of hours, when the team is
 * back; nothing until it knows.
 */
export function AvailabilityNote({ siteId }: { siteId: string }) {
  const [availability, setAvailability] = useState<Availability | null>(null);

  useEffect(() => {
    const api = createParleyClient(window.location.origin);
    const load = () =>
      api
        .GET('/v1/sites/{id}/availability', { params: { path: { id: siteId } } })
        .then(({ data }) => data && setAvailability(data))
        .catch(() => undefined);
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [siteId]);

  if (!availability) return null;
  const { usualReplySeconds, open, nextOpenAt, agentsOnline } = availability;
  return (
    <p className="availability">
      <span className={`team-presence ${agentsOnline ? 'online' : 'away'}`}>
        {agentsOnline ? 'The team is online.' : 'The team is away right now.'}
      </span>{' '}
      {!open && nextOpenAt && (
        <span className="back-at">We&apos;re back {backAtText(new Date(nextOpenAt), new Date())}. </span>
      )}
      {usualReplySeconds !== null && <span>Usually replies within {replyTimeText(usualReplySeconds)}.</span>}
    </p>
  );
}
