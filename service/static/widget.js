/**
 * <fedcat-search>: a search box over fedcat, for any web page.
 *
 *   <script src="https://HOST/widget.js" type="module"></script>
 *   <fedcat-search lang="fr" portal="paris"></fedcat-search>
 *
 * Attributes
 *   api          base URL of fedcat (default: where this script was loaded from)
 *   portal       only search these portals (comma-separated ids); hides the portal facet
 *   theme        only search these themes (comma-separated labels); hides the theme facet
 *   page-size    results per page (1-100, default 10)
 *   lang         "fr" (default) or "en"
 *   placeholder  placeholder text of the search input
 *
 * Theming: CSS custom properties set on the element or any ancestor:
 *   --fedcat-accent, --fedcat-font, --fedcat-radius, --fedcat-bg, --fedcat-fg,
 *   --fedcat-muted, --fedcat-border, --fedcat-mark
 * and the parts form, input, button, facets, results, result, title, pager.
 *
 * Plain ES module, no framework, no build step. API data only ever reaches
 * the page as text nodes (never as markup).
 */

const SCRIPT_BASE = new URL("./", import.meta.url);
const FACETS = ["portal", "theme", "format", "license", "publisher"];
const FIXED_FACETS = ["portal", "theme"];
const FACET_PREVIEW = 6;
/** EU file-type codes of services, as people name them (the API's own labels win when it gives them). */
const SERVICE_FORMATS = { WMS_SRVC: "WMS", WFS_SRVC: "WFS", WMTS_SRVC: "WMTS", WCS_SRVC: "WCS", REST: "REST API" };
const DEBOUNCE_MS = 250;
const EXCERPT_LENGTH = 220;
const DEFAULT_PAGE_SIZE = 10;
// Below this width (the container query's 44rem) facets stack above the results, folded.
const NARROW_PX = 704;

const MESSAGES = {
  fr: {
    label: "Rechercher des jeux de données",
    placeholder: "Vélos, arbres, budget…",
    submit: "Rechercher",
    filters: "Filtrer les résultats",
    facets: { portal: "Portail", theme: "Thème", format: "Format", license: "Licence", publisher: "Producteur" },
    count: (n, fmt) => (n === 0 ? "Aucun jeu de données" : n === 1 ? "1 jeu de données" : `${fmt(n)} jeux de données`),
    page: (n, m) => `Page ${n} sur ${m}`,
    previous: "Page précédente",
    next: "Page suivante",
    pagination: "Pages de résultats",
    results: "Résultats",
    loading: "Recherche en cours…",
    error: "La recherche a échoué. Réessayez dans un instant.",
    empty: "Aucun résultat : essayez d’autres mots ou retirez des filtres.",
    more: (n) => `Voir ${n} de plus`,
    less: "Voir moins",
    formats: "Formats",
    poweredBy: "Recherche fédérée fedcat",
  },
  en: {
    label: "Search datasets",
    placeholder: "Bikes, trees, budget…",
    submit: "Search",
    filters: "Filter results",
    facets: { portal: "Portal", theme: "Theme", format: "Format", license: "Licence", publisher: "Publisher" },
    count: (n, fmt) => (n === 0 ? "No datasets" : n === 1 ? "1 dataset" : `${fmt(n)} datasets`),
    page: (n, m) => `Page ${n} of ${m}`,
    previous: "Previous page",
    next: "Next page",
    pagination: "Result pages",
    results: "Results",
    loading: "Searching…",
    error: "The search failed. Please try again shortly.",
    empty: "No results: try other words or remove filters.",
    more: (n) => `Show ${n} more`,
    less: "Show less",
    formats: "Formats",
    poweredBy: "fedcat federated search",
  },
};

