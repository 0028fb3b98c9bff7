// The date slider and play/pause. The rightmost position means "all dates" (no `as_of`).
const $ = (id) => document.getElementById(id);
const STEP_MS = 1200;

/** `onDate(year or null)` is called when the user (or playback) moves the slider. */
export function createTimebar({ onDate }) {
  const slider = $("date");
  const label = $("date-label");
  const play = $("play");
  let timer = null;
  let debounce = null;

  const all = () => Number(slider.value) === Number(slider.max);
  const current = () => (all() ? null : Number(slider.value));

  function show() {
    label.textContent = all() ? "all dates" : slider.value;
    slider.setAttribute("aria-valuetext", label.textContent);
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  }

  function step() {
    if (Number(slider.value) >= Number(slider.max) - 1) stop();
    slider.value = String(Number(slider.value) + 1);
    show();
    onDate(current());
  }

  slider.addEventListener("input", () => {
    show();
    clearTimeout(debounce);
    debounce = setTimeout(() => onDate(current()), 150);
  });
  play.addEventListener("click", () => {
    if (timer) return stop();
    if (all()) slider.value = slider.min;
    else slider.value = String(Number(slider.value) - 1);
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
    step();
    timer = setInterval(step, STEP_MS);
  });

  return {
    /** Spans the years of the relations drawn, up to this year; keeps the chosen date. */
    fitTo(relations) {
      const chosen = current();
      const years = relations.map((r) => Number(String(r.start).slice(0, 4))).filter(Number.isFinite);
      const thisYear = new Date().getFullYear();
      const first = Math.min(thisYear, chosen ?? thisYear, ...years);
      slider.min = String(first);
      slider.max = String(thisYear + 1);
      slider.value = String(chosen ?? thisYear + 1);
      show();
    },
    set(year) {
      slider.max = String(Math.max(Number(slider.max), year + 1));
      slider.min = String(Math.min(Number(slider.min), year));
      slider.value = String(year);
      show();
    },
  };
}
