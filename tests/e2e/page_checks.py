"""Checks run inside a page, as a careful reviewer would run them by hand (Chromium, computed styles).

- contrast_problems: every visible text node against its effective background (the backgrounds of
  its ancestors composited, opacity applied), >= 4.5:1, or >= 3:1 for large text (24 px, or 18.66 px
  bold); and every form control's boundary (border or inset box-shadow) >= 3:1 against what is
  behind it (non-text contrast). Colours are read through a canvas, so any CSS colour syntax works.
- clipped_text: at the current viewport, text cut off by an ancestor that clips, text outside the
  viewport, and a page that scrolls sideways.
- small_targets: buttons, fields, radio and checkbox rows and stand-alone links under 44 px high.
"""

from __future__ import annotations

_COLOUR_TOOLS = r"""
const canvas = document.createElement('canvas'); canvas.width = canvas.height = 1;
const ctx = canvas.getContext('2d', {willReadFrequently: true});
const cache = new Map();
function rgba(css) {
  if (cache.has(css)) return cache.get(css);
  ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = css; ctx.fillRect(0, 0, 1, 1);
  const d = ctx.getImageData(0, 0, 1, 1).data;
  const v = [d[0], d[1], d[2], d[3] / 255];
  cache.set(css, v); return v;
}
function over(top, bottom) {  // top composited over an opaque bottom
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}
function lum(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
function opacityOf(el) { let o = 1; for (let e = el; e && e.nodeType === 1; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity); return o; }
function backgroundBehind(el) {  // the colour painted behind el's content (gradients/images are ignored)
  const layers = [];
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255, 1];
  const rootBg = rgba(getComputedStyle(document.documentElement).backgroundColor);
  if (rootBg[3] > 0) bg = over(rootBg, bg);
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
}
function visible(el) {
  const s = getComputedStyle(el);
  if (s.visibility === 'hidden' || s.display === 'none') return false;
  const r = el.getBoundingClientRect();
  if (r.width <= 1 || r.height <= 1) return false;   // screen-reader-only text
  for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
    const cs = getComputedStyle(e);
    if (cs.display === 'none' || cs.clip === 'rect(0px, 0px, 0px, 0px)') return false;
  }
  return true;
}
function describe(el) {
  let d = el.tagName.toLowerCase();
  if (el.id) d += '#' + el.id;
  const cls = (el.getAttribute('class') || '').split(/\s+/).filter(c => c && !c.startsWith('css-')).slice(0, 2);
  if (cls.length) d += '.' + cls.join('.');
  return d;
}
"""

CONTRAST_JS = "() => {" + _COLOUR_TOOLS + r"""
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim() || seen.has(el) || !visible(el)) continue;
    if (el.closest('[aria-disabled="true"][data-inactive], :disabled, [inert]')) continue;  // inactive controls
    seen.add(el);
    const s = getComputedStyle(el);
    const bg = backgroundBehind(el);
    const fg0 = rgba(s.color);
    const fg = over([fg0[0], fg0[1], fg0[2], fg0[3] * opacityOf(el)], bg);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const large = size >= 24 || (size >= 18.66 && bold);
    const need = large ? 3 : 4.5, got = ratio(fg, bg);
    if (got < need) problems.push(`${describe(el)} "${node.textContent.trim().slice(0, 40)}" ${got.toFixed(2)}:1 < ${need} (${s.color} on rgb(${bg.slice(0,3).map(Math.round)}))`);
  }
  // Non-text: a control's boundary against what is behind it.
  for (const el of document.querySelectorAll('input:not([type=hidden]), textarea, select, [role=checkbox], [role=radio], .rt-TextFieldRoot, .rt-TextAreaRoot')) {
    if (!visible(el) || el.closest('.rt-TextFieldRoot, .rt-TextAreaRoot') && el.matches('input, textarea')) continue;
    const behind = backgroundBehind(el.parentElement);
    const candidates = [];
    for (const s of [getComputedStyle(el), getComputedStyle(el, '::before')]) {  // Radix draws boxes in ::before
      const own = rgba(s.backgroundColor);
      if (parseFloat(s.borderTopWidth) > 0 && s.borderTopStyle !== 'none') candidates.push(rgba(s.borderTopColor));
      const shadow = s.boxShadow && s.boxShadow !== 'none' ? s.boxShadow.match(/(rgba?\([^)]*\)|color\([^)]*\)|oklch\([^)]*\)|oklab\([^)]*\)|#[0-9a-f]{3,8})/gi) : null;
      if (shadow) shadow.forEach(c => candidates.push(rgba(c)));
      if (own[3] > 0) candidates.push(own);
    }
    const best = Math.max(0, ...candidates.map(c => ratio(over([c[0], c[1], c[2], c[3] * opacityOf(el)], behind), behind)));
    if (best < 3) problems.push(`${describe(el)} boundary ${best.toFixed(2)}:1 < 3 (non-text)`);
  }
  return problems;
}"""

