/**
 * The renderer's Content-Security-Policy, shared by web mode (HTTP header) and Electron (response
 * header on the window's session): scripts only from the app itself, no eval (plotly's strict
 * bundle needs none), no plugins, no framing, connections only back to the origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // plotly positions its elements with inline styles and injects its stylesheet rules.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
