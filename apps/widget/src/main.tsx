import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signInCustomer } from './customer-token';
import { LinkRating, ratingLinkOf } from './link-rating';
import { Widget } from './widget';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
// An email's rating link needs no sign-in: its signed token is the permission.
const ratingLink = ratingLinkOf(window.location.search);
/** An email's link to a conversation opens that one rather than the latest. */
const linkedConversation = new URLSearchParams(window.location.search).get('conversation');
if (ratingLink) {
  root.render(
    <StrictMode>
      <LinkRating token={ratingLink.token} score={ratingLink.score} />
    </StrictMode>,
  );
} else {
  void signInCustomer().then((customer) =>
    root.render(
      <StrictMode>
        {customer ? (
          <Widget
            token={customer.token}
            customerId={customer.customerId}
            siteId={customer.siteId}
            conversationId={linkedConversation}
          />
        ) : (
          <main className="widget unavailable">
            <p role="alert">
              Chat is not available right now: this page did not sign you in. Please reload it or contact us
              another way.
            </p>
          </main>
        )}
      </StrictMode>,
    ),
  );
}
