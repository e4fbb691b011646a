// The kiosk: a keypad, email sign-in and a keyboard-wedge card reader, all
// sent to the public check-in endpoint with toggle, so that a member checks
// in on arrival and out on leaving.
const main = document.querySelector("main.kiosk");
const resetAfter = Number(main.dataset.resetSeconds || 10) * 1000;
const pinForm = document.getElementById("pin-form");
const pincode = document.getElementById("pincode");
const emailForm = document.getElementById("email-form");
const emailToggle = document.getElementById("email-toggle");
const statusBox = document.getElementById("status");
const alertBox = document.getElementById("alert");
let idle = null;
let busy = false;

// Plain sentences for each refusal code of the endpoint.
function sentence(code, message, retryAfter, method) {
  switch (code) {
    case "INVALID_CREDENTIALS":
      return method === "email"
        ? "That email and password do not match. Please try again."
        : "That pincode is not right. Please try again.";
    case "INVALID_CARD_NUMBER":
      return "This card is not known here. Please ask at the front desk.";
    case "NO_ACCESS_TO_SPACE": {
      const reason = (message || "").split(": ").slice(1).join(": ").replace(/\.$/, "");
      return reason ? "You cannot check in: " + reason + ". Please ask at the front desk." : "You cannot check in here. Please ask at the front desk.";
    }
    case "MISSING_CUSTOMER":
      return "This account has no membership here. Please ask at the front desk.";
    case "TOO_MANY_ATTEMPTS": {
      const s = Number(retryAfter) || 1;
      return "Too many failed attempts. Please wait " + s + (s === 1 ? " second" : " seconds") + " and try again.";
    }
    case "INVALID_REQUEST_DATA":
      return method === "email" ? "Please enter your email and password." : "Please enter your pincode first.";
    default:
      return "Check-in is not available right now. Please try again in a moment.";
  }
}

function show(box, text) {
  statusBox.textContent = "";
  alertBox.textContent = "";
  box.textContent = text;
  armReset();
}

function armReset() {
  clearTimeout(idle);
  idle = setTimeout(reset, resetAfter);
}

// reset returns to an empty keypad.
function reset() {
  statusBox.textContent = "";
  alertBox.textContent = "";
  pincode.value = "";
  emailForm.reset();
  showEmail(false);
  pincode.focus();
}

async function send(body, method) {
  if (busy) return;
  busy = true;
  body.toggle = true;
  try {
    const answer = await fetch("/api/public/checkin", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    let result = {};
    try { result = await answer.json(); } catch (_) { /* not JSON: said below */ }
    if (answer.ok && result.wasSuccessful) {
      const v = result.value || {};
      const name = v.fullName || "Welcome";
      show(statusBox, name + ": " + (v.checkedIn === false ? "Checked out" : "Checked in"));
    } else {
      const code = result.errors && result.errors[0] ? result.errors[0].message : "";
      show(alertBox, sentence(code, result.message, answer.headers.get("Retry-After"), method));
    }
  } catch (_) {
    show(alertBox, sentence("", "", null, method));
  } finally {
    busy = false;
    pincode.value = "";
    emailForm.elements.password.value = "";
  }
}

function showEmail(on) {
  emailForm.hidden = !on;
  pinForm.hidden = on;
  emailToggle.hidden = on;
  emailToggle.setAttribute("aria-expanded", String(on));
  if (on) emailForm.elements.email.focus();
}

pinForm.addEventListener("click", (e) => {
  const key = e.target.closest("button[data-key]");
  if (!key) return;
  armReset();
  if (key.dataset.key === "clear") pincode.value = "";
  else if (pincode.value.length < 16) pincode.value += key.dataset.key;
});

pincode.addEventListener("input", () => {
  pincode.value = pincode.value.replace(/\D/g, "").slice(0, 16);
  armReset();
});

pinForm.addEventListener("submit", (e) => {
  e.preventDefault();
  send({ pincode: pincode.value }, "pincode");
});

emailForm.addEventListener("submit", (e) => {
  e.preventDefault();
  send({ email: emailForm.elements.email.value, password: emailForm.elements.password.value }, "email");
});

emailToggle.addEventListener("click", () => { showEmail(true); armReset(); });
document.getElementById("keypad-toggle").addEventListener("click", () => { showEmail(false); armReset(); });

// A keyboard-wedge card reader types a burst of characters then Enter,
// faster than a person: keys less than 40 ms apart. Such a burst is a card,
// and what it typed into a field is taken back out.
const burst = { keys: "", last: 0, field: null, before: "" };
document.addEventListener("keydown", (e) => {
  const now = performance.now();
  if (now - burst.last > 40) {
    burst.keys = "";
    burst.field = e.target instanceof HTMLInputElement ? e.target : null;
    burst.before = burst.field ? burst.field.value : "";
  }
  burst.last = now;
  if (e.key === "Enter") {
    if (burst.keys.length >= 4) {
      e.preventDefault();
      const card = burst.keys;
      if (burst.field) burst.field.value = burst.before;
      burst.keys = "";
      send({ accessCardId: card }, "card");
    }
    burst.keys = "";
    return;
  }
  if (e.key.length === 1) burst.keys += e.key;
  armReset();
}, true);

pincode.focus();
