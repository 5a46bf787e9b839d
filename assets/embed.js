/* Fundraising progress bar for any site, in a shadow root; no cookies or tracking; never throws into
   the page; reserves its height; polls every data-refresh s (30), not while hidden. See README.
   Served alone (/static/fundraising/embed.js, data-campaign: fetches /w/<slug>.json at load) or as the tail of
   /w/<slug>.js, whose first statement sets script.__frData = {url, text}: the JSON, drawn at once, no fetch.
   This is the source: static/fundraising/embed.js is its minified copy (`make embed`; a test fails on drift). */
(function () {
  var d = document, script = d.currentScript, base;
  // script.src is absolute: its origin by regex (new URL() costs the page ~0.4 ms)
  try { base = /^[\w+.-]+:\/\/[^/?#]+/.exec(script.src)[0]; } catch (e) { return; }
  var TAG = "fundraising-progress";
  var THEMES = {
    light: "--bg:#fff;--bd:#e5e7eb;--tx:#111827;--mu:#6b7280;--tr:#e5e7eb",
    dark: "--bg:#111827;--bd:#374151;--tx:#f9fafb;--mu:#9ca3af;--tr:#374151"
  };
  // The host page's typeface (font-family: inherit), as the text around the bar: it reads as part of the page
  // and loads no font face of its own (about 1 ms less layout and paint on the host page, bench/embed.py).
  // Sizes, weights and colours stay the widget's; the iframe and the SVG keep the system UI font.
  var CSS = ":host{all:initial!important;display:block!important;" +
    "max-width:640px;font-size:14px!important;line-height:1.4!important;font-family:inherit!important}" +
    "*{box-sizing:border-box;margin:0}.c{background:var(--bg);color:var(--tx);border:1px solid var(--bd);" +
    "border-radius:10px;padding:14px 18px 16px}.h,.f{display:flex;justify-content:space-between;align-items:baseline;gap:12px}" +
    ".h{flex-wrap:wrap;row-gap:0}.t{font-weight:700;font-size:15px;overflow-wrap:anywhere}" +
    ".m{font-size:12px;font-weight:600;letter-spacing:.1em;color:var(--mu);white-space:nowrap}" +
    ".k{position:relative;height:18px;margin-top:10px;font-size:11px;color:var(--mu)}" +
    ".k span{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}.k span:first-child{transform:none}" +
    ".k span:last-child{transform:translateX(-100%)}.k .y{color:var(--tx)}" +
    ".b{position:relative;height:14px;margin-top:4px;border-radius:99px;background:var(--tr)}" +
    ".l{height:100%;border-radius:99px;background:var(--ac)}.i{position:absolute;top:-3px;bottom:-3px;width:2px;" +
    "margin-left:-1px;border-radius:1px;background:var(--mu)}.i.y{background:var(--bg)}.f{margin-top:10px;align-items:center}" +
    ".r{color:var(--mu)}.r b{font-size:15px;color:var(--tx)}a{display:inline-block;padding:7px 16px;border-radius:99px;" +
    "background:var(--ac);color:var(--on);font-weight:600;text-decoration:none;white-space:nowrap}" +
    "a:focus-visible{outline:3px solid var(--tx);outline-offset:2px}.s .c{padding:10px 14px}.s .k{display:none}.s .b{height:12px}" +
    ".u{margin-top:8px;font-size:12px;color:var(--mu)}fieldset{border:0;padding:0;margin-top:12px;min-width:0}" +
    ".ks{display:inline-flex;gap:2px;padding:2px;border-radius:8px;background:var(--tr)}" +
    ".ks input{position:absolute;opacity:0}.ks label{padding:4px 12px;border-radius:6px;font-size:13px}" +
    ".ks :checked+label{background:var(--bg);font-weight:600}.ks :focus-visible+label{outline:3px solid var(--tx)}" +
    "ul{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px;padding:0;list-style:none}ul a{padding:5px 12px;" +
    "background:none;color:var(--tx);border:1.5px solid var(--ac)}" +
    "@media(forced-colors:active){.ks label{border:1px solid ButtonText}" +
    ".ks :checked+label{forced-color-adjust:none;background:Highlight;color:HighlightText;border-color:Highlight}" +
    "ul a{border-color:LinkText}.b{forced-color-adjust:none;background:Canvas;border:1px solid CanvasText}" +
    ".l{forced-color-adjust:none;background:Highlight}.b .i{forced-color-adjust:none;background:CanvasText}" +
    "a{border:2px solid LinkText}}" +
    ".w{display:flex;flex-direction:column;height:228px;margin-top:12px;padding-top:10px;border-top:1px solid var(--bd)}" +
    ".w h2{font-size:13px;margin-bottom:4px}.w ol{flex:1;overflow:auto;padding:0;list-style:none}" +
    ".w li{padding:6px 0;border-bottom:1px solid var(--bd);font-size:13px}.w li:last-child{border:0}" +
    ".w p{overflow-wrap:anywhere}.w span,.e{color:var(--mu)}.w ol:focus-visible{outline:3px solid var(--tx)}";

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
    var refresh = +get("refresh");
    return {
      theme: get("theme") === "dark" ? "dark" : "light",
      amounts: get("amounts") === "1",
      supporters: get("supporters") === "1",
      kind: "one_time",
      poll: (refresh >= 1 && refresh <= 3600 ? refresh : 30) * 1000,
      compact: get("layout") === "compact",
      // px kept free before the data arrives, and the card's height at least after: no layout shift
      h: (get("layout") === "compact" ? 128 : get("amounts") === "1" ? 250 : 168) + (get("supporters") === "1" ? 240 : 0),
      locale: /^[a-z]{2,3}([_-][A-Za-z]{2})?$/.test(locale) ? locale : "",
      accent: "#" + accent,
      // #111827 (luminance 0.0092) or white: the better WCAG contrast
      on: (1.05 / (lum + 0.05) >= (lum + 0.05) / 0.0592) ? "#fff" : "#111827"
    };
  }

  function draw(root, o, s) {
    // Words come translated in the JSON's "text".
    var box = d.createElement("div"), t = s.text || {}, c, h, k, b, f, r, a, n, w, x, y = -1e9;
    box.className = o.compact ? "s" : "";
    box.lang = /^[a-z]{2,3}(-[A-Za-z]{2})?$/.test(t.lang) ? t.lang : "en";
    box.style.cssText = THEMES[o.theme] + ";--ac:" + o.accent + ";--on:" + o.on;
    c = el(box, "div", "c");
    h = el(c, "div", "h");
    el(h, "span", "t", s.title);
    el(h, "span", "m", s.period.label);
    k = el(c, "div", "k");
    k.setAttribute("aria-hidden", "true");
    b = el(c, "div", "b");
    a = { role: "progressbar", label: s.title, valuemin: 0, valuemax: s.goal.target, valuenow: s.goal.current,
      valuetext: t.valuetext };
    for (n in a) b.setAttribute(n === "role" ? n : "aria-" + n, String(a[n]));
    el(b, "div", "l").style.width = Math.min(100, Math.max(0, +s.fill || 0)) + "%";
    // A label that would overlap its neighbour on a 300 px bar stays blank, its tick shown: the rule of the
    // SVG and the iframe (render.markers_labeled), with 11 px glyphs 6.6 px wide.
    w = s.milestones.length - 1;
    x = 294 - 6.6 * s.milestones[w].label.length;
    s.milestones.forEach(function (m, n) {
      var g = 6.6 * m.label.length, at = 3 * m.at, left = n ? n < w ? at - g / 2 : at - g : at,
        show = n === w || left > y + 6 && (!n || left + g < x);
      if (show) y = left + g;
      el(k, "span", m.reached ? "y" : "", show ? m.label : "").style.left = (+m.at || 0) + "%";
      if (n && n < s.milestones.length - 1) el(b, "span", m.reached ? "i y" : "i").style.left = (+m.at || 0) + "%";
    });
    f = el(c, "div", "f");
    r = el(f, "span", "r");
    el(r, "b", "", s.goal.formatted.current);
    r.appendChild(d.createTextNode(" " + t.of + " · " + t.detail));
    if (/^https?:\/\//.test(s.url)) {
      link(f, t.donate).href = s.url;
      if (o.amounts && t.choose && s.presets.length) give(c, o, s, t);
    }
    el(c, "p", "u");
    c.style.minHeight = o.h + "px";
    root.replaceChild(box, root.lastChild);
    stamp(root, s);
  }

  // supporters=1: the campaign's supporters wall (/w/<slug>/supporters.json) in a list of fixed height.
  function wall(c, w) {
    var s = c.querySelector(".w") || c.insertBefore(d.createElement("section"), c.querySelector(".u")), t = w.text, ol;
    s.className = "w";
    s.textContent = "";
    el(s, "h2", "", t.heading).id = "wh";
    if (!w.supporters.length) return el(s, "p", "e", t.empty);
    ol = el(s, "ol");
    ol.tabIndex = 0;
    ol.setAttribute("aria-labelledby", "wh");
    w.supporters.forEach(function (g) {
      var li = el(ol, "li"), p = el(li, "p");
      el(el(p, "b"), "bdi", "", g.anonymous ? t.anonymous : g.name);  // a name's direction stays its own
      el(p, "span", "", [" ", g.amount_display, t[g.kind], g.date_display].filter(Boolean).join(" · "));
      if (g.tribute_display) el(li, "p", "", g.tribute_display);  // the donor allowed it; textContent, never markup
      if (g.message) el(li, "p", "", g.message);
    });
  }

  // amounts=1: one-time/monthly and the preset amounts, links to the donation page filled in.
  function give(c, o, s, t) {
    var g = el(c, "fieldset"), ks = el(g, "div", "ks"), ul = el(g, "ul"), links;
    g.setAttribute("aria-label", t.how_often);
    ul.setAttribute("aria-label", t.choose);
    links = s.presets.map(function (p) { return [link(el(ul, "li"), p.label), Math.floor(+p.amount) || 0]; });
    function pick(kind) {
      o.kind = kind;
      var join = s.url.indexOf("?") < 0 ? "?" : "&";  // a localized widget's url carries ?locale=
      links.forEach(function (l) { l[0].href = s.url + join + "amount=" + l[1] + "&kind=" + kind; });
    }
    ["one_time", "monthly"].forEach(function (kind) {
      var input = el(ks, "input");
      input.type = "radio";
      input.name = "kind";
      input.id = kind;
      input.checked = kind === o.kind;
      input.onchange = function () { pick(kind); };
      el(ks, "label", "", t[kind]).htmlFor = kind;
    });
    pick(o.kind);
  }

  function link(parent, text) {
    var a = el(parent, "a", "", text);
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  // "Updated 2 minutes ago" in the widget's language, from the JSON's ISO time and the words of
  // its "text.ago" (CLDR's, per plural category). Not Intl.RelativeTimeFormat: its first use costs
  // the host page 13 to 26 ms of main thread (ICU's number data); Intl.PluralRules costs 0.3 ms.
  function stamp(root, s) {
    var u = root.querySelector(".u"), t = s.text || {}, a = t.ago || {}, m = (Date.now() - Date.parse(s.updated_at)) / 6e4,
      n = Math.floor(m >= 1440 ? m / 1440 : m >= 60 ? m / 60 : m), f = a[m >= 1440 ? "day" : m >= 60 ? "hour" : "minute"], c;
    if (!u || !t.updated || !f || !(m > -5)) return;  // a clock up to 5 min behind the server's says "just now"
    if (m >= 1) try { c = new Intl.PluralRules(t.lang).select(n); } catch (e) { /* "other" */ }
    u.textContent = t.updated.replace("%(when)s", m < 1 ? a.now : (f[c] || f.other).replace("{0}", n));
  }

  // data: /w/<slug>.js's {url: "/w/<slug>.json?locale=..", text: the JSON}, or undefined.
  function start(host, get, origin, data) {
    if (host.__fr || !host.attachShadow) return;
    var o = options(get), last = "", lastw = "", timer, missed = false, current, slug, url;
    if (data) {
      current = JSON.parse(data.text);
      slug = current.campaign;
      url = data.url;
    } else {
      slug = get("campaign") || "";
      url = "/w/" + slug + ".json" + (o.locale ? "?locale=" + o.locale : "");
    }
    if (!/^[\w-]{1,60}$/.test(slug)) return;
    var root = host.attachShadow({ mode: "open" }), urls = [origin + url];
    el(root, "style", "", CSS);
    el(root, "div").style.height = o.h + "px";
    host.__fr = function () { clearTimeout(timer); };
    if (o.supporters) urls.push(origin + url.replace(".json", "/supporters.json"));
    function load(first) {
      // no-cache: revalidate with If-None-Match; a 304 costs nothing. first: the baked data stands for the fetch.
      Promise.all(urls.map(function (url, i) {
        return first && !i ? first.text : fetch(url, { credentials: "omit", cache: "no-cache", referrerPolicy: "no-referrer" })
          .then(function (res) { return res.ok ? res.text() : ""; });
      }))
        .then(function (texts) {
          var text = texts[0];
          if (text && text !== last) { current = JSON.parse(text); draw(root, o, current); last = text; lastw = ""; }
          else if (current) stamp(root, current);
          text = texts[1];
          if (text && text !== lastw && current) { wall(root.querySelector(".c"), JSON.parse(text)); lastw = text; }
        })
        .catch(function () {})
        .then(function () { timer = setTimeout(tick, o.poll); });
    }
    function tick() {
      if (!host.isConnected) return;
      if (d.visibilityState === "hidden") missed = true; else load();
    }
    d.addEventListener("visibilitychange", function () {
      if (missed && d.visibilityState === "visible" && host.isConnected) { missed = false; load(); }
    });
    // With the wall, draw when its JSON is here too (one paint): the wall arriving later would move the card's foot.
    if (!data || o.supporters) return load(data);
    draw(root, o, current);  // at once, before the first paint: no request, no microtask
    last = data.text;  // an identical poll does not redraw
    timer = setTimeout(tick, o.poll);
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
    if (script && (script.__frData || script.getAttribute("data-campaign")) && !script.__fr) {
      script.__fr = 1;
      var host = d.createElement(window.customElements ? "span" : "div");
      host.style.display = "block";
      script.parentNode.insertBefore(host, script.nextSibling);
      start(host, function (n) { return script.getAttribute("data-" + n); }, base, script.__frData);
    }
  } catch (e) { /* never break the page */ }
})();
