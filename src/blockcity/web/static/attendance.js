// Attendance pages: the worksite display that fetches its next QR code when the current one's
// 30 seconds end, and the phone's clock-in and clock-out, posted with the phone's own time and,
// when the phone is offline, kept in localStorage until it is back online. A worker who opts in
// on the scan page also sends the phone's position read at the scan; a position that cannot be
// read never holds up or fails the scan. Without this script the display still shows the code
// and the scan form posts with the server's time (and no location).
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
    if (scan.place && typeof scan.place === "object") {
      body.set("latitude", String(scan.place.latitude));
      body.set("longitude", String(scan.place.longitude));
      body.set("accuracy", String(scan.place.accuracy));
    }
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

  // What became of the location: read and kept, read but not kept (recording was turned off
  // before the scan reached the server), or not readable on the phone.
  function placeText(answer, scan) {
    if (scan.place === UNAVAILABLE) {
      return " · " + texts.unavailable;
    }
    if (scan.place && typeof scan.place === "object") {
      if (answer.location_recorded) {
        return " · " + texts.recorded.replace("{m}", String(Math.ceil(scan.place.accuracy)));
      }
      return " · " + texts.notKept;
    }
    return "";
  }

  function report(answer, scan) {
    if (answer.ok) {
      const late = answer.late ? " (" + answer.late_text + ")" : "";
      say(
        "✓ " + answer.message + " · " + texts.serverTime + " " + answer.server_time + late +
          placeText(answer, scan),
        "ok"
      );
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
        report(answer, scan);
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

  // The location choice, per worker and worksite. The consent register on the server decides
  // (a withdrawal on another phone, or a consent that ran out, wins over this phone); this phone
  // remembers that its worker turned it on here, so a second phone of the same worker reads no
  // position until it is turned on there too.
  const UNAVAILABLE = "unavailable";
  const LOCATION_TIMEOUT_MS = 8000;
  const LOCATION_MAX_AGE_MS = 60000;
  // The browser's own timeout starts only once permission is given; this one also bounds a
  // permission prompt nobody answers, so a scan never waits more than about ten seconds.
  const LOCATION_GUARD_MS = LOCATION_TIMEOUT_MS + 2000;
  const choice = document.getElementById("location-choice");
  let locationOn = false;

  function locationKey() {
    return "blockcity.attendance.location." + choice.dataset.worksite;
  }

  function remember(on) {
    if (on) {
      localStorage.setItem(locationKey(), "on");
    } else {
      localStorage.removeItem(locationKey());
    }
  }

  function showChoice(text) {
    document.getElementById("location-state").textContent =
      text || (locationOn ? choice.dataset.on : choice.dataset.off);
    document.getElementById("location-allow").hidden = locationOn;
    document.getElementById("location-withdraw").hidden = !locationOn;
  }

  function setChoice(on) {
    if (!on) {
      // Withdrawing stops this phone reading its position at once, whatever the network says.
      locationOn = false;
      remember(false);
    }
    const body = new URLSearchParams({
      csrf: texts.csrf,
      worksite: choice.dataset.worksite,
      choice: on ? "on" : "off",
    });
    fetch(choice.dataset.endpoint, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (!answer.ok) {
          showChoice(answer.message);
          return;
        }
        locationOn = answer.on;
        remember(locationOn);
        showChoice();
      })
      .catch(function () {
        showChoice(choice.dataset.failed);
        if (!on) {
          // Not yet withdrawn on the server: keep the button to try again.
          document.getElementById("location-withdraw").hidden = false;
        }
      });
  }

  if (choice) {
    locationOn = choice.dataset.consent === "1" && localStorage.getItem(locationKey()) === "on";
    if (choice.dataset.consent !== "1") {
      remember(false);
    }
    showChoice();
    choice.hidden = false;
    document.getElementById("location-allow").addEventListener("click", function () {
      setChoice(true);
    });
    document.getElementById("location-withdraw").addEventListener("click", function () {
      setChoice(false);
    });
  }

  // Resolves, never rejects: null when the worker did not opt in, UNAVAILABLE when the phone
  // could not or would not tell its position in time, else the position read now.
  function readPlace() {
    return new Promise(function (resolve) {
      if (!locationOn) {
        resolve(null);
        return;
      }
      if (!navigator.geolocation) {
        resolve(UNAVAILABLE);
        return;
      }
      let settled = false;
      const guard = setTimeout(function () {
        finish(UNAVAILABLE);
      }, LOCATION_GUARD_MS);
      function finish(place) {
        if (!settled) {
          settled = true;
          clearTimeout(guard);
          resolve(place);
        }
      }
      say(texts.locating, "warn");
      navigator.geolocation.getCurrentPosition(
        function (position) {
          finish({
            latitude: position.coords.latitude,
            longitude: position.coords.longitude,
            accuracy: position.coords.accuracy,
          });
        },
        function () {
          finish(UNAVAILABLE);
        },
        // Network positioning answers in a second or two indoors; the policy rounds to about
        // 100 m, so the slower GPS fix would add nothing.
        { enableHighAccuracy: false, timeout: LOCATION_TIMEOUT_MS, maximumAge: LOCATION_MAX_AGE_MS }
      );
    });
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
        // The time of the tap, not of the position read after it.
        deviceAt: Date.now(),
        place: null,
      };
      const buttons = form.querySelectorAll("button");
      buttons.forEach(function (button) {
        button.disabled = true;
      });
      readPlace().then(function (place) {
        buttons.forEach(function (button) {
          button.disabled = false;
        });
        scan.place = place;
        if (!navigator.onLine) {
          enqueue(scan);
          return;
        }
        post(scan)
          .then(function (answer) {
            report(answer, scan);
          })
          .catch(function () {
            enqueue(scan);
          });
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
