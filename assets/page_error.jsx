// CareConnect Sign - what a page shows when it failed to draw (React's error boundary caught it).
// Reflex's own fallback reloads through eval, which the Content-Security-Policy forbids, and leaves
// "An error occurred while rendering this page" on the phone. The usual cause is a tap while the
// server's state store (Redis) restarts: this says so in English and Spanish, reloads once a moment
// later (the page then reads everything back from the database), and otherwise offers a button.
// It shares Reflex's sessionStorage key for the last reload, so the two can never loop.
import { useEffect, useState } from "react";

const LAST_RELOADED_KEY = "reflex_last_reloaded_on_error";

function lastReload() {
  try {
    return parseInt(window.sessionStorage.getItem(LAST_RELOADED_KEY), 10) || 0;
  } catch {
    return 0;
  }
}

function reload() {
  try {
    window.sessionStorage.setItem(LAST_RELOADED_KEY, Date.now().toString());
  } catch {
    // private browsing: the reload still happens, only the cooldown is not remembered
  }
  window.location.reload();
}

const box = {
  position: "absolute", inset: 0, display: "flex", alignItems: "center", justifyContent: "center",
  background: "#fff", color: "#1f2328", padding: "1.5rem", fontFamily: "system-ui, sans-serif",
};
const button = {
  minHeight: "44px", padding: "0.6rem 1.4rem", fontSize: "1rem", fontWeight: 600, borderRadius: "0.5rem",
  border: "none", background: "#1d4ed8", color: "#fff", cursor: "pointer",
};

export function PageError({ cooldownMs = 30000, delayMs = 2000 }) {
  const [reloading, setReloading] = useState(false);
  useEffect(() => {
    if (Date.now() - lastReload() <= cooldownMs) return undefined;
    setReloading(true);
    const timer = window.setTimeout(reload, delayMs); // a moment for the server to come back
    return () => window.clearTimeout(timer);
  }, [cooldownMs, delayMs]);
  return (
    <main style={box} id="page-error">
      <div role="alert" style={{ maxWidth: "32rem", display: "flex", flexDirection: "column", gap: "0.75rem" }}>
        <h1 lang="en" style={{ fontSize: "1.4rem", margin: 0 }}>We lost the connection for a moment.</h1>
        <p lang="en" style={{ margin: 0 }}>
          {reloading
            ? "The page is reloading and will pick up where you were."
            : "Reload the page to pick up where you were."}
        </p>
        <h2 lang="es" style={{ fontSize: "1.4rem", margin: "0.5rem 0 0" }}>Perdimos la conexión por un momento.</h2>
        <p lang="es" style={{ margin: 0 }}>
          {reloading
            ? "La página se está recargando y seguirá donde usted estaba."
            : "Recargue la página para seguir donde usted estaba."}
        </p>
        <button type="button" style={button} onClick={reload} id="page-error-reload">
          <span lang="en">Reload</span> · <span lang="es">Recargar</span>
        </button>
      </div>
    </main>
  );
}
