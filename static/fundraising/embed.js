/* Fundraising progress bar for any site: <script async src=".../embed.js" data-campaign="demo"></script>
   or <fundraising-progress campaign="demo"></fundraising-progress>. Renders in a shadow root so the
   page's CSS cannot reach it; no dependencies, no cookies, no tracking; never throws into the page. */
(function () {
  "use strict";
  var d = document, script = d.currentScript, base;
  try { base = new URL(script.src, location.href).origin; } catch (e) { return; }
  var POLL = 30000, TAG = "fundraising-progress";
  var THEMES = {
    light: "--bg:#fff;--bd:#e5e7eb;--tx:#111827;--mu:#6b7280;--tr:#e5e7eb",
    dark: "--bg:#111827;--bd:#374151;--tx:#f9fafb;--mu:#9ca3af;--tr:#374151"
  };
  var CSS = ":host{all:initial!important;display:block!important;visibility:visible!important;opacity:1!important;" +
    "max-width:640px;font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif!important}" +
    "*{box-sizing:border-box;margin:0}.c{display:block;background:var(--bg);color:var(--tx);border:1px solid var(--bd);" +
    "border-radius:10px;padding:14px 18px 16px}.h,.f{display:flex;justify-content:space-between;align-items:baseline;gap:12px}" +
    ".h{flex-wrap:wrap;column-gap:12px;row-gap:0}.t{font-weight:700;font-size:15px;overflow-wrap:anywhere}" +
    ".m{font-size:12px;font-weight:600;letter-spacing:.1em;color:var(--mu);white-space:nowrap}" +
    ".k{position:relative;height:18px;margin-top:10px;font-size:11px;color:var(--mu)}" +
    ".k span{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}.k span:first-child{transform:none}" +
    ".k span:last-child{transform:translateX(-100%)}.k .y{color:var(--tx)}" +
    ".b{position:relative;height:14px;margin-top:4px;border-radius:99px;background:var(--tr)}" +
    ".l{height:100%;border-radius:99px;background:var(--ac)}.i{position:absolute;top:-3px;bottom:-3px;width:2px;" +
    "margin-left:-1px;border-radius:1px;background:var(--mu)}.i.y{background:var(--bg)}.f{margin-top:10px;align-items:center}" +
    ".r b{font-size:15px}.r{color:var(--mu)}.r b{color:var(--tx)}a{display:inline-block;padding:7px 16px;border-radius:99px;" +
    "background:var(--ac);color:var(--on);font-weight:600;text-decoration:none;white-space:nowrap}" +
    "a:focus-visible{outline:3px solid var(--tx);outline-offset:2px}.s .c{padding:10px 14px}.s .k{display:none}.s .b{height:12px}" +
    "@media (forced-colors:active){.b{forced-color-adjust:none;background:Canvas;border:1px solid CanvasText}" +
    ".l{forced-color-adjust:none;background:Highlight}.i,.i.y{forced-color-adjust:none;background:CanvasText}" +
    "a{border:2px solid LinkText}}";

  function el(parent, tag, cls, text) {
    var node = d.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function options(get) {
    var accent = (get("accent") || "").replace(/^#/, "");
    var locale = get("locale") || "";
    if (!/^([0-9a-f]{3}){1,2}$/i.test(accent)) accent = "16a34a";
    if (accent.length === 3) accent = accent.replace(/./g, "$&$&");
    var rgb = [0, 2, 4].map(function (i) { var c = parseInt(accent.substr(i, 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    var lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
    return {
      theme: get("theme") === "dark" ? "dark" : "light",
      compact: get("layout") === "compact",
      locale: /^[a-z]{2,3}([_-][A-Za-z]{2})?$/.test(locale) ? locale : "",
      accent: "#" + accent,
      // Dark #111827 (luminance 0.0092) or white, whichever has the better WCAG contrast on the accent.
      on: (1.05 / (lum + 0.05) >= (lum + 0.05) / 0.0592) ? "#fff" : "#111827"
    };
  }

  function draw(root, o, s) {
    // Words come translated in the JSON's "text" (the campaign's or ?locale= language); English fallbacks.
    var box = d.createElement("div"), t = s.text || {}, c, h, k, b, f, r, a;
    box.className = o.compact ? "s" : "";
    box.setAttribute("lang", /^[a-z]{2,3}(-[A-Za-z]{2})?$/.test(t.lang) ? t.lang : "en");
    box.setAttribute("style", THEMES[o.theme] + ";--ac:" + o.accent + ";--on:" + o.on);
    c = el(box, "div", "c");
    h = el(c, "div", "h");
    el(h, "span", "t", s.title);
    el(h, "span", "m", s.period.label);
    k = el(c, "div", "k");
    k.setAttribute("aria-hidden", "true");
    b = el(c, "div", "b");
    b.setAttribute("role", "progressbar");
    b.setAttribute("aria-label", s.title);
    b.setAttribute("aria-valuemin", "0");
    b.setAttribute("aria-valuemax", String(s.target));
    b.setAttribute("aria-valuenow", String(s.raised));
    b.setAttribute("aria-valuetext", t.valuetext || s.formatted.raised + " of " + s.formatted.target + " raised in " + s.period.label);
    el(b, "div", "l").style.width = Math.min(100, Math.max(0, +s.fill || 0)) + "%";
    s.milestones.forEach(function (m, n) {
      el(k, "span", m.reached ? "y" : "", m.label).style.left = (+m.at || 0) + "%";
      if (n && n < s.milestones.length - 1) el(b, "span", m.reached ? "i y" : "i").style.left = (+m.at || 0) + "%";
    });
    f = el(c, "div", "f");
    r = el(f, "span", "r");
    el(r, "b", "", s.formatted.raised);
    r.appendChild(d.createTextNode(" " + (t.of || "of " + s.formatted.target) + " · " +
      (t.supporters || s.donors + " supporter" + (s.donors === 1 ? "" : "s"))));
    if (/^https?:\/\//.test(s.url)) {
      a = el(f, "a", "", t.donate || "Donate");
      a.href = s.url;
      a.target = "_blank";
      a.rel = "noopener";
    }
    root.replaceChild(box, root.lastChild);
  }

  function start(host, get, origin) {
    if (host.__fr || !host.attachShadow) return;
    var slug = get("campaign") || "", o = options(get), last = "", timer, missed = false;
    if (!/^[\w-]{1,60}$/.test(slug)) return;
    var root = host.attachShadow({ mode: "open" });
    el(root, "style", "", CSS);
    el(root, "div");
    host.__fr = function () { clearTimeout(timer); };
    var url = origin + "/w/" + slug + ".json" + (o.locale ? "?locale=" + o.locale : "");
    function load() {
      // no-cache: the browser revalidates with If-None-Match, and a 304 costs the server nothing.
      fetch(url, { credentials: "omit", cache: "no-cache", referrerPolicy: "no-referrer" })
        .then(function (res) { return res.ok ? res.text() : ""; })
        .then(function (text) { if (text && text !== last) { draw(root, o, JSON.parse(text)); last = text; } })
        .catch(function () {})
        .then(function () { timer = setTimeout(tick, POLL); });
    }
    function tick() {
      if (!host.isConnected) return;
      if (d.visibilityState === "hidden") missed = true; else load();
    }
    d.addEventListener("visibilitychange", function () {
      if (missed && d.visibilityState === "visible" && host.isConnected) { missed = false; load(); }
    });
    load();
  }

  try {
    if (window.customElements && !customElements.get(TAG)) {
      customElements.define(TAG, class extends HTMLElement {
        connectedCallback() {
          var self = this;
          try { start(self, function (n) { return self.getAttribute(n); }, base); } catch (e) { /* never break the page */ }
        }
      });
    }
    if (script && script.getAttribute("data-campaign") && !script.__fr) {
      script.__fr = 1;
      var host = d.createElement(window.customElements ? "span" : "div");
      host.style.display = "block";
      script.parentNode.insertBefore(host, script.nextSibling);
      start(host, function (n) { return script.getAttribute("data-" + n); }, base);
    }
  } catch (e) { /* never break the page */ }
})();
