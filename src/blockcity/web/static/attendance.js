// Attendance pages: the worksite display that fetches its next QR code when the current one's
// 30 seconds end, and the phone's clock-in and clock-out, posted with the phone's own time and,
// when the phone is offline, kept in localStorage until it is back online. Without this script
// the display still shows the code and the scan form posts with the server's time.
"use strict";

(function () {
  const display = document.getElementById("qr-display");
  if (display) {
    const seconds = document.getElementById("qr-seconds");
    const code = document.getElementById("qr-code");
    const link = document.getElementById("qr-url");
    let left = parseInt(display.dataset.secondsLeft, 10) || 1;

    function refresh() {
      fetch(display.dataset.json, { credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("status " + response.status);
          }
          return response.json();
        })
        .then(function (shown) {
          // The SVG is made by segno on our server from the scan URL; nothing else goes in.
          code.innerHTML = shown.svg;
          link.href = shown.url;
          link.textContent = shown.url;
          left = shown.seconds_left;
          seconds.textContent = String(left);
        })
        .catch(function () {
          left = 2;
        });
    }

    setInterval(function () {
      left -= 1;
      if (left <= 0) {
        refresh();
      } else {
        seconds.textContent = String(left);
      }
    }, 1000);
  }

  const queueBox = document.getElementById("attendance-queue");
  if (!queueBox) {
    return;
  }
  const KEY = "blockcity.attendance.queue";
  const status = document.getElementById("scan-status");
  const texts = queueBox.dataset;

  function load() {
    try {
      const stored = JSON.parse(localStorage.getItem(KEY) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  }

  function save(queue) {
    if (queue.length) {
      localStorage.setItem(KEY, JSON.stringify(queue));
    } else {
      localStorage.removeItem(KEY);
    }
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "verdict " + kind;
    status.hidden = false;
  }

  // Resolves to the server's JSON answer; rejects only when the server could not be reached
  // (or failed), which is when a scan stays queued.
  function post(scan) {
    const body = new URLSearchParams({
      csrf: texts.csrf,
      worksite: scan.worksite,
      window: scan.window,
      code: scan.code,
      contract: scan.contract,
      kind: scan.kind,
      device_at: String(scan.deviceAt),
    });
    return fetch(texts.endpoint, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (response.status >= 500 || response.status === 401) {
        throw new Error("status " + response.status);
      }
      return response.json();
    });
  }

  function report(answer) {
    if (answer.ok) {
      const late = answer.late ? " (" + answer.late_text + ")" : "";
      say("✓ " + answer.message + " · " + texts.serverTime + " " + answer.server_time + late, "ok");
    } else {
      say("✗ " + texts.refused + ": " + answer.message, "bad");
    }
  }

  let flushing = false;

  function flush() {
    const queue = load();
    if (flushing || !queue.length || !navigator.onLine) {
      return;
    }
    flushing = true;
    const scan = queue[0];
    post(scan)
      .then(function (answer) {
        // Sent, or refused for good (an expired or forged code): either way it leaves the queue.
        save(load().filter(function (item) {
          return item.id !== scan.id;
        }));
        report(answer);
        flushing = false;
        flush();
      })
      .catch(function () {
        flushing = false;
        say(texts.offline + " (" + texts.queued + " " + load().length + ")", "warn");
      });
  }

  function enqueue(scan) {
    const queue = load();
    queue.push(scan);
    save(queue);
    say(texts.offline + " (" + texts.queued + " " + queue.length + ")", "warn");
  }

  const form = document.getElementById("scan-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const chosen = form.querySelector('input[name="contract"]:checked') ||
        form.querySelector('input[type="hidden"][name="contract"]');
      const scan = {
        id: String(Date.now()) + "-" + Math.random().toString(36).slice(2),
        worksite: form.dataset.worksite,
        window: form.dataset.window,
        code: form.dataset.code,
        contract: chosen ? chosen.value : "",
        kind: event.submitter ? event.submitter.value : "in",
        deviceAt: Date.now(),
      };
      if (!navigator.onLine) {
        enqueue(scan);
        return;
      }
      post(scan).then(report).catch(function () {
        enqueue(scan);
      });
    });
  }

  window.addEventListener("online", flush);
  const pending = load().length;
  if (pending && !navigator.onLine) {
    say(texts.offline + " (" + texts.queued + " " + pending + ")", "warn");
  }
  flush();
})();
