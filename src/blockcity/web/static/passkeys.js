/* Passkeys in the browser for the sign-in, "My passkeys" and "Sign a document" pages: turns
   the server's WebAuthn options (base64url JSON) into navigator.credentials calls and the
   answers back into JSON, and posts them with the page's CSRF token in X-CSRF-Token.
   Loaded as a file because the pages' Content-Security-Policy allows no inline script. Each
   page's messages come from data-msg-* attributes, so they are in the reader's language. */
"use strict";

(() => {
  const toBase64url = (buffer) => {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (const byte of bytes) text += String.fromCharCode(byte);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const fromBase64url = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  };

  const descriptors = (list) => (list || []).map((item) => ({ ...item, id: fromBase64url(item.id) }));

  const creationOptions = (json) => ({
    ...json,
    challenge: fromBase64url(json.challenge),
    user: { ...json.user, id: fromBase64url(json.user.id) },
    excludeCredentials: descriptors(json.excludeCredentials),
  });

  const requestOptions = (json) => ({
    ...json,
    challenge: fromBase64url(json.challenge),
    allowCredentials: descriptors(json.allowCredentials),
  });

  /* PublicKeyCredential.toJSON() of WebAuthn Level 3, written out for browsers without it. */
  const credentialJSON = (credential) => {
    const answer = credential.response;
    const response = { clientDataJSON: toBase64url(answer.clientDataJSON) };
    if (answer.attestationObject) {
      response.attestationObject = toBase64url(answer.attestationObject);
      response.transports = answer.getTransports ? answer.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(answer.authenticatorData);
      response.signature = toBase64url(answer.signature);
      response.userHandle = answer.userHandle ? toBase64url(answer.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults(),
      response,
    };
  };

  const supported = () => Boolean(window.PublicKeyCredential && navigator.credentials);

  /* POST JSON; a refusal becomes an Error carrying the problem+json detail, code and status. */
  const call = async (url, body, context) => {
    const separator = url.includes("?") ? "&" : "?";
    const response = await fetch(`${url}${separator}lang=${encodeURIComponent(context.lang)}`, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": context.csrf,
      },
      body: JSON.stringify(body || {}),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (ignored) {
      data = null;
    }
    if (!response.ok) {
      const error = new Error((data && (data.detail || data.title)) || response.statusText);
      error.code = data && data.code;
      error.status = response.status;
      throw error;
    }
    return data;
  };

  const contextOf = (element) => ({
    csrf: element.dataset.csrf || "",
    lang: element.dataset.lang || document.documentElement.lang || "ko",
    msg: {
      touch: element.dataset.msgTouch || "",
      unsupported: element.dataset.msgUnsupported || "",
      cancelled: element.dataset.msgCancelled || "",
    },
    element,
  });

  const show = (status, text, kind) => {
    if (!status) return;
    status.textContent = text;
    status.classList.remove("ok", "bad");
    if (kind) status.classList.add(kind);
  };

  /* What went wrong, for a person: the browser's own refusal or the server's explanation. */
  const describe = (error, context) => {
    if (error && error.name === "NotAllowedError") return context.msg.cancelled;
    return (error && error.message) || String(error);
  };

  const getAssertion = async (url, body, context) => {
    const options = await call(`${url}/options`, body, context);
    const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
    return credentialJSON(credential);
  };

  /* /signin: sign in with a discoverable passkey. */
  const signIn = (button) => {
    const context = contextOf(button);
    const status = document.getElementById("passkey-signin-status");
    button.addEventListener("click", async () => {
      if (!supported()) {
        show(status, context.msg.unsupported, "bad");
        return;
      }
      button.disabled = true;
      show(status, context.msg.touch);
      try {
        const credential = await getAssertion("/signin/passkey", {}, context);
        const result = await call(
          "/signin/passkey",
          { credential, next: button.dataset.next || "/me" },
          context,
        );
        window.location.assign(result.redirect);
      } catch (error) {
        show(status, describe(error, context), "bad");
        button.disabled = false;
      }
    });
  };

  /* /me/passkeys: enrol a new passkey. */
  const enrol = (form) => {
    const context = contextOf(form);
    const status = document.getElementById("passkey-enrol-status");
    const name = document.getElementById("passkey-name");
    const submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!supported()) {
        show(status, context.msg.unsupported, "bad");
        return;
      }
      submit.disabled = true;
      show(status, context.msg.touch);
      try {
        const options = await call("/me/passkeys/options", {}, context);
        const credential = await navigator.credentials.create({
          publicKey: creationOptions(options),
        });
        const result = await call(
          "/me/passkeys",
          { credential: credentialJSON(credential), name: name.value },
          context,
        );
        window.location.assign(result.redirect);
      } catch (error) {
        show(status, describe(error, context), "bad");
        submit.disabled = false;
      }
    });
  };

  const hex = (buffer) =>
    Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");

  /* /sign: digest a document, sign it with a passkey or the custodial key, check a record. */
  const signPage = (app) => {
    const context = contextOf(app);
    const data = app.dataset;
    const byId = (id) => document.getElementById(id);
    const text = byId("document-text");
    const file = byId("document-file");
    const fileName = byId("document-file-name");
    const output = byId("digest");
    const emptyDigest = output.textContent;
    const status = byId("sign-status");
    const stepUp = byId("step-up");
    const buttons = [byId("sign-passkey"), byId("sign-custodial")].filter(Boolean);
    let digest = null;
    let latest = 0;

    const setDigest = (value) => {
      digest = value;
      output.textContent = value || emptyDigest;
      for (const button of buttons) button.disabled = !value;
    };

    const digestOf = async (bytes) => {
      latest += 1;
      const mine = latest;
      const value = hex(await crypto.subtle.digest("SHA-256", bytes));
      if (mine === latest) setDigest(value);
    };

    text.addEventListener("input", () => {
      file.value = "";
      fileName.textContent = "";
      if (text.value) digestOf(new TextEncoder().encode(text.value));
      else setDigest(null);
    });

    file.addEventListener("change", async () => {
      const chosen = file.files && file.files[0];
      if (!chosen) {
        fileName.textContent = "";
        setDigest(null);
        return;
      }
      text.value = "";
      fileName.textContent = data.msgFile
        .replace("{name}", chosen.name)
        .replace("{size}", chosen.size.toLocaleString());
      digestOf(await chosen.arrayBuffer());
    });

    const showResult = (result) => {
      const section = byId("result");
      section.hidden = false;
      byId("result-text").textContent = `${data.msgSigned} ${result.verified ? data.msgVerified : data.msgNotVerified}`;
      byId("result-json").textContent = JSON.stringify(result.record, null, 2);
      byId("result-download").href = result.download;
      show(status, "");
      byId("result-heading").focus();
    };

    const failed = (error) => show(status, describe(error, context), "bad");

    const signWithCustodialKey = async () => {
      try {
        showResult(await call("/sign/custodial", { sha256: digest }, context));
        stepUp.hidden = true;
      } catch (error) {
        if (error.code === "step-up-required") {
          stepUp.hidden = false;
          show(status, error.message, "bad");
          byId("step-up-heading").focus();
          return;
        }
        failed(error);
      }
    };

    const passkeyButton = byId("sign-passkey");
    if (passkeyButton) {
      passkeyButton.addEventListener("click", async () => {
        if (!digest) {
          show(status, data.msgNoDocument, "bad");
          return;
        }
        if (!supported()) {
          show(status, context.msg.unsupported, "bad");
          return;
        }
        show(status, context.msg.touch);
        try {
          const credential = await getAssertion("/sign/passkey", { sha256: digest }, context);
          showResult(await call("/sign/passkey", { credential }, context));
        } catch (error) {
          failed(error);
        }
      });
    }

    byId("sign-custodial").addEventListener("click", () => {
      if (!digest) {
        show(status, data.msgNoDocument, "bad");
        return;
      }
      signWithCustodialKey();
    });

    const pinButton = byId("step-up-with-pin");
    if (pinButton) {
      pinButton.addEventListener("click", async () => {
        const pin = byId("step-up-pin");
        try {
          await call("/me/step-up/pin", { pin: pin.value }, context);
          pin.value = "";
          show(status, data.msgConfirmed, "ok");
          await signWithCustodialKey();
        } catch (error) {
          failed(error);
        }
      });
    }

    const stepUpPasskey = byId("step-up-with-passkey");
    if (stepUpPasskey) {
      stepUpPasskey.addEventListener("click", async () => {
        show(status, context.msg.touch);
        try {
          const credential = await getAssertion("/me/step-up/passkey", {}, context);
          await call("/me/step-up/passkey", { credential }, context);
          show(status, data.msgConfirmed, "ok");
          await signWithCustodialKey();
        } catch (error) {
          failed(error);
        }
      });
    }

    const verifyStatus = byId("verify-status");
    byId("verify-button").addEventListener("click", async () => {
      if (!digest) {
        show(verifyStatus, data.msgNoDocument, "bad");
        return;
      }
      let record;
      try {
        record = JSON.parse(byId("verify-record").value);
      } catch (error) {
        show(verifyStatus, `${data.msgNotVerified} ${error.message}`, "bad");
        return;
      }
      try {
        const result = await call("/api/v1/signatures/verify", { record, sha256: digest }, context);
        if (result.verified) show(verifyStatus, data.msgVerified, "ok");
        else show(verifyStatus, `${data.msgNotVerified} ${result.reason}`, "bad");
      } catch (error) {
        show(verifyStatus, `${data.msgNotVerified} ${describe(error, context)}`, "bad");
      }
    });
  };

  const start = () => {
    const signInButton = document.getElementById("passkey-signin");
    if (signInButton) signIn(signInButton);
    const enrolForm = document.getElementById("passkey-enrol");
    if (enrolForm) enrol(enrolForm);
    const app = document.getElementById("sign-app");
    if (app) signPage(app);
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
