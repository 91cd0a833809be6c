// CareConnect Sign - trades a one-time ticket for an HttpOnly session cookie.
// The server handler puts a ticket in `ticket`; this posts it once to `path` on the backend,
// which answers with Set-Cookie (HttpOnly, SameSite=Strict, Secure on https). Page scripts
// never see the session secret itself. Renders nothing.
import { useEffect } from "react";
import env from "$/env.json";
import { getBackendURL } from "$/utils/state";

// Module-wide: a page change re-mounts the component, and a ticket is good for one use.
let lastTicket = "";

export function SessionCookie({ ticket, path, onStored }) {
  useEffect(() => {
    if (!ticket || ticket === lastTicket) return;
    lastTicket = ticket;
    const url = getBackendURL(env.PING);
    url.pathname = path;
    url.search = "";
    fetch(url, {
      method: "POST",
      body: ticket,
      credentials: "include",
      cache: "no-store",
      headers: { "Content-Type": "text/plain" },
    })
      .then((response) => onStored && onStored(response.ok))
      .catch(() => onStored && onStored(false));
  }, [ticket, path, onStored]);
  return null;
}
