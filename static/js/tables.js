// A table wider than its card scrolls inside it (.table-scroll). So that a keyboard can scroll it too, such a card
// takes the focus (arrow keys then scroll it) and is announced as a region named by the page's heading; a table
// that fits takes no tab stop. Checked again when the window changes size and after htmx swaps a table in.
{
  const mark = () => {
    const name = document.querySelector("h1")?.textContent.trim();
    for (const card of document.querySelectorAll(".table-scroll")) {
      if (card.scrollWidth > card.clientWidth) {
        card.tabIndex = 0;
        card.setAttribute("role", "region");
        if (name) card.setAttribute("aria-label", name);
      } else if (card.hasAttribute("tabindex")) {
        card.removeAttribute("tabindex");
        card.removeAttribute("role");
        card.removeAttribute("aria-label");
      }
    }
  };
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
}
