// Marks made without signal, on every portal page (settings in #offline-config, from
// participants.views.portal._offline_config).
// - Registers the portal's service worker (offline-sw.js) and asks it to keep the marking pages of
//   the operator's coming meetings; says so on a page it keeps ("works without signal").
// - The queue: taps the marking page could not send (attendance.js adds them) wait in IndexedDB,
//   each with the time it was made and whose it is. Only the logged-in person's taps are counted
//   and sent: a phone handed to a colleague never sends one person's taps in another's name.
// - Sending: in the order they were made, one at a time, on page load, when the signal returns and
//   every 30 seconds while some wait. The CSRF token is read from its cookie at each send, so it is
//   the one of the latest log-in. Answers (see participants/views/portal.py): 200 saved, dropped
//   from the queue; 400, 404, 409 refused, dropped and listed on the page until the operator has
//   read them; 403 or a redirect (logged out), 5xx or no answer: kept, and sending stops until the
//   next try (a log-out or an expired session never loses a tap).
// - The clock: a page fresh from the server gives its time (`now`); a copy kept by the service
//   worker ("served": "cache") uses the difference measured last time, kept in localStorage.
// Events on document: "offline-queue:change" (the queue changed), "offline-queue:answer" (a tap was
// answered: detail.entry, detail.status, detail.data).
(function () {
  "use strict";
  var node = document.getElementById("offline-config");
  if (!node) return;
  var config = JSON.parse(node.textContent);
  var text = config.messages;
  var CLOCK_KEY = "portal-clock-offset";
  var USER_KEY = "portal-user";
  var RETRY = 30000;
  var MAX_TRIES = 5; // a tap the server keeps failing on (5xx) is listed as not saved after this many

  // Whose phone it is now: a page fresh from the server says; a kept copy (made for whoever was
  // logged in when it was kept) takes the last one a fresh page named. Another person logged in
  // since the last fresh page: the kept pages (their names) are dropped below.
  var previousUser = null;
  try {
    previousUser = window.localStorage.getItem(USER_KEY);
    if (config.served === "network") window.localStorage.setItem(USER_KEY, String(config.user));
    else if (previousUser) config.user = parseInt(previousUser, 10);
  } catch (error) {
    previousUser = null;
  }
  var otherUser = config.served === "network" && previousUser !== null && previousUser !== String(config.user);

  // The clock: how far the server's clock is ahead of the phone's.
  var clockOffset = 0;
  try {
    if (config.served === "network") {
      clockOffset = config.now - Date.now();
      window.localStorage.setItem(CLOCK_KEY, String(clockOffset));
    } else {
      clockOffset = parseInt(window.localStorage.getItem(CLOCK_KEY) || "0", 10) || 0;
    }
  } catch (error) {
    clockOffset = config.served === "network" ? config.now - Date.now() : 0;
  }

  // The service worker: registered from every portal page, asked to refresh what it keeps.
  var worker = null;
  function askWorker(message) {
    if (!worker) return Promise.resolve(null);
    return worker.then(function (registration) {
      var active = registration && registration.active;
      if (!active) return null;
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          resolve(event.data);
        };
        active.postMessage(message, [channel.port2]);
      });
    });
  }
  function showReady(answer) {
    if (!answer || !answer.kept) return;
    document.documentElement.dataset.offlineKept = String(answer.kept.length); // the worker is done
    var place = document.getElementById("offline-ready");
    if (!place) return;
    if (answer.kept.indexOf(window.location.pathname) >= 0) {
      place.textContent = text.ready;
      place.hidden = false;
      document.documentElement.dataset.offlineReady = "1";
    }
  }
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(config.sw, { scope: config.scope }).catch(function () {});
    worker = navigator.serviceWorker.ready;
    if (otherUser) askWorker({ type: "forget" });
    if (navigator.onLine) {
      askWorker({ type: "refresh" }).then(showReady);
    } else {
      // Without signal the page itself may be the kept copy: say so if it is one.
      window.caches && window.caches.match(window.location.pathname).then(function (copy) {
        if (copy) showReady({ kept: [window.location.pathname] });
      });
    }
    // Logging out: the pages with names go, and the list of refused marks; the queue stays for the
    // next log-in (site.js drops the pages on a log-out from any other page).
    document.addEventListener("submit", function (event) {
      if (event.target.getAttribute("action") !== config.logout) return;
      askWorker({ type: "forget" });
      if (window.indexedDB) store("refused", "readwrite", function (rows) { rows.clear(); });
    });
  }

  // IndexedDB: "taps" (the queue, in the order made) and "refused" (to show until read).
  if (!window.indexedDB) return;
  var database = new Promise(function (resolve, reject) {
    var request = window.indexedDB.open("portal-offline", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("taps", { keyPath: "id", autoIncrement: true });
      request.result.createObjectStore("refused", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = function () {
      resolve(request.result);
    };
    request.onerror = function () {
      reject(request.error);
    };
  });

  function store(name, mode, work) {
    return database.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var result = work(transaction.objectStore(name));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }
  function mine(rows) {
    return rows.filter(function (row) {
      return row.user === config.user;
    });
  }

  var pending = []; // this person's queued taps, in order (a mirror of the store)
  var refused = [];
  var needLogin = false;
  var sending = false;

  function load() {
    return Promise.all([
      store("taps", "readonly", function (taps) { return taps.getAll(); }),
      store("refused", "readonly", function (rows) { return rows.getAll(); }),
    ]).then(function (found) {
      pending = mine(found[0]);
      refused = mine(found[1]);
      changed();
    });
  }

  function changed() {
    render();
    document.dispatchEvent(new CustomEvent("offline-queue:change", { detail: { pending: pending.slice() } }));
  }

  function add(entry) {
    entry.user = config.user;
    return store("taps", "readwrite", function (taps) { return taps.add(entry); }).then(function (id) {
      entry.id = id;
      pending.push(entry);
      changed();
      return entry;
    });
  }

  function drop(entry) {
    pending = pending.filter(function (row) {
      return row.id !== entry.id;
    });
    return store("taps", "readwrite", function (taps) { taps.delete(entry.id); });
  }

  function refuse(entry, message) {
    var row = { user: config.user, name: entry.name, meeting: entry.meeting, message: message };
    return store("refused", "readwrite", function (rows) { return rows.add(row); }).then(function (id) {
      row.id = id;
      refused.push(row);
    });
  }

  function cookie(name) {
    var found = document.cookie.split("; ").filter(function (part) {
      return part.indexOf(name + "=") === 0;
    })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function send(entry) {
    var body = new URLSearchParams();
    body.set("status-" + entry.enrollment, entry.status);
    body.set("remark-" + entry.enrollment, entry.remark || "");
    body.set("tapped_at", entry.tapped_at);
    body.set("user", entry.user); // the server refuses a tap made by someone else than who sends it
    if (entry.if_unmarked) body.set("if_unmarked", "1");
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json", "X-CSRFToken": cookie(config.csrf_cookie) },
    });
  }

  // Send the waiting taps in order; stop at the first that cannot go now.
  function flush() {
    if (sending || !pending.length || !navigator.onLine) return Promise.resolve();
    sending = true;
    var entry = pending[0];
    return send(entry)
      .then(
        function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
            needLogin = true;
            return false;
          }
          needLogin = false;
          if ([200, 400, 404, 409].indexOf(response.status) < 0) {
            // The server's trouble: later, unless it keeps failing on this tap (then it would hold
            // back every tap behind it): listed as not saved.
            entry.tries = (entry.tries || 0) + 1;
            if (entry.tries < MAX_TRIES) {
              return store("taps", "readwrite", function (taps) { taps.put(entry); }).then(function () {
                return false;
              });
            }
            return Promise.all([drop(entry), refuse(entry, text.failed)]).then(function () {
              return true;
            });
          }
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (data) {
              var work = [drop(entry)];
              if (response.status !== 200) {
                work.push(refuse(entry, data.error || text.not_found));
              }
              return Promise.all(work).then(function () {
                document.dispatchEvent(
                  new CustomEvent("offline-queue:answer", {
                    detail: { entry: entry, status: response.status, data: data },
                  })
                );
                return true;
              });
            });
        },
        function () {
          return false; // no connection after all
        }
      )
      .then(function (goOn) {
        sending = false;
        changed();
        if (goOn) return flush();
      });
  }

  // What the page shows: no signal, how many wait, a log-in needed, what was refused.
  function render() {
    var count = document.getElementById("unsent-count");
    if (count) {
      var session = count.dataset.session;
      var n = pending.filter(function (entry) {
        return !session || String(entry.session) === session;
      }).length;
      count.textContent = (n === 1 ? text.unsent_one : text.unsent_other).replace("{count}", n);
      count.hidden = n === 0;
    }
    var place = document.getElementById("offline-status");
    if (!place) return;
    place.textContent = "";
    if (!navigator.onLine) place.appendChild(alert("secondary", text.offline));
    if (needLogin && pending.length) {
      var box = alert("warning", text.login + " ");
      var link = document.createElement("a");
      link.href = config.login;
      link.className = "alert-link";
      link.textContent = text.login_link;
      box.appendChild(link);
      place.appendChild(box);
    }
    if (refused.length) {
      var list = alert("danger", text.refused);
      list.setAttribute("role", "alert");
      var items = document.createElement("ul");
      items.className = "mb-2";
      refused.forEach(function (row) {
        var item = document.createElement("li");
        item.textContent = row.name + " (" + row.meeting + "): " + row.message;
        items.appendChild(item);
      });
      list.appendChild(items);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-danger btn-tap";
      button.textContent = text.dismiss;
      button.addEventListener("click", function () {
        var ids = refused.map(function (row) { return row.id; });
        refused = [];
        store("refused", "readwrite", function (rows) {
          ids.forEach(function (id) { rows.delete(id); });
        }).then(render);
      });
      list.appendChild(button);
      place.appendChild(list);
    }
  }
  function alert(kind, message) {
    var box = document.createElement("div");
    box.className = "alert alert-" + kind + " py-2";
    box.textContent = message;
    return box;
  }

  load().then(flush);
  window.addEventListener("online", function () {
    render();
    flush();
    if (worker) askWorker({ type: "refresh" }).then(showReady);
  });
  window.addEventListener("offline", render);
  window.setInterval(function () {
    if (pending.length) flush();
  }, RETRY);

  window.offlineQueue = {
    clockOffset: clockOffset,
    csrfToken: function () {
      return cookie(config.csrf_cookie);
    },
    add: function (entry) {
      return add(entry).then(function (saved) {
        flush();
        return saved;
      });
    },
    pending: function () {
      return pending.slice();
    },
    flush: flush,
  };
})();
