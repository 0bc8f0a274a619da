// htmx leaves the page as it is when a request fails (an error answer, or none at all), so a click or a keystroke
// would seem to do nothing. Say what happened instead, in the page's language: the error page's own title and
// message (a suspended reseller, too many attempts, an error on the server), or the region's text when the server
// could not be reached. The next request, or a click on the message, clears it.
{
  const region = document.getElementById("request-failed");
  if (region) {
    const show = (title, message) => {
      const heading = document.createElement("strong");
      heading.textContent = title;
      region.replaceChildren(heading, message ? document.createElement("br") : "", message || "");
      region.hidden = false;
    };
    document.addEventListener("htmx:beforeRequest", () => { region.hidden = true; });
    document.addEventListener("htmx:responseError", (event) => {
      const page = new DOMParser().parseFromString(event.detail.xhr.responseText, "text/html");
      const [title, message] = [".error-page h1", ".error-page h1 + p"].map(
        (part) => page.querySelector(part)?.textContent.trim());
      if (title) show(title, message);
      else show(region.dataset.failed);
    });
    for (const name of ["htmx:sendError", "htmx:timeout"]) {
      document.addEventListener(name, () => show(region.dataset.unreachable));
    }
    region.addEventListener("click", () => { region.hidden = true; });
  }
}