const STYLES = `
:host {
  --_accent: var(--fedcat-accent, #2450d8);
  --_font: var(--fedcat-font, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif);
  --_radius: var(--fedcat-radius, 12px);
  --_bg: var(--fedcat-bg, #ffffff);
  --_fg: var(--fedcat-fg, #1c2333);
  --_muted: var(--fedcat-muted, #5f6b7a);
  --_border: var(--fedcat-border, #dfe3ea);
  --_mark: var(--fedcat-mark, #ffe58a);
  display: block;
  font-family: var(--_font);
  color: var(--_fg);
  line-height: 1.5;
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.root {
  background: var(--_bg);
  border: 1px solid var(--_border);
  border-radius: var(--_radius);
  padding: 1.25rem;
  container-type: inline-size;
}
.sr-only {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
label.query { display: block; font-weight: 600; margin-bottom: .4rem; }
.bar { display: flex; gap: .5rem; }
input[type="search"] {
  flex: 1; min-width: 0; font: inherit; color: inherit; background: var(--_bg);
  padding: .65rem .9rem; border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * .75);
}
input[type="search"]:focus { border-color: var(--_accent); }
:focus-visible { outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent); outline-offset: 2px; }
button {
  font: inherit; cursor: pointer; border-radius: calc(var(--_radius) * .75);
  border: 1px solid var(--_border); background: var(--_bg); color: var(--_fg); padding: .45rem .9rem;
}
button:disabled { cursor: default; opacity: .45; }
button.primary { background: var(--_accent); border-color: var(--_accent); color: #fff; font-weight: 600; padding: .65rem 1.2rem; }
button.link { border: 0; background: none; color: var(--_accent); padding: .2rem 0; font-size: .875rem; }
.layout { display: grid; grid-template-columns: minmax(12rem, 15rem) 1fr; gap: 1.75rem; margin-top: 1.25rem; }
@container (max-width: 44rem) { .layout { grid-template-columns: 1fr; } }
.facets h2, .summary { font-size: 1rem; margin: 0 0 .75rem; }
.facets > summary { cursor: pointer; list-style: none; }
.facets > summary::-webkit-details-marker { display: none; }
.facets > summary h2 { display: inline; }
.facets > summary::after { content: "▾"; margin-left: .4rem; color: var(--_muted); }
.facets:not([open]) > summary::after { content: "▸"; }
.facets:not([open]) > summary h2 { margin: 0; }
.facets[open] > summary { margin-bottom: .75rem; }
fieldset { border: 0; padding: 0; margin: 0 0 1.1rem; min-width: 0; }
legend { font-weight: 600; font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; color: var(--_muted); padding: 0; margin-bottom: .35rem; }
.facet-values { list-style: none; margin: 0; padding: 0; }
.facet-values label { display: flex; align-items: baseline; gap: .5rem; padding: .18rem 0; cursor: pointer; font-size: .925rem; }
.facet-values input { accent-color: var(--_accent); margin: 0; flex: none; transform: translateY(.1em); }
.facet-values .name { flex: 1; overflow-wrap: anywhere; }
.facet-values .count {
  flex: none; font-size: .75rem; font-variant-numeric: tabular-nums; color: var(--_muted);
  background: color-mix(in srgb, var(--_border) 55%, transparent); border-radius: 999px; padding: 0 .5rem;
}
.results[aria-busy="true"] .list { opacity: .5; transition: opacity .2s; }
.list { list-style: none; margin: 0; padding: 0; }
.result { padding: 1rem 0; border-top: 1px solid var(--_border); }
.result:first-child { border-top: 0; padding-top: .25rem; }
.result h3 { font-size: 1.075rem; margin: 0 0 .2rem; line-height: 1.35; }
.result a { color: var(--_accent); text-decoration: none; }
.result a:hover { text-decoration: underline; }
.meta { margin: 0 0 .35rem; font-size: .85rem; color: var(--_muted); }
.meta span + span::before { content: "·"; margin: 0 .4rem; }
.desc {
  margin: 0 0 .5rem; font-size: .925rem;
  display: -webkit-box; -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden;
}
mark { background: var(--_mark); color: inherit; border-radius: 3px; padding: 0 .1em; }
.formats { list-style: none; display: flex; flex-wrap: wrap; gap: .35rem; margin: 0; padding: 0; }
.formats li {
  font-size: .72rem; font-weight: 600; letter-spacing: .03em; padding: .05rem .5rem; border-radius: 999px;
  color: var(--_accent); background: color-mix(in srgb, var(--_accent) 10%, transparent);
}
.message { color: var(--_muted); margin: .5rem 0; }
.message.error { color: #b42318; }
.pager { display: flex; align-items: center; justify-content: space-between; gap: .75rem; margin-top: 1rem; padding-top: 1rem; border-top: 1px solid var(--_border); }
.pager[hidden] { display: none; }
.pager .position { font-size: .9rem; color: var(--_muted); }
.footer { margin: 1rem 0 0; font-size: .75rem; color: var(--_muted); text-align: right; }
`;

