// Client-side search over the static index that briefing/search/index.py writes.
// No framework, no third-party service. The term rules (normalize, stem,
// bigrams, fnv1a) mirror briefing/search/terms.py: keep the two in step.
"use strict";

(function () {
  const SUFFIXES = ["ations", "ation", "atives", "ative", "ements", "ement", "ments", "ment",
    "ings", "ing", "ions", "ion", "ives", "ive", "ies", "ied", "ers", "er", "ed", "es", "ly", "s"];
  const STOPWORDS = new Set(("a an and are as at be by for from has have in is it its of on or " +
    "that the this to was were will with").split(" "));
  const UNSTEMMED = new Set("million billion trillion union nation station news series".split(" "));
  const HAN_RUN = /[\u3400-\u9fff]+/g;
  const LATIN = /[a-z0-9]+(?:[.,][0-9]+)*/g;
  const K1 = 1.2, B = 0.75; // BM25
  const PAGE = 10;

  function normalize(text) {
    let out = "";
    for (const ch of text) {
      const code = ch.codePointAt(0);
      if (code >= 0xff01 && code <= 0xff5e) out += String.fromCodePoint(code - 0xfee0);
      else if (code === 0x3000) out += " ";
      else out += ch;
    }
    return out.toLowerCase();
  }

  function stem(word) {
    if (UNSTEMMED.has(word)) return word;
    for (const suffix of SUFFIXES) {
      if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
        return word.slice(0, -suffix.length);
      }
    }
    return word;
  }

  function latinTerms(text) {
    const terms = [];
    for (const token of normalize(text).match(LATIN) || []) {
      if (/[0-9]/.test(token[0])) terms.push(token.replace(/,/g, ""));
      else if (!STOPWORDS.has(token)) terms.push(stem(token));
    }
    return terms;
  }

  function bigrams(run) {
    const out = [];
    const chars = Array.from(run);
    for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    return out;
  }

  function fnv1a(term) {
    let hash = 0x811c9dc5;
    for (const byte of new TextEncoder().encode(term)) {
      hash ^= byte;
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
  }

  // Words of a Chinese run, as the browser segments them (bonus terms only:
  // matching rests on bigrams, which need no segmentation).
  function segmentWords(run) {
    if (typeof Intl === "undefined" || !Intl.Segmenter) return [];
    const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
    return Array.from(segmenter.segment(run))
      .filter((s) => s.isWordLike && Array.from(s.segment).length >= 2 && s.segment !== run)
      .map((s) => s.segment);
  }

  // required: terms every result has (Chinese bigrams, English stems, numbers);
  // bonus: terms that add to the score; phrases: exact strings (a Chinese one must
  // occur as written); titled: what counts as the query in a title; marks: what the
  // snippet highlights.
  function parseQuery(text) {
    const q = normalize(text);
    const required = [], bonus = [], phrases = [], marks = [], titled = [];
    for (const run of q.match(HAN_RUN) || []) {
      if (Array.from(run).length === 1) required.push(run);
      else {
        required.push(...bigrams(run));
        bonus.push(run, ...segmentWords(run));
        phrases.push(run);
      }
      marks.push(run);
      titled.push(run);
    }
    const rest = q.replace(HAN_RUN, " ");
    for (const term of latinTerms(rest)) { required.push(term); titled.push(term); }
    const words = (rest.match(/[a-z0-9][a-z0-9,.]*/g) || []).filter((w) => !STOPWORDS.has(w));
    if (words.length > 1) phrases.push(words.join(" "));
    for (const word of words) marks.push(/[0-9]/.test(word[0]) ? word : stem(word));
    return {
      required: [...new Set(required)], bonus: [...new Set(bonus)], phrases, marks,
      titled: [...new Set(titled)],
    };
  }

  // How many of the query's words a title holds: a Chinese run as written, an
  // English word by its stem.
  function titleHits(query, title) {
    const terms = new Set(latinTerms(title));
    return query.titled.filter((t) => (/^[\u3400-\u9fff]/.test(t) ? title.includes(t) : terms.has(t))).length;
  }

  class StaticIndex {
    constructor(base) {
      this.base = base;
      this.cache = new Map();
    }
    // Index files are gzip-compressed JSON. A server that sent one with
    // Content-Encoding: gzip has had the browser inflate it already: only
    // bytes that still start with gzip's magic number are inflated here.
    async get(path) {
      if (!this.cache.has(path)) {
        this.cache.set(path, fetch(this.base + path + ".gz").then(async (r) => {
          if (!r.ok) throw new Error(`${path}: ${r.status}`);
          const bytes = new Uint8Array(await r.arrayBuffer());
          if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return JSON.parse(new TextDecoder().decode(bytes));
          const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
          return new Response(inflated).json();
        }));
      }
      return this.cache.get(path);
    }
    // Each term's documents with their BM25 score for it. A posting is
    // [doc delta, weighted count]; meta.json has the documents' lengths and the totals,
    // and names the recent file: the latest changes, laid over the shards' postings
    // (a count of 0 takes a document out).
    async postings(terms) {
      const meta = await this.get("meta.json");
      const recent = meta.recent ? await this.get(meta.recent) : {};
      const found = {};
      await Promise.all(terms.map(async (term) => {
        const shard = await this.get(`shard-${fnv1a(term) % meta.shards}.json`);
        const counts = new Map();
        for (const flat of [shard[term] || [], recent[term] || []]) {
          let doc = 0;
          for (let i = 0; i < flat.length; i += 2) {
            doc += flat[i];
            if (flat[i + 1]) counts.set(doc, flat[i + 1]);
            else counts.delete(doc);
          }
        }
        const idf = Math.log(1 + (meta.docs - counts.size + 0.5) / (counts.size + 0.5));
        const entries = new Map();
        for (const [doc, count] of counts) {
          // (a length the meta lacks: a meta.json older than the shard, from a cache)
          const norm = K1 * (1 - B + B * (meta.lengths[doc] ?? meta.avgdl) / meta.avgdl);
          entries.set(doc, idf * count * (K1 + 1) / (count + norm));
        }
        found[term] = entries;
      }));
      return found;
    }
    // Documents with every required term, checked for the exact Chinese phrase
    // (bigrams can occur apart), at most `limit` of them: those with more of the
    // query in their title first, then those with its exact phrases, then by BM25.
    async search(query, limit) {
      if (!query.required.length) return [];
      const found = await this.postings([...query.required, ...query.bonus]);
      let candidates = [...found[query.required[0]].keys()];
      for (const term of query.required.slice(1)) candidates = candidates.filter((d) => found[term].has(d));
      const scored = candidates.map((d) => {
        let score = 0;
        for (const term in found) score += found[term].get(d) || 0;
        return { number: d, score };
      }).sort((a, b) => b.score - a.score || a.number - b.number);
      const han = query.phrases.filter((p) => /^[\u3400-\u9fff]+$/.test(p));
      const results = [];
      for (let i = 0; i < scored.length && results.length < limit; i += PAGE) {
        const batch = scored.slice(i, i + PAGE);
        const docs = await Promise.all(batch.map((r) => this.get(`doc/${r.number}.json`)));
        batch.forEach((r, k) => {
          const doc = docs[k];
          const title = normalize(doc.title);
          const haystack = title + "\n" + normalize(doc.text);
          if (han.some((p) => !haystack.includes(p))) return;
          const inTitle = titleHits(query, title);
          const exact = query.phrases.filter((p) => haystack.includes(p)).length;
          results.push({ doc, score: r.score, inTitle, exact });
        });
      }
      results.sort((a, b) => b.inTitle - a.inTitle || b.exact - a.exact || b.score - a.score);
      return results.slice(0, limit);
    }
  }

  // --- the page ---------------------------------------------------------------------

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  // A window of text around the first match, with every match in it marked.
  // Built from text nodes: nothing from the index is ever parsed as HTML.
  function snippet(text, marks, element) {
    const patterns = marks.map((m) => /^[\u3400-\u9fff]/.test(m) ? escapeRegExp(m) : "\\b" + escapeRegExp(m) + "\\w*");
    const regex = patterns.length ? new RegExp(patterns.join("|"), "gi") : null;
    let start = 0;
    if (regex) {
      const first = normalize(text).search(regex);
      if (first > 0) start = Math.max(0, first - 40);
    }
    let piece = text.slice(start, start + 180);
    if (start > 0) element.append("…");
    if (!regex) { element.append(piece); return; }
    let last = 0;
    for (const match of normalize(piece).matchAll(regex)) {
      element.append(piece.slice(last, match.index));
      const mark = document.createElement("mark");
      mark.textContent = piece.slice(match.index, match.index + match[0].length);
      element.append(mark);
      last = match.index + match[0].length;
    }
    element.append(piece.slice(last));
    if (start + 180 < text.length) element.append("…");
  }

  // A date as every other page shows it: 2022年2月27日 / 27 February 2022.
  function formatDate(iso, pageLang) {
    const [year, month, day] = iso.slice(0, 10).split("-").map(Number);
    if (pageLang === "zh") return `${year}年${month}月${day}日`;
    const months = ["January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"];
    return `${day} ${months[month - 1]} ${year}`;
  }

  function badge(text, kind) {
    const span = document.createElement("span");
    span.className = `badge badge-${kind}`;
    span.textContent = text;
    return span;
  }

  function render(results, query, box, status, strings) {
    box.replaceChildren();
    if (!results.length) {
      status.textContent = strings.none;
      return;
    }
    const count = results.length === 1 ? strings.count_one : strings.count;
    status.textContent = count.replace("{n}", String(results.length));
    for (const { doc, lang: resultLang } of results) {
      // A result from the other language's index, or an article whose English is
      // pending (its Chinese title), is marked as Chinese for screen readers.
      const lang = resultLang || (doc.original ? "zh-Hans" : null);
      const item = document.createElement("li");
      item.className = "result";
      const heading = document.createElement("h2");
      heading.className = "result-title";
      const link = document.createElement("a");
      link.href = doc.url;
      link.textContent = doc.title;
      if (lang) link.lang = lang;
      heading.append(link);
      if (doc.original) heading.append(" ", badge(strings.pending, "pending"));
      else if (doc.machine) heading.append(" ", badge(strings.machine, "machine"));
      const meta = document.createElement("p");
      meta.className = "result-meta";
      meta.textContent = doc.date ? formatDate(doc.date, strings.pageLang) : strings.undated;
      const text = document.createElement("p");
      text.className = "result-snippet";
      if (lang) text.lang = lang;
      snippet(doc.text, query.marks, text);
      item.append(heading, meta, text);
      box.append(item);
    }
  }

  async function run(form, indexes, box, status, strings) {
    const data = new FormData(form);
    const text = String(data.get("q") || "").trim();
    const withOther = data.get("other") === "1";
    const url = new URL(window.location.href);
    url.searchParams.set("q", text);
    if (withOther) url.searchParams.set("other", "1"); else url.searchParams.delete("other");
    window.history.replaceState(null, "", url);
    if (!text) { box.replaceChildren(); status.textContent = ""; return; }
    const query = parseQuery(text);
    // The index files are gzip: a browser without DecompressionStream (before Chrome 80,
    // Firefox 113, Safari 16.4) cannot read them, and is told so.
    if (typeof DecompressionStream === "undefined") { status.textContent = strings.unsupported; return; }
    status.textContent = strings.searching;
    try {
      const own = (await indexes.own.search(query, 20)).map((r) => ({ ...r, lang: null }));
      const other = withOther ? (await indexes.other.search(query, 20)).map((r) => ({ ...r, lang: indexes.otherLang })) : [];
      const merged = [...own, ...other].sort((a, b) => b.inTitle - a.inTitle || b.exact - a.exact || b.score - a.score);
      render(merged.slice(0, 20), query, box, status, strings);
    } catch (error) {
      status.textContent = strings.failed;
    }
  }

  function start() {
    const root = document.getElementById("search");
    if (!root) return;
    const form = root.querySelector("form");
    const box = root.querySelector("#search-results");
    const status = root.querySelector("#search-status");
    const strings = { ...JSON.parse(root.dataset.strings), pageLang: root.dataset.lang };
    const indexes = {
      own: new StaticIndex(root.dataset.index),
      other: new StaticIndex(root.dataset.otherIndex),
      otherLang: root.dataset.otherLang,
    };
    const params = new URLSearchParams(window.location.search);
    form.elements.q.value = params.get("q") || "";
    form.elements.other.checked = params.get("other") === "1";
    let timer = null;
    const later = () => { clearTimeout(timer); timer = setTimeout(() => run(form, indexes, box, status, strings), 150); };
    form.addEventListener("submit", (event) => { event.preventDefault(); run(form, indexes, box, status, strings); });
    form.elements.q.addEventListener("input", later);
    form.elements.other.addEventListener("change", later);
    if (form.elements.q.value) run(form, indexes, box, status, strings);
    form.elements.q.focus();
  }

  window.briefingSearch = { parseQuery, stem, bigrams, fnv1a, normalize, latinTerms, StaticIndex };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
