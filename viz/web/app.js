// swarmgen visualizer: renders /events (or /api/state) into columns of
// nodes with a card per task. Plain JS, no framework, no build step.
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var nodesEl = $("nodes"), legendEl = $("legend"), bannerEl = $("banner");
  var filterEl = $("filter"), connEl = $("conn"), summaryEl = $("summary"), updatedEl = $("updated");

  var model = null;     // last model rendered with nodes
  var lastJSON = "";    // to skip identical updates (polling)
  var filter = "";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  function fmtTime(s) {
    var d = new Date(s);
    if (isNaN(d.getTime()) || d.getFullYear() < 2000) return "";
    return d.toLocaleTimeString();
  }

  // ---- rendering ----------------------------------------------------------

  // The registry host takes room the tag needs: "registry:5000/shop/web:2.4"
  // shows as "shop/web:2.4" (the tooltip has it whole).
  function shortImage(image) {
    var i = (image || "").indexOf("/");
    if (i > 0) {
      var host = image.slice(0, i);
      if (host.indexOf(".") >= 0 || host.indexOf(":") >= 0 || host === "localhost") return image.slice(i + 1);
    }
    return image || "";
  }

  function taskCard(t) {
    var li = el("li", "task" + (t.stale ? " stale" : ""));
    li.dataset.service = t.service;
    li.dataset.task = t.name;
    li.dataset.taskId = t.id;
    li.dataset.state = t.state;
    li.dataset.image = t.image || "";
    li.style.setProperty("--h", String(t.hue));
    var l1 = el("div", "t1");
    l1.appendChild(el("span", "svc", t.service));
    l1.appendChild(el("span", "slot" + (/^[0-9]+$/.test(t.slot) ? "" : " node-slot"), "." + t.slot));
    // Running is the usual state: a green dot says it; others are spelled out.
    var st = el("span", "st", t.stale ? t.state + "?" : t.state === "running" ? "" : t.state);
    st.title = t.state;
    l1.appendChild(st);
    li.appendChild(l1);
    li.appendChild(el("div", "img", shortImage(t.image)));
    if (t.message && /^(failed|rejected|orphaned)$/.test(t.state)) li.appendChild(el("div", "err", t.message));
    var tip = t.name + "\n" + (t.image || "") + "\nstate: " + t.state + " (desired " + t.desired + ")";
    var since = fmtTime(t.since);
    if (since) tip += " since " + since;
    if (t.stale) tip += "\nnode is down: last state it reported";
    if (t.message) tip += "\n" + t.message;
    li.title = tip;
    return li;
  }

  function nodeColumn(n) {
    var sec = el("section", "node" + (n.down ? " down" : ""));
    sec.dataset.node = n.name;
    sec.dataset.state = n.state;
    sec.dataset.role = n.role;
    sec.dataset.availability = n.availability;
    var h = el("header");
    var name = el("div", "name");
    if (n.leader) {
      var star = el("span", "star", "\u2605");
      star.title = "leader";
      name.appendChild(star);
    }
    var nm = el("span", "n", n.name);
    nm.title = n.name + " (" + n.id + ")";
    name.appendChild(nm);
    name.appendChild(el("span", "count", (n.tasks || []).length));
    h.appendChild(name);

    var meta = el("div", "meta");
    meta.appendChild(el("span", "badge " + n.role, n.leader ? "leader" : n.role));
    var st = el("span", "badge " + (n.down ? "down" : n.state), n.down ? "down" : n.state);
    if (n.down) {
      st.dataset.badge = "down";
      st.title = n.state + (n.message ? ": " + n.message : "");
    }
    meta.appendChild(st);
    meta.appendChild(el("span", "badge " + n.availability, n.availability));
    h.appendChild(meta);

    var sub = [];
    if (n.engineVersion) sub.push("engine " + n.engineVersion);
    if (n.addr) sub.push(n.addr);
    if (sub.length) h.appendChild(el("div", "sub", sub.join(" \u00b7 ")));
    if (n.labels && n.labels.length) {
      var labels = el("div", "labels");
      n.labels.forEach(function (l) {
        var s = el("span", "label", l);
        s.title = l;
        labels.appendChild(s);
      });
      h.appendChild(labels);
    }
    sec.appendChild(h);
    sec.appendChild(taskList(n.tasks));
    return sec;
  }

  function taskList(tasks) {
    var ul = el("ul", "tasks");
    (tasks || []).forEach(function (t) { ul.appendChild(taskCard(t)); });
    if (!tasks || !tasks.length) ul.appendChild(el("li", "none", "no tasks"));
    else ul.appendChild(el("li", "nomatch", "no task matches the filter"));
    return ul;
  }

  function legendRow(s) {
    var li = el("li", "leg" + (s.running < s.desired ? " short" : ""));
    li.dataset.legend = s.name;
    li.dataset.desired = s.desired;
    li.dataset.running = s.running;
    li.dataset.image = s.image || "";
    li.style.setProperty("--h", String(s.hue));
    li.title = s.name + " (" + s.mode + (s.stack ? ", stack " + s.stack : "") + ")\n" + (s.image || "") +
      "\n" + s.running + " running of " + s.desired + " desired";
    li.appendChild(el("span", "sw"));
    li.appendChild(el("span", "nm", s.name));
    if (s.mode !== "replicated") li.appendChild(el("span", "md", s.mode));
    li.appendChild(el("span", "ct", s.running + "/" + s.desired));
    return li;
  }

  function render(m) {
    var nodes = m.nodes || [], services = m.services || [], un = m.unassigned || [];
    var frag = document.createDocumentFragment();
    nodes.forEach(function (n) { frag.appendChild(nodeColumn(n)); });
    if (un.length) {
      var sec = el("section", "node unassigned");
      sec.dataset.unassigned = "";
      var h = el("header");
      var name = el("div", "name");
      name.appendChild(el("span", "n", "no node"));
      name.appendChild(el("span", "count", un.length));
      h.appendChild(name);
      h.appendChild(el("div", "sub", "pending tasks not placed on a node"));
      sec.appendChild(h);
      sec.appendChild(taskList(un));
      frag.appendChild(sec);
    }
    if (!nodes.length && !un.length) frag.appendChild(el("div", "empty", "no nodes"));
    nodesEl.replaceChildren(frag);

    var lf = document.createDocumentFragment();
    services.forEach(function (s) { lf.appendChild(legendRow(s)); });
    legendEl.replaceChildren(lf);

    var tasks = un.length, down = 0;
    nodes.forEach(function (n) { tasks += (n.tasks || []).length; if (n.down) down++; });
    summaryEl.textContent = plural(nodes.length, "node") + (down ? " (" + down + " down)" : "") +
      " \u00b7 " + plural(tasks, "task") + " \u00b7 " + plural(services.length, "service");
    applyFilter();
  }

  function update(m) {
    var t = fmtTime(m.time);
    if (m.error) {
      bannerEl.textContent = "Cannot read the swarm: " + m.error + (model ? "\nShowing the last state read." : "");
      bannerEl.hidden = false;
      nodesEl.classList.add("stale");
      if (!model) render(m);
      updatedEl.textContent = t ? "last attempt " + t : "";
      return;
    }
    bannerEl.hidden = true;
    nodesEl.classList.remove("stale");
    model = m;
    render(m);
    nodesEl.dataset.time = m.time; // when the server read this state (for tests)
    updatedEl.textContent = t ? "updated " + t : "";
  }

  function onData(text) {
    // Compare without the time: polling must not re-render an unchanged state.
    var m = JSON.parse(text);
    var key = JSON.stringify([m.error, m.nodes, m.unassigned, m.services]);
    if (key === lastJSON) {
      var t = fmtTime(m.time);
      if (t && !m.error) updatedEl.textContent = "updated " + t;
      return;
    }
    lastJSON = key;
    update(m);
  }

  // ---- filter ---------------------------------------------------------------

  function applyFilter() {
    var f = filter.toLowerCase();
    var cards = nodesEl.querySelectorAll(".task");
    for (var i = 0; i < cards.length; i++) {
      var c = cards[i];
      c.hidden = !!f && c.dataset.service.toLowerCase().indexOf(f) < 0 && c.dataset.image.toLowerCase().indexOf(f) < 0;
    }
    var cols = nodesEl.querySelectorAll(".node");
    for (var j = 0; j < cols.length; j++) {
      var all = cols[j].querySelectorAll(".task").length;
      var shown = cols[j].querySelectorAll(".task:not([hidden])").length;
      cols[j].classList.toggle("filtered-out", all > 0 && shown === 0);
    }
    var legs = legendEl.querySelectorAll(".leg");
    for (var k = 0; k < legs.length; k++) {
      var l = legs[k];
      l.classList.toggle("dim", !!f && l.dataset.legend.toLowerCase().indexOf(f) < 0 && l.dataset.image.toLowerCase().indexOf(f) < 0);
    }
  }

  function setFilter(v, push) {
    filter = v.trim();
    applyFilter();
    if (!push) return;
    var u = new URL(window.location.href);
    if (filter) u.searchParams.set("filter", filter);
    else u.searchParams.delete("filter");
    history.replaceState(null, "", u.pathname + u.search + u.hash);
  }

  var initial = new URLSearchParams(window.location.search).get("filter") || "";
  filterEl.value = initial;
  setFilter(initial, false);
  filterEl.addEventListener("input", function () { setFilter(filterEl.value, true); });

  // ---- live updates: EventSource, else polling -------------------------------

  var es = null, pollTimer = null, gotEvent = false;

  function setConn(s, title) {
    connEl.dataset.conn = s;
    connEl.textContent = s;
    connEl.title = title || s;
  }

  function poll() {
    fetch("api/state", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (text) {
        if (pollTimer) setConn("polling", "polling api/state every second");
        onData(text);
      })
      .catch(function () { setConn("offline", "the visualizer server does not answer"); });
  }

  function startPolling() {
    if (pollTimer) return;
    poll();
    pollTimer = setInterval(poll, 1000);
  }

  function stopPolling() {
    if (!pollTimer) return;
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    es = new EventSource("events");
    es.addEventListener("state", function (ev) {
      gotEvent = true;
      stopPolling();
      setConn("live", "live updates from the server");
      onData(ev.data);
    });
    es.onerror = function () {
      // The browser reconnects by itself (retry: 1 s); poll meanwhile, and
      // start over if it gave up.
      startPolling();
      if (es.readyState === EventSource.CLOSED) {
        es = null;
        setTimeout(connect, 5000);
      }
    };
  }

  // ?transport=poll or ?transport=sse forces one; every browser streams by
  // default, and a page that gets no event falls back to polling.
  var transport = new URLSearchParams(window.location.search).get("transport") || "sse";
  if (transport === "poll") {
    startPolling();
  } else {
    connect();
    // A proxy that buffers the stream: fall back to polling.
    setTimeout(function () { if (!gotEvent) startPolling(); }, 2500);
  }
})();
