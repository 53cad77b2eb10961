/**
 * The Content-Security-Policy of every page the gateway serves: the console, the widget and Swagger
 * UI at /docs load only their own same-origin scripts, so no inline script runs. Swagger UI's page
 * carries an inline `<style>`, and the apps set inline styles, hence `'unsafe-inline'` for styles.
 *
 * No `upgrade-insecure-requests`: opened over plain HTTP at any host but localhost (a LAN address, a
 * development Ingress), it made the browser fetch the pages' own scripts over https, which failed
 * and left them blank. Behind TLS, Strict-Transport-Security (helmet's default) keeps browsers on
 * https instead.
 */
export const PAGE_SOURCES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  upgradeInsecureRequests: null,
};
