import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { signInCustomer } from './customer-token';
import { Widget } from './widget';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
void signInCustomer().then((customer) =>
  root.render(
    <StrictMode>
      {customer ? (
        <Widget token={customer.token} customerId={customer.customerId} />
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
