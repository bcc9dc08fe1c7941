// swarmgen visualizer: renders /events (or /api/state) into columns of
// nodes with a card per task. Plain JS, no framework, no build step.
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var nodesEl = $("nodes"), legendEl = $("legend"), bannerEl = $("banner");
  var filterEl = $("filter"), connEl = $("conn"), summaryEl = $("summary"), updatedEl = $("updated");
  var groupEl = $("group");
  var timelineEl = $("timeline"), timelineCountEl = $("timeline-count");

  var model = null;     // last model rendered with nodes
  var lastJSON = "";    // to skip identical updates (polling)
  var filter = "";
  var group = "auto";   // auto, none, role, or label:KEY
  var summaryText = "";
  // past this many nodes, "auto" groups them by role
  var GROUP_AUTO_NODES = 20;

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
    // cut off: a network fault of swarmgen's, or unreachable for the leader
    if (n.reachability === "unreachable") {
      var ur = el("span", "badge cutoff", "unreachable");
      ur.title = "the leader cannot reach this manager (raft)";
      meta.appendChild(ur);
      sec.dataset.cutoff = "unreachable";
    }
    if (n.fault) {
      var cut = n.fault.indexOf("cut off") === 0;
      var fb = el("span", "badge " + (cut ? "cutoff" : "slow"), cut ? "cut off" : "slow link");
      fb.title = "network fault: " + n.fault;
      meta.appendChild(fb);
      if (cut) sec.dataset.cutoff = "fault";
      sec.dataset.fault = n.fault;
    }
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
    // a click shows this service alone (its nodes, its tasks); again: all
    li.addEventListener("click", function () {
      var v = filter === "service:" + s.name ? "" : "service:" + s.name;
      filterEl.value = v;
      setFilter(v, true);
    });
    return li;
  }

  // ---- groups ---------------------------------------------------------------

  // groupKey is what a node is grouped by: its role, or a label's value.
  function groupKey(n, by) {
    if (by === "role") return n.role;
    var key = by.slice("label:".length) + "=";
    var labels = n.labels || [];
    for (var i = 0; i < labels.length; i++) {
      if (labels[i].indexOf(key) === 0) return labels[i];
    }
    return "no " + key.slice(0, -1);
  }

  // groupBy is the grouping in use: "auto" is by role past
  // GROUP_AUTO_NODES nodes, none below.
  function groupBy(nodes) {
    if (group === "auto") return nodes.length > GROUP_AUTO_NODES ? "role" : "none";
    return group;
  }

  // groupOptions offers a grouping per label key the nodes have.
  function groupOptions(nodes) {
    var keys = {}, list = [];
    nodes.forEach(function (n) {
      (n.labels || []).forEach(function (l) {
        var k = l.split("=")[0];
        if (!keys[k]) { keys[k] = true; list.push(k); }
      });
    });
    list.sort();
    var want = ["auto", "none", "role"].concat(list.map(function (k) { return "label:" + k; }));
    if (group.indexOf("label:") === 0 && want.indexOf(group) < 0) want.push(group);
    var have = Array.prototype.map.call(groupEl.options, function (o) { return o.value; });
    if (have.join("\n") === want.join("\n")) return;
    var frag = document.createDocumentFragment();
    want.forEach(function (v) {
      var text = v === "auto" ? "group: auto" : v === "none" ? "no groups" : v === "role" ? "by role" : "by " + v.slice(6);
      var o = el("option", "", text);
      o.value = v;
      frag.appendChild(o);
    });
    groupEl.replaceChildren(frag);
    groupEl.value = group;
  }

  function render(m) {
    var nodes = m.nodes || [], services = m.services || [], un = m.unassigned || [];
    var frag = document.createDocumentFragment();
    var by = groupBy(nodes);
    groupOptions(nodes);
    nodesEl.classList.toggle("grouped", by !== "none");
    nodesEl.dataset.groupBy = by;
    if (by === "none") {
      nodes.forEach(function (n) { frag.appendChild(nodeColumn(n)); });
    } else {
      // groups in the order their first node comes (managers first)
      var groups = [], byKey = {};
      nodes.forEach(function (n) {
        var k = groupKey(n, by);
        if (!byKey[k]) { byKey[k] = { key: k, nodes: [] }; groups.push(byKey[k]); }
        byKey[k].nodes.push(n);
      });
      groups.forEach(function (g) {
        var sec = el("section", "nodegroup");
        sec.dataset.group = g.key;
        var h = el("h2", "", g.key);
        h.appendChild(el("span", "gcount", plural(g.nodes.length, "node")));
        sec.appendChild(h);
        var grid = el("div", "grid");
        g.nodes.forEach(function (n) { grid.appendChild(nodeColumn(n)); });
        sec.appendChild(grid);
        frag.appendChild(sec);
      });
    }
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
      if (by === "none") frag.appendChild(sec);
      else {
        var ug = el("section", "nodegroup");
        ug.dataset.group = "";
        ug.appendChild(el("h2", "", "no node"));
        var ugrid = el("div", "grid");
        ugrid.appendChild(sec);
        ug.appendChild(ugrid);
        frag.appendChild(ug);
      }
    }
    if (!nodes.length && !un.length) frag.appendChild(el("div", "empty", "no nodes"));
    nodesEl.replaceChildren(frag);

    var lf = document.createDocumentFragment();
    services.forEach(function (s) { lf.appendChild(legendRow(s)); });
    legendEl.replaceChildren(lf);

    var tasks = un.length, down = 0;
    nodes.forEach(function (n) { tasks += (n.tasks || []).length; if (n.down) down++; });
    summaryText = plural(nodes.length, "node") + (down ? " (" + down + " down)" : "") +
      " \u00b7 " + plural(tasks, "task") + " \u00b7 " + plural(services.length, "service");
    summaryEl.textContent = summaryText;
    applyFilter();
  }

  // ---- timeline -------------------------------------------------------------

  // renderTimeline lists the server's events, newest first; events of the
  // last 30 s stand out.
  function renderTimeline(events) {
    events = events || [];
    var frag = document.createDocumentFragment(), now = Date.now();
    for (var i = events.length - 1; i >= 0; i--) {
      var e = events[i];
      var li = el("li", now - new Date(e.time).getTime() < 30000 ? "fresh" : "");
      li.dataset.kind = e.kind;
      if (e.nodes && e.nodes.length) li.dataset.nodes = e.nodes.join(" ");
      var at = el("span", "at", fmtTime(e.time));
      at.title = e.time;
      li.appendChild(at);
      li.appendChild(el("span", "tx", e.text));
      frag.appendChild(li);
    }
    if (!events.length) frag.appendChild(el("li", "none", "nothing yet"));
    timelineEl.replaceChildren(frag);
    timelineCountEl.textContent = events.length ? "(" + events.length + ")" : "";
  }

  function update(m) {
    var t = fmtTime(m.time);
    renderTimeline(m.timeline);
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
    var key = JSON.stringify([m.error, m.nodes, m.unassigned, m.services, m.timeline]);
    if (key === lastJSON) {
      var t = fmtTime(m.time);
      if (t && !m.error) updatedEl.textContent = "updated " + t;
      return;
    }
    lastJSON = key;
    update(m);
  }

  // ---- filter ---------------------------------------------------------------

  // applyFilter shows the tasks whose service or image has the filter's
  // text ("service:NAME": that service alone, as a click on the legend
  // sets it), and only the nodes that have one of them.
  function applyFilter() {
    var f = filter.toLowerCase(), exact = "";
    if (f.indexOf("service:") === 0) exact = filter.slice("service:".length);
    var match = function (service, image) {
      if (exact) return service === exact;
      return service.toLowerCase().indexOf(f) >= 0 || image.toLowerCase().indexOf(f) >= 0;
    };
    var cards = nodesEl.querySelectorAll(".task");
    for (var i = 0; i < cards.length; i++) {
      var c = cards[i];
      c.hidden = !!f && !match(c.dataset.service, c.dataset.image);
    }
    var cols = nodesEl.querySelectorAll(".node"), shownNodes = 0, allNodes = 0;
    for (var j = 0; j < cols.length; j++) {
      var out = !!f && cols[j].querySelectorAll(".task:not([hidden])").length === 0;
      cols[j].classList.toggle("filtered-out", out);
      if (cols[j].dataset.node !== undefined) {
        allNodes++;
        if (!out) shownNodes++;
      }
    }
    var groups = nodesEl.querySelectorAll(".nodegroup");
    for (var g = 0; g < groups.length; g++) {
      groups[g].hidden = groups[g].querySelectorAll(".node:not(.filtered-out)").length === 0;
    }
    var legs = legendEl.querySelectorAll(".leg");
    for (var k = 0; k < legs.length; k++) {
      var l = legs[k];
      l.classList.toggle("dim", !!f && !match(l.dataset.legend, l.dataset.image));
      l.classList.toggle("picked", !!exact && l.dataset.legend === exact);
    }
    summaryEl.textContent = summaryText + (f && allNodes ? " \u00b7 showing " + shownNodes + " of " + allNodes + " nodes" : "");
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

  // ?group=role|none|label:KEY picks the grouping (default auto)
  group = new URLSearchParams(window.location.search).get("group") || "auto";
  if (group !== "auto" && group !== "none" && group !== "role" && group.indexOf("label:") !== 0) group = "auto";
  groupOptions([]);
  groupEl.addEventListener("change", function () {
    group = groupEl.value;
    var u = new URL(window.location.href);
    if (group !== "auto") u.searchParams.set("group", group);
    else u.searchParams.delete("group");
    history.replaceState(null, "", u.pathname + u.search + u.hash);
    if (model) render(model);
  });

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
