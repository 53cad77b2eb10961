import { useEffect, useState } from 'react';
import { createParleyClient, type components } from '@parley/client';
import { backAtText, replyTimeText } from './availability';

type Availability = components['schemas']['SiteAvailabilityItem'];

/** Refreshed now and then: opening hours pass while a page stays open. */
const REFRESH_MS = 5 * 60_000;

/** "Usually replies within …" and, out of hours, when the team is back; nothing if it cannot say. */
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
  const { usualReplySeconds, open, nextOpenAt } = availability;
  return (
    <p className="availability">
      {!open && nextOpenAt && (
        <span className="back-at">We&apos;re back {backAtText(new Date(nextOpenAt), new Date())}. </span>
      )}
      {usualReplySeconds !== null && <span>Usually replies within {replyTimeText(usualReplySeconds)}.</span>}
    </p>
  );
}
