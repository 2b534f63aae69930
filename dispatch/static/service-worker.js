// The technician's pages offline: each page is fetched fresh when there is a connection and kept,
// and shown as last kept when there is none. Work orders filed offline are not here: queue.js keeps
// them in IndexedDB, which survives the page, and sends them itself.
"use strict";
var CACHE = "dispatch-pages-v1";
// Never kept: the JSON API, what the queue sends, and private files (photos, signatures).
var NEVER_KEPT = /^\/(api\/|work-orders\/from-phone|work-orders\/\d+\/(photos|signature))/;

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) { return name !== CACHE; }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

// A page names the technician's pages and files to keep (its main navigation), so they work offline
// before they were ever opened.
self.addEventListener("message", function (event) {
  if (!event.data || !event.data.keep) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(event.data.keep.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) { return keep(cache, url, response); }, function () {});
    }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || NEVER_KEPT.test(url.pathname)) return;
  event.respondWith(url.pathname.indexOf("/static/") === 0 ? fileFirst(request) : networkFirst(request));
});

function keep(cache, request, response) {
  // A redirect (to the login page) or an error is not the page asked for.
  if (response.ok && !response.redirected && response.type === "basic") return cache.put(request, response.clone());
}

function networkFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      keep(cache, request, response);
      return response;
    }, function (offline) {
      // /work-orders/new?appointment_id=88 offline: the form as last kept, for any appointment. The pages
      // vary by the session cookie, and this cache holds one technician's (it is emptied on logging out).
      return cache.match(request, { ignoreVary: true })
        .then(function (kept) { return kept || cache.match(request, { ignoreSearch: true, ignoreVary: true }); })
        .then(function (kept) { if (kept) return kept; throw offline; });
    });
  });
}

// Styles and scripts: the kept copy at once (fast on a slow connection), refreshed behind it for next time.
function fileFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (kept) {
      var fresh = fetch(request).then(function (response) { keep(cache, request, response); return response; });
      if (!kept) return fresh;
      fresh.catch(function () {});
      return kept;
    });
  });
}
