// Work orders kept on the phone until the office has them. Each is saved in IndexedDB (which outlives
// the page, a reload and a dead battery) with the key the phone gave it, then sent; sending again
// with that key can only get the first answer back, so a lost answer or a killed page never files twice.
(function () {
  "use strict";
  var script = document.currentScript;
  var STORE = "work-orders";
  var WAITING = { waiting: true, sending: true };  // "sending" left by a page that died mid-send
  var KEEP_SENT_FOR = 7 * 24 * 3600 * 1000;
  var RETRY_EVERY = 20000;
  var rounds = Promise.resolve();
  var database = null;

  function open() {
    if (database) return database;
    database = new Promise(function (resolve, reject) {
      var request = indexedDB.open("dispatch", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return database;
  }

  function inStore(mode, act) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var request = act(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(request && request.result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function put(item) { return inStore("readwrite", function (store) { return store.put(item); }); }
  function get(key) { return inStore("readonly", function (store) { return store.get(key); }); }
  function remove(key) { return inStore("readwrite", function (store) { return store.delete(key); }); }
  function all() {
    return inStore("readonly", function (store) { return store.getAll(); }).then(function (items) {
      return items.sort(function (a, b) { return a.savedAt - b.savedAt; });
    });
  }

  function update(key, changes) {
    return get(key).then(function (item) {
      if (!item) return null;
      Object.assign(item, changes);
      return put(item).then(function () { return item; });
    });
  }

  // What one sending did to the item: sent, failed (the office refused it: fix and resend), or still waiting.
  function sendItem(item, token) {
    var body = new FormData();
    item.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    if (item.signature) body.append("signature", item.signature, "signature.png");
    item.photos.forEach(function (photo, index) { body.append("photos", photo, "photo-" + (index + 1) + ".jpg"); });
    return update(item.key, { state: "sending" })
      .then(function () {
        return fetch(script.dataset.sendTo || "/work-orders/from-phone", {
          method: "POST", body: body, credentials: "same-origin",
          // Errors come back as JSON (a 413 too): shown on the phone, not sent again and again.
          headers: { "X-CSRFToken": token, "Accept": "application/json" },
        });
      })
      .then(function (response) { return answered(item, response); });
  }

  function answered(item, response) {
    var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
    if (response.redirected || response.status === 401) throw { loggedOut: true };
    // Still being filed from an earlier send, the server busy, a token gone stale: the same send later.
    if (!isJson || response.headers.has("Retry-After") || response.status === 400 || response.status >= 500) {
      return update(item.key, { state: "waiting" });
    }
    return response.json().then(function (answer) {
      if (response.ok) return update(item.key, { state: "sent", number: answer.number, url: answer.url, sentAt: Date.now() });
      return update(item.key, { state: "failed", message: answer.message, errors: answer.errors || {} });
    });
  }

  function freshToken() {
    return fetch(script.dataset.sendTo || "/work-orders/from-phone", { credentials: "same-origin" }).then(function (response) {
      if (response.redirected || !response.ok) throw { loggedOut: true };
      return response.json();
    }).then(function (answer) { return answer.csrf_token; });
  }

  // Send every waiting work order, one at a time, oldest first; one round after another per page, and
  // one at a time per phone (Web Locks) so two open tabs never send the same one at once.
  function sendAll() {
    rounds = rounds.then(function () {
      return navigator.locks ? navigator.locks.request("dispatch-send", oneRound) : oneRound();
    }).then(show, show);
    return rounds;
  }

  function oneRound() {
    return all().then(function (items) {
      var waiting = items.filter(function (item) { return WAITING[item.state]; });
      if (!waiting.length) return;
      return freshToken().then(function (token) {
        return waiting.reduce(function (previous, item) {
          return previous.then(function () { return sendItem(item, token); });
        }, Promise.resolve());
      });
    }).then(function () { status(""); }, function (problem) {
      status(problem && problem.loggedOut ? "Log in to send the work orders waiting on this phone." : "");
      return all().then(function (items) {
        return Promise.all(items.filter(function (item) { return item.state === "sending"; })
          .map(function (item) { return update(item.key, { state: "waiting" }); }));
      });
    });
  }

  var problem = "";
  function status(text) { problem = text; }

  function forgetOldSent(items) {
    var old = items.filter(function (item) { return item.state === "sent" && Date.now() - item.sentAt > KEEP_SENT_FOR; });
    return Promise.all(old.map(function (item) { return remove(item.key); })).then(function () {
      return items.filter(function (item) { return old.indexOf(item) < 0; });
    });
  }

  var STATES = { waiting: "Waiting to send", sending: "Sending…", failed: "Not filed", sent: "Sent" };

  function show() {
    return all().then(forgetOldSent).then(function (items) {
      var pending = items.filter(function (item) { return item.state !== "sent"; }).length;
      showPending(pending);
      document.querySelectorAll("[data-outbox]").forEach(function (outbox) {
        outbox.hidden = !items.length && !problem;
        var list = outbox.querySelector("ul");
        list.textContent = "";
        if (problem) list.appendChild(line("li", "outbox-problem", problem));
        items.slice().reverse().forEach(function (item) { list.appendChild(entry(item)); });
      });
    });
  }

  // In the main navigation, only while work orders wait on the phone: "2 on this phone".
  function showPending(pending) {
    var link = document.querySelector("[data-waiting]");
    var nav = document.querySelector("nav[aria-label=Main]");
    if (!pending || !nav) { if (link) link.remove(); return; }
    if (!link) {
      link = line("a", "waiting");
      link.dataset.waiting = "";
      link.href = (script.dataset.newWorkOrder || "/work-orders/new") + "#outbox-heading";
      nav.prepend(link);
    }
    link.textContent = pending + " on this phone";
  }

  function line(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function entry(item) {
    var li = line("li", "queued queued-" + item.state);
    li.dataset.key = item.key;
    li.appendChild(line("strong", "", item.summary || "Work order"));
    li.appendChild(line("span", "muted", " " + (item.customer || "")));
    var state = line("p", "queued-state", STATES[item.state] + (item.number ? ": " + item.number : ""));
    if (item.state === "failed") state.appendChild(line("span", "", " " + item.message));
    li.appendChild(state);
    var taps = line("div", "taps");
    if (item.state === "sent" && item.url) {
      var link = line("a", "button", "Open " + item.number);
      link.href = item.url;
      taps.appendChild(link);
    }
    if (item.state === "failed") {
      var fix = line("a", "button primary", "Fix and resend");
      fix.href = (script.dataset.newWorkOrder || "/work-orders/new") + "?resend=" + encodeURIComponent(item.key);
      taps.appendChild(fix);
      var discard = line("button", "", "Discard");
      discard.type = "button";
      discard.addEventListener("click", function () {
        if (window.confirm("Discard this work order? It was never filed.")) remove(item.key).then(show);
      });
      taps.appendChild(discard);
    }
    if (taps.childNodes.length) li.appendChild(taps);
    return li;
  }

  // Keep the technician's pages (the main navigation) and this page's files for when the signal goes.
  function keepPagesOffline() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(script.dataset.serviceWorker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var keep = [].map.call(document.querySelectorAll("nav[aria-label=Main] a[href]:not([data-waiting]), link[rel=stylesheet], script[src], link[rel=manifest]"),
        function (node) { return node.href || node.src; });
      registration.active.postMessage({ keep: keep });
    }).catch(function () {});
  }

  // Logging out leaves no copy of this technician's pages behind; their unsent work orders stay.
  function forgetPagesOnLogout() {
    document.querySelectorAll("form[action='" + script.dataset.logout + "']").forEach(function (form) {
      form.addEventListener("submit", function () { if (window.caches) caches.keys().then(function (names) { names.forEach(function (name) { caches.delete(name); }); }); });
    });
  }

  window.workOrderQueue = {
    save: function (item) {
      item.state = "waiting";
      item.savedAt = item.savedAt || Date.now();
      return put(item).then(show);
    },
    get: get,
    sendAll: sendAll,
    show: show,
  };
  window.addEventListener("online", sendAll);
  setInterval(sendAll, RETRY_EVERY);
  keepPagesOffline();
  forgetPagesOnLogout();
  show().then(sendAll);
})();
