// The Now view follows the live stream: at each check-in or check-out it
// fetches the table again, without reloading the page.
const main = document.querySelector("main[data-stream]");
const target = document.getElementById("now");
let pending = null;

async function refresh() {
  pending = null;
  try {
    const answer = await fetch(main.dataset.rows, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (answer.redirected || !answer.ok) return; // signed out or refused: the next page load says why
    target.innerHTML = await answer.text();
  } catch (_) {
    // offline for a moment: the stream's next event tries again
  }
}

function changed() {
  if (pending === null) pending = setTimeout(refresh, 50);
}

const stream = new EventSource(main.dataset.stream);
for (const kind of ["CoworkerCheckin", "CoworkerCheckout"]) {
  stream.addEventListener(kind, changed);
}
stream.addEventListener("open", changed); // catch up after a reconnection