/**
 * Create an element: attributes are set with setAttribute, children are nodes or strings
 * (strings become text nodes, so API data is never parsed as markup).
 */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** The shared stylesheet: a constructed one (unaffected by the host page's style CSP) when supported. */
function styleFor(shadow) {
  if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet.prototype.replaceSync === "function") {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    shadow.adoptedStyleSheets = [sheet];
    return null;
  }
  return h("style", {}, STYLES);
}

/** A link target from API data: only http(s) URLs, anything else becomes inert. */
function safeHref(value, base) {
  try {
    const url = new URL(String(value), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The first sentence-ish part of a description, cut on a word boundary. */
function excerpt(text) {
  const clean = String(text || "").replace(/\s+/g, " ").trim();
  if (clean.length <= EXCERPT_LENGTH) return clean;
  const cut = clean.slice(0, EXCERPT_LENGTH);
  return `${cut.slice(0, cut.lastIndexOf(" ") > 0 ? cut.lastIndexOf(" ") : EXCERPT_LENGTH)}…`;
}

/** Highlight segments as text and <mark> nodes, or null when there are none usable. */
function highlighted(segments) {
  if (!Array.isArray(segments) || segments.length === 0) return null;
  if (!segments.every((s) => s && typeof s.text === "string")) return null;
  return segments.map((s) => (s.match ? h("mark", {}, s.text) : document.createTextNode(s.text)));
}

/** Comma-separated attribute values as a list. */
function splitList(value) {
  return (value || "").split(",").map((v) => v.trim()).filter(Boolean);
}

/** The facet's values, plus any selected value the response no longer lists (count 0). */
function withSelected(values, selected) {
  const known = new Set(values.map((v) => v.value));
  const missing = [...selected].filter((v) => !known.has(v)).map((value) => ({ value, count: 0 }));
  return [...values, ...missing];
}

/** The embeddable search element. */
class FedcatSearch extends HTMLElement {
  static observedAttributes = ["api", "portal", "theme", "page-size", "lang", "placeholder"];

  /** State: the query, the page and the ticked facet values. */
  constructor() {
    super();
    this.state = { q: "", page: 1, selected: new Map(FACETS.map((f) => [f, new Set()])) };
    this.expanded = new Set();
    this.portalNames = new Map();
    this.formatLabels = new Map();
    this.body = null;
    this.controller = null;
    this.timer = null;
    this.refs = null;
  }

  /** Messages in the element's language (French unless lang="en"). */
  get t() {
    return (this.getAttribute("lang") || "fr").toLowerCase().startsWith("en") ? MESSAGES.en : MESSAGES.fr;
  }

  /** The fedcat base URL, always ending in "/". */
  get apiBase() {
    const api = this.getAttribute("api");
    if (!api) return SCRIPT_BASE;
    return new URL(api.endsWith("/") ? api : `${api}/`, document.baseURI);
  }

  /** Results per page, clamped to what the API accepts. */
  get pageSize() {
    const size = Number.parseInt(this.getAttribute("page-size") || "", 10);
    return Number.isFinite(size) ? Math.min(100, Math.max(1, size)) : DEFAULT_PAGE_SIZE;
  }

  /** On insertion: build once, then search (an empty query lists everything). */
  connectedCallback() {
    if (!this.refs) this.build();
    this.foldFacetsWhenNarrow();
    this.applyLabels();
    this.loadPortalNames();
    this.scheduleSearch(0);
  }

  /** On removal: drop any pending or running search. */
  disconnectedCallback() {
    this.resizeObserver?.disconnect();
    clearTimeout(this.timer);
    this.controller?.abort();
  }

  /** Labels follow lang/placeholder at once; other attributes start a new search from page 1. */
  attributeChangedCallback(name, oldValue, newValue) {
    if (!this.refs || oldValue === newValue) return;
    if (name === "lang" || name === "placeholder") {
      this.applyLabels();
      if (this.body) this.render(this.body);
      return;
    }
    if (name === "api") {
      this.portalNames.clear();
      this.loadPortalNames();
    }
    if (FIXED_FACETS.includes(name)) this.state.selected.get(name).clear();
    this.state.page = 1;
    this.scheduleSearch(0);
  }

  /** Build the shadow tree once; texts are filled in by applyLabels and render. */
  build() {
    const shadow = this.attachShadow({ mode: "open" });
    const style = styleFor(shadow);
    const input = h("input", { id: "q", type: "search", name: "q", autocomplete: "off", part: "input" });
    const button = h("button", { type: "submit", class: "primary", part: "button" });
    const label = h("label", { class: "query", for: "q" });
    const form = h("form", { role: "search", part: "form" }, label, h("div", { class: "bar" }, input, button));
    const facetsTitle = h("h2", { id: "facets-title" });
    const facetGroups = h("div", { class: "facet-groups" });
    const facets = h("details", { class: "facets", part: "facets", open: true }, h("summary", {}, facetsTitle), facetGroups);
    const summary = h("h2", { class: "summary", id: "summary", tabindex: "-1" });
    const status = h("p", { class: "sr-only", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    const message = h("p", { class: "message", hidden: true });
    const list = h("ol", { class: "list", "aria-labelledby": "summary" });
    const pager = this.buildPager();
    const results = h("section", { class: "results", part: "results", "aria-labelledby": "summary" }, summary, status, message, list, pager.nav);
    const footer = h("p", { class: "footer" });
    const root = h("div", { class: "root" }, form, h("div", { class: "layout" }, facets, results), footer);
    shadow.append(...[style, root].filter(Boolean));
    this.refs = { root, input, button, label, form, facets, facetsTitle, facetGroups, summary, status, message, list, results, footer, ...pager };
    this.listen();
  }

  /** The previous / "page n of m" / next navigation. */
  buildPager() {
    const previous = h("button", { type: "button", class: "previous", "data-key": "pager:previous" });
    const position = h("span", { class: "position" });
    const next = h("button", { type: "button", class: "next", "data-key": "pager:next" });
    const nav = h("nav", { class: "pager", part: "pager", hidden: true }, previous, position, next);
    return { nav, previous, position, next };
  }

  /** Fold the facets when the widget becomes narrow and unfold them when it becomes wide (a user's own toggle stays otherwise). */
  foldFacetsWhenNarrow() {
    if (typeof ResizeObserver !== "function") return;
    let narrow = null;
    this.resizeObserver = new ResizeObserver(([entry]) => {
      const now = entry.contentRect.width < NARROW_PX;
      if (now !== narrow) this.refs.facets.open = !now;
      narrow = now;
    });
    this.resizeObserver.observe(this.refs.root);
  }

  /** Wire input, form, facet and paging events. */
  listen() {
    const { form, input, facetGroups, previous, next } = this.refs;
    input.addEventListener("input", () => this.onQueryInput());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.onQueryInput(0);
    });
    facetGroups.addEventListener("change", (event) => this.onFacetChange(event.target));
    facetGroups.addEventListener("click", (event) => this.onMoreClick(event.target.closest("button[data-more]")));
    previous.addEventListener("click", () => this.goToPage(this.state.page - 1));
    next.addEventListener("click", () => this.goToPage(this.state.page + 1));
  }

  /** Fill in every fixed text in the current language. */
  applyLabels() {
    const t = this.t;
    const { root, input, button, label, facetsTitle, nav, previous, next, footer } = this.refs;
    root.setAttribute("lang", t === MESSAGES.en ? "en" : "fr");
    label.textContent = t.label;
    input.placeholder = this.getAttribute("placeholder") || t.placeholder;
    button.textContent = t.submit;
    facetsTitle.textContent = t.filters;
    nav.setAttribute("aria-label", t.pagination);
    previous.textContent = `← ${t.previous}`;
    next.textContent = `${t.next} →`;
    footer.textContent = t.poweredBy;
  }

  /** A new query: back to page 1, searched after a pause in typing (or at once on Enter). */
  onQueryInput(delay = DEBOUNCE_MS) {
    this.state.q = this.refs.input.value.trim();
    this.state.page = 1;
    this.scheduleSearch(delay);
  }

  /** A facet checkbox was toggled: update the selection and search again from page 1. */
  onFacetChange(target) {
    if (!(target instanceof HTMLInputElement) || !target.dataset.facet) return;
    const values = this.state.selected.get(target.dataset.facet);
    if (target.checked) values.add(target.dataset.value);
    else values.delete(target.dataset.value);
    this.state.page = 1;
    this.scheduleSearch(0);
  }

  /** "Show more / less" on a long facet. */
  onMoreClick(button) {
    if (!button) return;
    const facet = button.dataset.more;
    if (this.expanded.has(facet)) this.expanded.delete(facet);
    else this.expanded.add(facet);
    this.keepingFocus(() => this.renderFacets(this.body?.facets || {}));
  }

  /** Go to another page and move focus to the top of the new results. */
  goToPage(page) {
    const pages = this.body?.pages || 1;
    if (page < 1 || page > pages) return;
    this.state.page = page;
    this.search({ focusResults: true });
  }

  /** The values the page fixed with the portal or theme attribute (that facet is then hidden). */
  fixedValues(facet) {
    return FIXED_FACETS.includes(facet) ? splitList(this.getAttribute(facet)) : [];
  }

  /** Search after ``delay`` ms, replacing any search already waiting. */
  scheduleSearch(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.search(), delay);
  }

  /** The search URL for the current state. */
  searchUrl() {
    const url = new URL("api/datasets", this.apiBase);
    const params = url.searchParams;
    if (this.state.q) params.set("q", this.state.q);
    for (const facet of FACETS) {
      const fixed = this.fixedValues(facet);
      const values = fixed.length ? fixed : [...this.state.selected.get(facet)];
      values.forEach((value) => params.append(facet, value));
    }
    params.set("page", String(this.state.page));
    params.set("page_size", String(this.pageSize));
    return url;
  }

  /** Run the search, cancelling any request still in flight, and render the answer. */
  async search({ focusResults = false } = {}) {
    clearTimeout(this.timer);
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.setBusy(true);
    try {
      const response = await fetch(this.searchUrl(), { signal: controller.signal, headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body = await response.json();
      if (controller !== this.controller) return;
      this.render(body);
      if (focusResults) this.refs.summary.focus();
      this.dispatchEvent(new CustomEvent("fedcat-results", { detail: { total: body.total, page: body.page } }));
    } catch (error) {
      if (error.name !== "AbortError" && controller === this.controller) this.renderError();
    } finally {
      if (controller === this.controller) this.setBusy(false);
    }
  }

  /** Portal ids → names, for nicer facet and result labels (best effort). */
  async loadPortalNames() {
    try {
      const response = await fetch(new URL("api/portals", this.apiBase), { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      for (const portal of body.results || []) this.portalNames.set(portal.id, String(portal.name));
      if (this.body) this.keepingFocus(() => this.render(this.body));
    } catch {
      // Names are a nicety: ids are shown instead.
    }
  }

  /** Mark the results as being updated (assistive technologies wait for the new ones). */
  setBusy(busy) {
    this.refs.results.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /** How a facet value is shown (portal ids become portal names). */
  displayValue(facet, value) {
    if (facet === "format") return this.formatLabels.get(value) || SERVICE_FORMATS[value] || value;
    return facet === "portal" ? this.portalNames.get(value) || value : value;
  }

  /** Show a search response: count, results, facets and paging. */
  render(body) {
    this.body = body;
    // the API's label when it is one (it repeats the code when it knows no better)
    for (const v of body.facets?.format || []) if (v.label && v.label !== v.value) this.formatLabels.set(String(v.value), String(v.label));
    const t = this.t;
    const total = Number(body.total) || 0;
    const count = t.count(total, (n) => new Intl.NumberFormat(t === MESSAGES.en ? "en" : "fr-FR").format(n));
    this.refs.summary.textContent = count;
    this.refs.status.textContent = (body.pages || 1) > 1 ? `${count}, ${t.page(body.page, body.pages).toLowerCase()}` : count;
    this.refs.message.hidden = total > 0;
    this.refs.message.className = "message";
    this.refs.message.textContent = total > 0 ? "" : t.empty;
    this.refs.list.replaceChildren(...(body.results || []).map((item) => this.renderResult(item)));
    this.keepingFocus(() => this.renderFacets(body.facets || {}));
    this.renderPager(body);
  }

  /** Say that the search failed; the filters stay, so the user can change them and retry. */
  renderError() {
    const { message, status, list, nav, summary } = this.refs;
    summary.textContent = "";
    message.hidden = false;
    message.className = "message error";
    message.textContent = this.t.error;
    status.textContent = this.t.error;
    list.replaceChildren();
    nav.hidden = true;
  }

  /** One result: title link, publisher and portal, description excerpt, formats. */
  renderResult(item) {
    const href = safeHref(item.links?.page, this.apiBase);
    const titleText = highlighted(item.highlight?.title) || [String(item.title || "")];
    const title = h("h3", { part: "title" }, h("a", { href }, ...titleText));
    const meta = h(
      "p",
      { class: "meta" },
      item.publisher?.name ? h("span", { class: "publisher" }, String(item.publisher.name)) : null,
      h("span", { class: "portal" }, this.displayValue("portal", String(item.portal_id || ""))),
    );
    const description = highlighted(item.highlight?.description) || [excerpt(item.description)];
    const formats = (item.formats || []).map((f) => h("li", { title: String(f) }, this.displayValue("format", String(f))));
    return h(
      "li",
      { class: "result", part: "result" },
      h("article", {}, title, meta, h("p", { class: "desc" }, ...description), formats.length ? h("ul", { class: "formats", "aria-label": this.t.formats }, ...formats) : null),
    );
  }

  /** Every facet group, except those fixed by an attribute. */
  renderFacets(facets) {
    const groups = FACETS.filter((f) => this.fixedValues(f).length === 0)
      .map((f) => this.renderFacetGroup(f, facets[f] || []))
      .filter(Boolean);
    this.refs.facetGroups.replaceChildren(...groups);
    this.refs.facets.hidden = groups.length === 0;
    const ticked = FACETS.reduce((n, f) => n + this.state.selected.get(f).size, 0);
    this.refs.facetsTitle.textContent = ticked ? `${this.t.filters} (${ticked})` : this.t.filters;
  }

  /** One facet as a fieldset of checkboxes with counts, the first few shown unless expanded. */
  renderFacetGroup(facet, values) {
    const selected = this.state.selected.get(facet);
    const all = withSelected(values, selected);
    if (all.length === 0) return null;
    const expanded = this.expanded.has(facet);
    const shown = all.filter((v, index) => expanded || index < FACET_PREVIEW || selected.has(v.value));
    const items = shown.map((v) => this.renderFacetValue(facet, v, selected.has(v.value)));
    const hidden = all.length - shown.length;
    const more = all.length > FACET_PREVIEW && (expanded || hidden > 0)
      ? h("button", { type: "button", class: "link", "data-more": facet, "data-key": `more:${facet}`, "aria-expanded": String(expanded) }, expanded ? this.t.less : this.t.more(hidden))
      : null;
    return h("fieldset", { "data-facet": facet }, h("legend", {}, this.t.facets[facet]), h("ul", { class: "facet-values" }, ...items), more);
  }

  /** One facet value: a labelled checkbox with its count. */
  renderFacetValue(facet, { value, count }, checked) {
    const input = h("input", { type: "checkbox", "data-facet": facet, "data-value": value, "data-key": `facet:${facet}:${value}`, checked });
    input.checked = checked;
    const label = h("label", {}, input, h("span", { class: "name" }, this.displayValue(facet, String(value))), h("span", { class: "count" }, String(count)));
    return h("li", {}, label);
  }

  /** Previous / next buttons and "page n of m". */
  renderPager(body) {
    const { nav, previous, next, position } = this.refs;
    const pages = Number(body.pages) || 1;
    nav.hidden = !body.total || pages <= 1;
    previous.disabled = body.page <= 1;
    next.disabled = body.page >= pages;
    position.textContent = this.t.page(body.page, pages);
  }

  /** Run a re-render and give focus back to the control that had it (matched by data-key). */
  keepingFocus(rerender) {
    const key = this.shadowRoot.activeElement?.dataset?.key;
    rerender();
    if (!key) return;
    const again = [...this.shadowRoot.querySelectorAll("[data-key]")].find((el) => el.dataset.key === key);
    if (again) again.focus();
  }
}

if (!customElements.get("fedcat-search")) customElements.define("fedcat-search", FedcatSearch);

export { FedcatSearch };
