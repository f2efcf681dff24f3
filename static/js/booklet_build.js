// The booklet build page: polls the build's status and updates the progress bar in place;
// once the booklet is ready, shows the download button and starts the download.
(function () {
  "use strict";
  const page = document.querySelector(".booklet-build");
  if (!page) return;
  const url = page.dataset.statusUrl;
  const field = (name) => page.querySelector(`[data-field="${name}"]`);
  const show = (selector, visible) => { page.querySelector(selector).hidden = !visible; };
  let delay = 1000;

  function paint(status) {
    field("message").textContent = status.message;
    field("done").textContent = status.done;
    field("total").textContent = status.total;
    const bar = page.querySelector("progress");
    bar.value = status.percent;
    bar.textContent = `${status.percent}%`;
    field("error").textContent = status.error || "";
    field("detail").textContent = status.detail || "";
    field("detail").parentElement.hidden = !status.detail;
    show(".booklet-progress", status.status !== "failed");
    show(".booklet-failed", status.status === "failed");
    show(".booklet-ready", status.status === "succeeded");
    if (status.download) field("download").href = status.download;
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.status === 404) { // logged out, or the address expired: say so and stop
        show(".booklet-gone", true);
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      const status = await response.json();
      paint(status);
      if (status.status === "succeeded") {
        window.location.assign(status.download);
        return;
      }
      if (status.status === "failed") return;
      delay = 1000;
    } catch (error) {
      delay = Math.min(delay * 2, 15000); // the server restarting: try again, less often
    }
    window.setTimeout(poll, delay);
  }

  if (!page.querySelector(".booklet-ready").hidden || !page.querySelector(".booklet-failed").hidden) return;
  window.setTimeout(poll, 500);
})();
