// sekisho dashboard: the pages work without this; it only saves a click and a reload.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a choice changes.
  for (const el of document.querySelectorAll("[data-autosubmit]")) {
    el.addEventListener("change", () => el.form && el.form.submit());
  }
  // A running scan: poll its progress, reload when it ends to show the result.
  const state = document.getElementById("job-state");
  if (state && ["queued", "running"].includes(state.dataset.state)) {
    const bar = document.getElementById("job-progress");
    const pct = document.getElementById("job-percent");
    const tick = async () => {
      try {
        const res = await fetch(`/scans/jobs/${state.dataset.job}.json`, { headers: { Accept: "application/json" } });
        const job = await res.json();
        bar.value = job.percent;
        pct.textContent = `${job.percent}%`;
        if (job.state === "done" || job.state === "failed") {
          window.location.reload();
          return;
        }
      } catch (e) {
        // the server may be busy: try again
      }
      setTimeout(tick, 400);
    };
    setTimeout(tick, 200);
  }
});