CLIPPED_JS = r"""() => {
  const problems = [];
  const d = document.documentElement, width = d.clientWidth;
  if (d.scrollWidth > width + 1) problems.push(`page scrolls sideways: ${d.scrollWidth} > ${width}`);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || !node.textContent.trim() || el.closest('.cc-skip-link')) continue;  // off screen until focused
    const range = document.createRange(); range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    if (!rects.length) continue;
    let hidden = false;
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e), b = e.getBoundingClientRect();
      // Not shown, or screen-reader-only (a 1 px box that clips its content on purpose).
      if (s.display === 'none' || s.visibility === 'hidden' || (b.width <= 1 && b.height <= 1)) { hidden = true; break; }
    }
    const box = el.getBoundingClientRect();
    if (hidden || box.width <= 1 || box.height <= 1) continue;  // screen-reader-only
    for (const r of rects) {
      if (r.left < -1 || r.right > width + 1) { problems.push(`"${node.textContent.trim().slice(0, 30)}" runs off the screen (${Math.round(r.left)}..${Math.round(r.right)})`); break; }
      for (let e = el; e && e !== document.body; e = e.parentElement) {
        const s = getComputedStyle(e);
        if (s.overflowX === 'visible' && s.overflowY === 'visible' && s.textOverflow !== 'ellipsis') continue;
        const c = e.getBoundingClientRect();
        if (r.left < c.left - 1 || r.right > c.right + 1 || r.top < c.top - 1 || r.bottom > c.bottom + 1) {
          problems.push(`"${node.textContent.trim().slice(0, 30)}" cut off by ${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${(e.className && e.className.baseVal === undefined ? e.className : '').toString().split(' ')[0]}`);
          break;
        }
      }
    }
  }
  for (const el of document.querySelectorAll('button, input, textarea')) {
    const r = el.getBoundingClientRect();
    if (r.width > 1 && (r.right > width + 1 || r.left < -1)) problems.push(`${el.tagName.toLowerCase()}#${el.id} off screen`);
  }
  return [...new Set(problems)];
}"""

TARGETS_JS = r"""() => {
  const small = [];
  const targets = new Set();
  for (const el of document.querySelectorAll('button, input:not([type=hidden]), textarea, select, a[href]')) {
    if (el.closest('.cc-sr-only, .cc-skip-link')) continue;
    let t = el;
    const row = el.closest('label.cc-choice') || el.closest('label');  // a radio or checkbox: its row is the target
    if (el.matches('[role=checkbox], [role=radio]') && row) t = row;
    if (el.matches('input') && el.closest('.rt-TextFieldRoot')) t = el.closest('.rt-TextFieldRoot');
    if (el.matches('a') && el.parentElement && el.parentElement.textContent.trim() !== el.textContent.trim()) continue;  // a link inside a sentence
    targets.add(t);
  }
  for (const t of targets) {
    const r = t.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    if (r.height < 43.5) small.push(`${t.tagName.toLowerCase()}${t.id ? '#' + t.id : ''} "${(t.innerText || t.value || t.getAttribute('aria-label') || '').trim().slice(0, 30)}" is ${Math.round(r.height)} px high`);
  }
  return small;
}"""


def contrast_problems(page) -> list[str]:
    page.wait_for_timeout(250)  # transitions settle: colours are read as painted
    return page.evaluate(CONTRAST_JS)


def clipped_text(page) -> list[str]:
    return page.evaluate(CLIPPED_JS)


def small_targets(page) -> list[str]:
    return page.evaluate(TARGETS_JS)
