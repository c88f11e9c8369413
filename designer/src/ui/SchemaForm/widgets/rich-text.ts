/** The tags a rich-text field keeps; everything else is reduced to its text. */
const KEEP = new Set(['B', 'STRONG', 'I', 'EM', 'U', 'UL', 'OL', 'LI', 'P', 'BR', 'A', 'DIV']);

/**
 * Rich text as the small, safe HTML a ticket keeps: bold, italic, underline, lists, paragraphs
 * and http(s)/mailto links. Scripts, styles, event handlers and other tags go (their text stays).
 */
export function sanitizeRichText(html: string): string {
  const doc = new DOMParser().parseFromString(`<div>${html}</div>`, 'text/html');
  const root = doc.body.firstElementChild;
  if (!root) return '';
  const clean = (node: Node): string => {
    if (node.nodeType === Node.TEXT_NODE) return escapeText(node.textContent ?? '');
    if (node.nodeType !== Node.ELEMENT_NODE) return '';
    const el = node as Element;
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') return '';
    const inner = Array.from(el.childNodes).map(clean).join('');
    if (!KEEP.has(el.tagName)) return inner;
    const tag = el.tagName.toLowerCase();
    if (tag === 'br') return '<br>';
    if (tag === 'a') {
      const href = el.getAttribute('href') ?? '';
      return /^(https?:|mailto:)/i.test(href.trim())
        ? `<a href="${escapeAttr(href.trim())}" rel="noopener noreferrer" target="_blank">${inner}</a>`
        : inner;
    }
    return `<${tag}>${inner}</${tag}>`;
  };
  return Array.from(root.childNodes).map(clean).join('');
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}

/** True when the HTML holds no visible text (an emptied editor leaves "<br>" behind). */
export function isBlankRichText(html: string): boolean {
  return (
    html
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .trim() === ''
  );
}
