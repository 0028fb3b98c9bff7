// The actor search: a combobox whose suggestions come from `/entities?q=` as the user types.
import { get } from "./api.js";

const SUGGESTIONS = 8;

/** Wires `input` and its `listbox`; `onPick(id)` gets the chosen entity's id. */
export function attachSearch(input, listbox, onPick) {
  let items = [];
  let active = -1;
  let asked = 0;
  let timer = null;

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    [...listbox.children].forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) input.setAttribute("aria-activedescendant", `suggestion-${index}`);
  }

  function pick(index) {
    const entity = items[index];
    if (!entity) return;
    input.value = entity.name;
    close();
    onPick(entity.id);
  }

  function render(entities, query) {
    items = entities;
    const options = entities.map((entity, index) => {
      const option = document.createElement("li");
      option.id = `suggestion-${index}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      const alias = entity.aliases.find((a) => a.toLowerCase().includes(query.toLowerCase()));
      option.textContent = `${entity.name} (${entity.kind})` + (alias && alias !== entity.name ? `: ${alias}` : "");
      option.dataset.id = entity.id;
      // mousedown, not click: the input's blur would close the list before a click lands.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        pick(index);
      });
      return option;
    });
    if (!options.length) {
      const none = document.createElement("li");
      none.textContent = "No actor by that name.";
      none.className = "none";
      options.push(none);
    }
    listbox.replaceChildren(...options);
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(entities.length ? 0 : -1);
  }

  async function suggest() {
    const query = input.value.trim();
    const ticket = ++asked;
    if (!query) {
      close();
      return;
    }
    const page = await get("/entities", { q: query, limit: SUGGESTIONS });
    if (ticket === asked) render(page.items, query);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => suggest().catch(close), 120);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length) {
      event.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (!listbox.hidden) pick(Math.max(active, 0));
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
}
