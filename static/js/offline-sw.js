// The provider portal's service worker (scope /provider/; settings in self.offlineConfig, written by
// participants.views.portal.service_worker). It keeps on the phone what marking a class without
// signal needs; the taps themselves wait in IndexedDB (offline-queue.js) and never pass through here.
// - The static files the marking page uses: kept at install; served from the copy, refreshed behind.
// - Marking pages: the server says which to keep (the operator's meetings from yesterday to a week
//   ahead, offline-pages.json) when a portal page asks ("refresh"); the others are dropped. A kept
//   page is fetched from the network first, its copy updated, and the copy served without signal
//   (or after a few seconds without an answer). Any other portal page without signal: the page that
//   lists the kept meetings (config.fallback). A refresh fetches that list page and only the
//   marking pages with no copy or a copy older than FRESH_FOR (a visited page has its copy renewed
//   anyway), one refresh at a time: on a metered phone every portal page would otherwise fetch
//   them all again.
// - A kept copy says "served": "cache" in its page settings, so its scripts know its `now` is old.
// - Logged out (the server answers the list with 403, or a redirect to the login), or told "forget"
//   by a page logging out: the pages (names of participants) are dropped; the queue stays.
/* global self, caches */
"use strict";

var config = self.offlineConfig;
var PAGES = "provider-pages";
var STATIC = "provider-static-" + config.version;
var NETWORK_WAIT = 5000; // ms before a kept page is shown instead of waiting on a weak signal
var FRESH_FOR = 10 * 60 * 1000; // ms a kept copy is not fetched again by a refresh
var KEPT_AT = "X-Kept-At"; // when the copy was made, in ms since 1970
var SERVED_NETWORK = '"served": "network"';
var SERVED_CACHE = '"served": "cache"';

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(STATIC)
      .then(function (cache) {
        return cache.addAll(config.assets);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("provider-static-") === 0 && name !== STATIC;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function pathOf(url) {
  return new URL(url, self.location.origin).pathname;
}

// Marks sent (POSTs under the scope): a page fetched while one was on its way, or answered within
// a few seconds of one (which may not have been saved yet), may not show it, so its copy is kept
// as due again (`stale`).
var writes = 0;
var lastWrite = 0;
var WRITE_SETTLES = 5000; // ms
function writtenSince(before) {
  return writes !== before || Math.abs(Date.now() - lastWrite) < WRITE_SETTLES;
}

// Keep a copy of a page, marked as a copy.
function keep(cache, path, response, stale) {
  return response.text().then(function (text) {
    var headers = { "Content-Type": response.headers.get("Content-Type") || "text/html; charset=utf-8" };
    // The copy keeps the page's protections (no framing, our own scripts only).
    ["Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options"].forEach(function (name) {
      var value = response.headers.get(name);
      if (value) headers[name] = value;
    });
    headers[KEPT_AT] = stale ? "0" : String(Date.now());
    return cache.put(path, new Response(text.replace(SERVED_NETWORK, SERVED_CACHE), { headers: headers }));
  });
}

// Dropping the pages also stops a refresh still running from keeping any more of them.
var generation = 0;
function forget() {
  generation += 1;
  return caches.delete(PAGES);
}

// A copy made less than FRESH_FOR ago (a clock set back since makes no copy fresh for longer).
function fresh(copy) {
  var age = copy ? Date.now() - Number(copy.headers.get(KEPT_AT) || 0) : -1;
  return age >= 0 && age < FRESH_FOR;
}

// A mark sent (a POST under a kept page's path, or from a kept page) changes that page: its copy
// is fetched again at the next refresh. The copy stays meanwhile, for a class without signal.
function staleAfter(request) {
  var path = pathOf(request.url);
  var from = request.referrer ? pathOf(request.referrer) : "";
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      return Promise.all(
        requests.map(function (kept) {
          var keptPath = pathOf(kept.url);
          if (keptPath !== from && path.indexOf(keptPath) !== 0) return null;
          return cache.match(kept).then(function (copy) {
            if (!copy) return null;
            var headers = new Headers(copy.headers);
            headers.set(KEPT_AT, "0");
            return copy.text().then(function (text) {
              return cache.put(kept, new Response(text, { headers: headers }));
            });
          });
        })
      );
    });
  });
}

