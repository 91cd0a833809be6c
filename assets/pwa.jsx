// CareConnect Sign - installs the portal's service worker and shows the "Install" hint.
//
// The worker (/sw.js, scope /portal/) keeps the board's app shell for poor networks. The hint
// offers the browser's own install prompt where there is one (Chrome, Edge, Samsung Internet on
// Android), and the Share -> "Add to Home Screen" steps on iPhone and iPad, where there is not.
// It stays hidden inside the installed app and once dismissed on this device.
import React, { useEffect, useId, useState } from "react";

const DISMISSED = "cc-install-hint-dismissed";

// The browser offers installing once per page, possibly before the page has drawn itself: the
// offer is caught as soon as this file loads, and handed to the hint when it shows.
let offer = null;
const waitingForOffer = new Set();
if (typeof window !== "undefined") {
  window.addEventListener("beforeinstallprompt", (event) => {
    event.preventDefault(); // shown from our hint instead of the browser's mini bar
    offer = event;
    waitingForOffer.forEach((notify) => notify(event));
  });
  window.addEventListener("appinstalled", () => {
    offer = null;
  });
}

function keepLoadedFiles(registration) {
  const worker = registration.active || navigator.serviceWorker.controller;
  if (!worker || !window.performance) return;
  const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
  worker.postMessage({ type: "keep-files", urls });
}

function runsInstalled() {
  return (
    window.matchMedia("(display-mode: standalone)").matches || window.navigator.standalone === true
  );
}

function isAppleMobile() {
  const ua = navigator.userAgent || "";
  return /iPhone|iPad|iPod/.test(ua) || (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

export function PwaSupport({ workerUrl, scope, labels = {} }) {
  const {
    title = "Install the app",
    body = "",
    iosSteps = "",
    install: installLabel = "Install",
    dismiss: dismissLabel = "Not now",
  } = labels;
  const [prompt, setPrompt] = useState(null);
  const [apple, setApple] = useState(false);
  const [show, setShow] = useState(false);
  const titleId = useId();

  useEffect(() => {
    if ("serviceWorker" in navigator && workerUrl) {
      navigator.serviceWorker
        .register(workerUrl, { scope })
        .then(() => navigator.serviceWorker.ready)
        .then(keepLoadedFiles)
        .catch(() => undefined);
    }
    let dismissed = false;
    try {
      dismissed = window.localStorage.getItem(DISMISSED) === "1";
    } catch {
      dismissed = false;
    }
    if (dismissed || runsInstalled()) return undefined;
    const offered = (event) => {
      setPrompt(event);
      setShow(true);
    };
    const installed = () => setShow(false);
    if (offer) offered(offer);
    waitingForOffer.add(offered);
    window.addEventListener("appinstalled", installed);
    if (isAppleMobile()) {
      setApple(true);
      setShow(true);
    }
    return () => {
      waitingForOffer.delete(offered);
      window.removeEventListener("appinstalled", installed);
    };
  }, [workerUrl, scope]);

  const dismiss = () => {
    try {
      window.localStorage.setItem(DISMISSED, "1");
    } catch {
      // private browsing: the hint comes back next time, nothing else is affected
    }
    setShow(false);
  };

  const install = async () => {
    if (!prompt) return;
    prompt.prompt();
    await prompt.userChoice.catch(() => undefined);
    offer = null; // an offer is good for one prompt
    setPrompt(null);
    setShow(false);
  };

  if (!show) return null;
  return (
    <aside className="pw-hint" aria-labelledby={titleId} id="install-hint">
      <p className="pw-title" id={titleId}>
        {title}
      </p>
      <p className="pw-body">{apple ? iosSteps : body}</p>
      <div className="pw-actions">
        {prompt ? (
          <button type="button" className="pw-install" onClick={install} id="install-app">
            {installLabel}
          </button>
        ) : null}
        <button type="button" className="pw-dismiss" onClick={dismiss} id="install-dismiss">
          {dismissLabel}
        </button>
      </div>
    </aside>
  );
}

export default PwaSupport;
