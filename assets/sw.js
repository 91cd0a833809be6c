// CareConnect Sign - the provider portal's service worker (registered with scope /portal/).
//
// It keeps the app shell of today's board so the installed app opens when the network is poor
// or gone: the board's page as the build made it (the same for everyone, no personal data: the
// children and times arrive later over the live connection, which a service worker never sees)
// and the build's static files. Nothing else is stored: no other page, no answer of the server,
// never the parents' signing pages (outside the scope, and refused below as well). The taps a
// provider makes offline are kept by the page itself (IndexedDB), not here.
const SHELL_CACHE = "cc-portal-shell-v1";
const SHELL = "/portal/today";
// How long a navigation to the board waits for the network before the kept shell answers.
const NETWORK_WAIT_MS = 3500;
// Files of the build and of assets/ that are the same for everyone.
const STATIC_FILE =
  /^\/(assets\/[\w.-]+\.(js|css|woff2?)|icons\/[\w.-]+\.png|careconnect\.css|favicon\.ico|manifest\.webmanifest)$/;
const NEVER = /^\/(sign|_event|_upload|webhooks|_session|dev)(\/|$)/;

const isStatic = (url) =>
  url.origin === self.location.origin && STATIC_FILE.test(url.pathname) && !url.search;

// The static files a page of the build names (its <script> and <link> elements).
function filesNamedIn(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/[^"?#]+)"/g)) {
    const url = new URL(match[1], self.location.origin);
    if (isStatic(url)) found.add(url.pathname);
  }
  return [...found];
}

// The shell is kept as a plain 200 answer: the server may have reached it through a redirect
// (/portal/today -> /portal/today/), and a redirected answer cannot serve a navigation.
async function keepShell(cache, response) {
  const html = await response.text();
  const headers = { "Content-Type": response.headers.get("Content-Type") || "text/html; charset=utf-8" };
  await cache.put(SHELL, new Response(html, { status: 200, headers }));
  const files = filesNamedIn(html);
  await Promise.all(files.map((file) => cache.add(file).catch(() => undefined)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      // No cookies: the shell is the build's page, never a signed-in answer.
      const response = await fetch(SHELL, { credentials: "omit", cache: "no-store" });
      if (response.ok) await keepShell(cache, response);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name !== SHELL_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page names the static files it loaded, so a first visit is kept whole.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "keep-files" || !Array.isArray(data.urls)) return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL_CACHE);
      for (const raw of data.urls.slice(0, 300)) {
        let url;
        try {
          url = new URL(raw, self.location.origin);
        } catch {
          continue;
        }
        if (isStatic(url) && !(await cache.match(url.pathname))) {
          await cache.add(url.pathname).catch(() => undefined);
        }
      }
    })(),
  );
});

function timeout(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("network too slow")), ms));
}

// The board: the network first (a new build is seen at once), the kept shell when it fails.
async function boardPage(request) {
  const cache = await caches.open(SHELL_CACHE);
  try {
    const response = await Promise.race([fetch(request), timeout(NETWORK_WAIT_MS)]);
    if (response.ok && response.type === "basic") keepShell(cache, response.clone()).catch(() => undefined);
    return response;
  } catch (error) {
    const kept = await cache.match(SHELL);
    if (kept) return kept;
    throw error;
  }
}

// Build files never change under the same name: the kept copy first.
async function staticFile(request) {
  const cache = await caches.open(SHELL_CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    await cache.put(request, response.clone()).catch(() => undefined);
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  if (request.mode === "navigate") {
    if (url.pathname === SHELL || url.pathname === SHELL + "/") event.respondWith(boardPage(request));
    return; // every other page goes to the network as usual, and is never kept
  }
  if (isStatic(url)) event.respondWith(staticFile(request));
});
