// CareConnect Sign - reloads the page, or tidies its address, when the server says so.
// Reflex's call_script needs eval, which the Content-Security-Policy forbids; this does the two
// things the signing wizard and the portal need without it. Renders nothing.
//   to:     a same-origin address to load afresh (a tab whose server state was lost: the new
//           websocket carries the session cookie, and the page reads everything back)
//   clean:  drop the query string from the address bar (the "restored" flag, said once)
//   status: the page's status var ("" for none). It goes back to "loading" only when the server rebuilt this
//           tab's state from nothing (Redis restarted empty): Reflex then re-runs the page's
//           on_load on this old websocket, which lacks the session cookie set after it opened,
//           and would ask the parent for a new code. A fresh load carries the cookie.
import { useEffect, useRef } from "react";

const RESTORED = "?restored=1";

export function PageReload({ to, clean, status }) {
  const shown = useRef(false);
  useEffect(() => {
    // Same origin only: "/x", never "//host/x" (which the browser reads as another site). Not the
    // address already loaded: the reloaded page's first state still names it until its load ran.
    const here = window.location.pathname + window.location.search;
    if (to && to.startsWith("/") && !to.startsWith("//") && to !== here) window.location.replace(to);
  }, [to]);
  useEffect(() => {
    if (status && status !== "loading") shown.current = true;
    else if (status === "loading" && shown.current) {
      shown.current = false;  // once: the reload is on its way
      window.location.replace(window.location.pathname + RESTORED);
    }
  }, [status]);
  useEffect(() => {
    if (clean && window.location.search) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }, [clean]);
  return null;
}
