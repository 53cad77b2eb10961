import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signInCustomer } from './customer-token';
import { Unavailable } from './unavailable';
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
  void signInCustomer().then((signIn) =>
    root.render(
      <StrictMode>
        {'customer' in signIn ? (
          <Widget
            token={signIn.customer.token}
            customerId={signIn.customer.customerId}
            siteId={signIn.customer.siteId}
            conversationId={linkedConversation}
          />
        ) : (
          <Unavailable title={signIn.problem.title} detail={signIn.problem.detail} />
        )}
      </StrictMode>,
    ),
  );
}
