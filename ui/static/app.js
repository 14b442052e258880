// A click on a citation scrolls to its source card (opening an earlier answer's fold).
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  const fold = card.closest("details");
  if (fold) fold.open = true;
  card.scrollIntoView({ behavior: "smooth", block: "nearest" });
  card.classList.remove("flash");
  void card.offsetWidth;
  card.classList.add("flash");
  setTimeout(() => card.classList.remove("flash"), 1600);
}, true);

// Hovering a citation chip previews its source card next to it.
(() => {
  let tip = null;
  let shownFor = null;
  const hide = () => { if (tip) tip.style.display = "none"; shownFor = null; };
  document.addEventListener("mouseover", (event) => {
    const chip = event.target.closest && event.target.closest('#chat a[href^="#src-"]');
    if (!chip) return;
    const card = document.getElementById(chip.getAttribute("href").slice(1));
    if (!card) return;
    if (!tip) {
      tip = document.createElement("div");
      tip.id = "src-preview";
      tip.setAttribute("role", "tooltip");
      document.body.appendChild(tip);
    }
    const title = card.querySelector(".src-title");
    const meta = card.querySelector(".src-meta");
    const quote = card.querySelector("mark.quote") || card.querySelector(".src-text");
    tip.replaceChildren();
    for (const part of [title, meta, quote]) {
      if (!part) continue;
      const copy = document.createElement("div");
      copy.className = "pv-" + (part === quote ? "quote" : part.className.replace("src-", ""));
      copy.textContent = part.textContent.slice(0, 400);
      tip.appendChild(copy);
    }
    shownFor = chip;
    const box = chip.getBoundingClientRect();
    tip.style.display = "block";
    const width = Math.min(420, window.innerWidth - 16);
    tip.style.width = width + "px";
    tip.style.left = Math.max(8, Math.min(box.left, window.innerWidth - width - 8)) + "px";
    const below = box.bottom + 6;
    const height = tip.offsetHeight;
    tip.style.top = (below + height > window.innerHeight ? box.top - height - 6 : below) + "px";
  });
  document.addEventListener("mouseout", (event) => {
    const chip = event.target.closest && event.target.closest('#chat a[href^="#src-"]');
    if (chip && !chip.contains(event.relatedTarget)) hide();
  });
  // A scroll moves the chip away from its preview, unless the pointer is still on it.
  document.addEventListener("scroll", () => {
    if (shownFor && !shownFor.matches(":hover")) hide();
  }, true);
})();

// The stage line under the chat counts the seconds of the answer under way.
setInterval(() => {
  for (const stage of document.querySelectorAll("#stage [data-started]")) {
    const seconds = (Date.now() - Number(stage.dataset.started)) / 1000;
    const shown = stage.querySelector(".elapsed");
    if (shown) shown.textContent = Math.max(0, Math.round(seconds)) + " s";
  }
}, 500);
