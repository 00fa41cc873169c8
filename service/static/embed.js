/**
 * The /embed page: keeps the snippet and the live preview in step with the options form,
 * and copies the snippet. Without JavaScript the form still works (it reloads the page).
 */

const ATTRIBUTES = ["portal", "theme", "lang"];
const form = document.getElementById("embed-form");
const snippet = document.getElementById("snippet");
const preview = document.getElementById("preview");
const copyButton = document.getElementById("copy-snippet");
const copyStatus = document.getElementById("copy-status");

/** The chosen attributes, in a stable order, empty ones left out. */
function chosenAttributes() {
  const data = new FormData(form);
  return ATTRIBUTES.map((name) => [name, String(data.get(name) || "")]).filter(([, value]) => value);
}

/** A value safe inside a double-quoted HTML attribute. */
function escapeAttribute(value) {
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The HTML to paste, as text (shown with textContent, never parsed). */
function snippetText(attributes) {
  const attrs = attributes.map(([name, value]) => ` ${name}="${escapeAttribute(value)}"`).join("");
  const src = escapeAttribute(snippet.dataset.scriptSrc);
  return `<script src="${src}" type="module"></script>\n<fedcat-search${attrs}></fedcat-search>`;
}

/** Apply the form to the preview element, the snippet and the address bar. */
function update() {
  const attributes = chosenAttributes();
  const chosen = new Map(attributes);
  for (const name of ATTRIBUTES) {
    if (chosen.has(name)) preview.setAttribute(name, chosen.get(name));
    else preview.removeAttribute(name);
  }
  snippet.textContent = snippetText(attributes);
  const query = new URLSearchParams(attributes).toString();
  history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  copyStatus.textContent = "";
}

/** Copy the snippet to the clipboard and say so. */
async function copySnippet() {
  try {
    await navigator.clipboard.writeText(snippet.textContent);
    copyStatus.textContent = "Code copié.";
  } catch {
    window.getSelection().selectAllChildren(snippet);
    copyStatus.textContent = "Code sélectionné : copiez-le avec Ctrl+C.";
  }
}

form.addEventListener("change", update);
form.addEventListener("submit", (event) => {
  event.preventDefault();
  update();
});
form.querySelector("[data-apply]").hidden = true;
copyButton.hidden = false;
copyButton.addEventListener("click", copySnippet);
