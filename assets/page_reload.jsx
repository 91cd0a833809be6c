// CareConnect Sign - reloads the page, or tidies its address, when the server says so.
// Reflex's call_script needs eval, which the Content-Security-Policy forbids; this does the two
// things the signing wizard needs without it. Renders nothing.
//   to:    a same-origin address to load afresh (a tab whose server state was lost: the new
//          websocket carries the session cookie, and the page reads everything back)
//   clean: drop the query string from the address bar (the "restored" flag, said once)
import { useEffect } from "react";

export function PageReload({ to, clean }) {
  useEffect(() => {
    // Same origin only: "/x", never "//host/x" (which the browser reads as another site).
    if (to && to.startsWith("/") && !to.startsWith("//")) window.location.replace(to);
  }, [to]);
  useEffect(() => {
    if (clean && window.location.search) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }, [clean]);
  return null;
}
