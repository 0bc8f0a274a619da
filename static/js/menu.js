// Below 760 px the side menu is one row that scrolls sideways: show the current page's entry, centred, rather
// than leaving it hidden past the edge. Only the menu scrolls, never the page. Loaded deferred: the DOM is there.
{
  const current = document.querySelector(".side-menu [aria-current='page']");
  const menu = current && current.closest(".side-menu");
  if (menu && menu.scrollWidth > menu.clientWidth) {
    const offset = current.getBoundingClientRect().left - menu.getBoundingClientRect().left;
    menu.scrollLeft += offset - (menu.clientWidth - current.offsetWidth) / 2;
  }
}