// One refresh at a time: a second portal page asking while one runs gets the same answer, unless
// the pages were dropped since it began.
var refreshing = null;
function refresh() {
  if (!refreshing || refreshing.generation !== generation) {
    var current = refreshKept(generation).then(
      function (kept) {
        if (refreshing === current) refreshing = null;
        return kept;
      },
      function (error) {
        if (refreshing === current) refreshing = null;
        throw error;
      }
    );
    current.generation = generation;
    refreshing = current;
  }
  return refreshing;
}

// Fetch the list of pages to keep, drop the others, fetch the listed ones with no fresh copy one
// after another (a weak signal carries one page at a time better than ten). Answers the paths kept.
function refreshKept(begun) {
  return fetch(config.pages, { credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } })
    .then(function (answer) {
      if (answer.type === "opaqueredirect" || answer.status === 403) return forget().then(function () { return null; });
      if (!answer.ok) return null;
      return answer.json().then(function (data) { return data.pages; });
    })
    .then(function (pages) {
      if (!pages) return [];
      var wanted = pages.concat([config.fallback]);
      return caches.open(PAGES).then(function (cache) {
        return cache
          .keys()
          .then(function (requests) {
            return Promise.all(
              requests
                .filter(function (request) {
                  return wanted.indexOf(pathOf(request.url)) < 0;
                })
                .map(function (request) {
                  return cache.delete(request);
                })
            );
          })
          .then(function () {
            return wanted
              .reduce(function (previous, path) {
                return previous.then(function () {
                  return cache.match(path).then(function (copy) {
                    if (generation !== begun) return; // logged out meanwhile: keep nothing more
                    if (path !== config.fallback && fresh(copy)) return; // the list: always, it follows the list
                    var before = writes;
                    return fetch(path, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
                      if (response.status !== 200 || response.type !== "basic" || generation !== begun) return;
                      return keep(cache, path, response, writtenSince(before));
                    });
                  }).catch(function () {}); // no signal for this one: its old copy, if any, stays
                });
              }, Promise.resolve())
              .then(keptPaths);
          });
      });
    })
    .catch(keptPaths);
}

// The paths of the pages kept on the phone.
function keptPaths() {
  return caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      return requests.map(function (request) { return pathOf(request.url); });
    });
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  var work = data.type === "refresh" ? refresh() : data.type === "forget" ? forget().then(function () { return []; }) : null;
  if (!work) return;
  event.waitUntil(
    work.then(function (kept) {
      if (port) port.postMessage({ kept: kept });
    })
  );
});

// A portal page: the network first; its kept copy without signal or after NETWORK_WAIT.
function page(event) {
  var request = event.request;
  var path = pathOf(request.url);
  return caches.open(PAGES).then(function (cache) {
    return cache.match(path).then(function (copy) {
      var before = writes;
      var network = fetch(request).then(function (response) {
        if (copy && response.status === 200 && response.type === "basic" && !response.redirected) {
          event.waitUntil(keep(cache, path, response.clone(), writtenSince(before)));
        } else if (copy && response.type === "opaqueredirect") {
          event.waitUntil(forget()); // logged out: the login takes over, no copy stays behind
        }
        return response;
      });
      var fallback = function () {
        return copy || cache.match(config.fallback).then(function (page) { return page || Response.error(); });
      };
      if (!copy) return network.catch(fallback);
      var late = new Promise(function (resolve) {
        setTimeout(resolve, NETWORK_WAIT);
      }).then(fallback);
      event.waitUntil(network.catch(function () {}));
      return Promise.race([network.catch(fallback), late]);
    });
  });
}

// A static file: the kept copy at once, refreshed behind; fetched and kept when there is none.
function staticFile(event) {
  var request = event.request;
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (copy) {
      var network = fetch(request).then(function (response) {
        if (response.status === 200) event.waitUntil(cache.put(request, response.clone()));
        return response;
      });
      if (!copy) return network;
      event.waitUntil(network.catch(function () {}));
      return copy;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== "GET") {
    // Taps go to the server (or wait in the page's queue), never through a copy.
    if (request.method === "POST" && url.pathname.indexOf(config.scope) === 0) {
      writes += 1;
      lastWrite = Date.now();
      event.waitUntil(staleAfter(request));
    }
    return;
  }
  if (request.mode === "navigate" && url.pathname.indexOf(config.scope) === 0) {
    event.respondWith(page(event));
  } else if (url.pathname.indexOf(config.static) === 0) {
    event.respondWith(staticFile(event));
  }
});
