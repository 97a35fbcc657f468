// Live status tab: polls the campaign's status.json while it runs and updates the numbers.
(function () {
  var live = document.getElementById("live");
  if (!live || live.dataset.active !== "1") return;
  // the words come from the page, in the editor's language (campaign.html)
  var labels = {};
  try { labels = JSON.parse(live.dataset.statuses || "{}"); } catch (e) { labels = {}; }
  function label(status) { return labels[status] || status; }
  function refresh() {
    fetch(live.dataset.url, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        var announcer = document.getElementById("status-announcer");
        live.querySelectorAll("[data-stat]").forEach(function (el) {
          var key = el.dataset.stat, value = data[key];
          if (key === "queued") value = data.queued + data.sending;
          if (key === "last_sent_at" && value) value = value.replace("T", " ").slice(0, 19);
          if (value !== undefined && value !== null) el.textContent = value;
        });
        live.querySelector("progress").value = data.progress;
        var idle = document.getElementById("no-worker"), workers = data.workers;
        var idleNow = !workers || workers.alive !== 0;
        if (announcer && idle.hidden && !idleNow) {
          announcer.textContent = live.dataset.msgNoWorker;
        }
        idle.hidden = idleNow;
        idle.querySelector('[data-workers="seen"]').hidden = !(workers && workers.last_seen);
        if (workers && workers.last_seen) {
          idle.querySelector('[data-workers="last_seen"]').textContent =
            workers.last_seen.replace("T", " ").slice(0, 19);
        }
        var wait = document.getElementById("mail-server-wait"), server = data.mail_server;
        wait.hidden = !server;
        if (server) {
          wait.querySelector('[data-wait="since"]').textContent = server.since.slice(11, 16);
          wait.querySelector('[data-wait="reason"]').textContent = server.reason;
          wait.querySelector('[data-wait="next_probe_at"]').textContent =
            server.next_probe_at.slice(11, 19);
        }
        var badge = document.getElementById("campaign-status");
        if (announcer && badge.textContent !== label(data.status)) {
          announcer.textContent = live.dataset.msgStatus.replace("{status}", label(data.status));
        }
        badge.textContent = label(data.status);
        badge.className = "badge badge-" + data.status;
        // controls follow the status: no Pause or Cancel once it has finished
        document.querySelectorAll("[data-when]").forEach(function (control) {
          control.hidden = control.dataset.when.split(" ").indexOf(data.status) < 0;
        });
        if (data.status === "running" || data.status === "scheduled") setTimeout(refresh, 2000);
      });
  }
  setTimeout(refresh, 2000);
})();
