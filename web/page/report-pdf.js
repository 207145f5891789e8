// @ts-check
// A small PDF writer for the inspection report: A4 pages of text in the
// standard Helvetica fonts (which every PDF reader has, so nothing is
// embedded) and JPEG images, which PDF carries as they are (DCTDecode).
// Text is WinAnsi-encoded: Latin letters, ², ³, ×, µ, °; anything else becomes "?".

const PAGE_WIDTH_PT = 595.28;
const PAGE_HEIGHT_PT = 841.89;
export const MARGIN_PT = 48;

// Unicode → WinAnsi (CP-1252) for the characters outside Latin-1 that we use.
const WIN_ANSI_EXTRA = { '€': 0x80, '–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '…': 0x85 };

function winAnsi(text) {
  const bytes = [];
  for (const ch of text) {
    const code = ch.codePointAt(0);
    if (WIN_ANSI_EXTRA[ch]) bytes.push(WIN_ANSI_EXTRA[ch]);
    else if ((code >= 0x20 && code < 0x7f) || (code >= 0xa0 && code <= 0xff)) bytes.push(code);
    else bytes.push(0x3f); // '?'
  }
  return bytes;
}

// A PDF string literal: ( … ) with \\, \( and \) escaped, bytes as octal escapes above ASCII.
function literal(text) {
  let out = '(';
  for (const b of winAnsi(text)) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b < 0x80) out += String.fromCharCode(b);
    else out += `\\${b.toString(8).padStart(3, '0')}`;
  }
  return `${out})`;
}

// Helvetica's average advance is about half the font size: enough to wrap lines.
const approxWidth = (text, size) => text.length * size * 0.5;

export class PdfDocument {
  constructor() {
    /** @typedef {{ content: string[], images: { name: string, index: number }[] }} Page */
    /** @type {Page[]} */
    this.pages = [];
    /** @type {{ jpeg: Uint8Array, width: number, height: number }[]} */
    this.images = [];
    /** @type {Page} the page being written */
    this.page = this.newPage();
    this.y = PAGE_HEIGHT_PT - MARGIN_PT;
  }

  newPage() {
    this.page = { content: [], images: [] };
    this.pages.push(this.page);
    this.y = PAGE_HEIGHT_PT - MARGIN_PT;
    return this.page;
  }

  // Room for `height` points on this page, or a new page.
  ensure(height) {
    if (this.y - height < MARGIN_PT) this.newPage();
  }

  text(text, { size = 10, bold = false, gap = 4 } = {}) {
    const maxWidth = PAGE_WIDTH_PT - 2 * MARGIN_PT;
    const words = String(text).split(' ');
    let line = '';
    const lines = [];
    for (const word of words) {
      const next = line ? `${line} ${word}` : word;
      if (line && approxWidth(next, size) > maxWidth) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
    for (const l of lines) {
      this.ensure(size + gap);
      this.y -= size;
      this.page.content.push(`BT /${bold ? 'F2' : 'F1'} ${size} Tf ${MARGIN_PT} ${this.y.toFixed(2)} Td ${literal(l)} Tj ET`);
      this.y -= gap;
    }
  }

  // Two columns: a label and a value, one row.
  row(label, value, { size = 10, labelWidth = 170 } = {}) {
    this.ensure(size + 4);
    this.y -= size;
    this.page.content.push(`BT /F1 ${size} Tf ${MARGIN_PT} ${this.y.toFixed(2)} Td ${literal(label)} Tj ET`);
    this.page.content.push(`BT /F2 ${size} Tf ${MARGIN_PT + labelWidth} ${this.y.toFixed(2)} Td ${literal(value)} Tj ET`);
    this.y -= 4;
  }

  space(points) {
    this.y -= points;
  }

  // A JPEG, scaled to the text width (or `maxHeight`), keeping its aspect.
  jpeg(bytes, width, height, { maxHeight = 360 } = {}) {
    const maxWidth = PAGE_WIDTH_PT - 2 * MARGIN_PT;
    const scale = Math.min(maxWidth / width, maxHeight / height);
    const [w, h] = [width * scale, height * scale];
    this.ensure(h + 8);
    this.y -= h;
    const index = this.images.push({ jpeg: bytes, width, height }) - 1;
    const name = `Im${index}`;
    this.page.images.push({ name, index });
    this.page.content.push(`q ${w.toFixed(2)} 0 0 ${h.toFixed(2)} ${MARGIN_PT} ${this.y.toFixed(2)} cm /${name} Do Q`);
    this.y -= 8;
  }

  // The file, as bytes.
  bytes() {
    const chunks = [];
    let length = 0;
    const offsets = [];
    const push = (part) => {
      const bytes = typeof part === 'string' ? new TextEncoder().encode(part) : part;
      chunks.push(bytes);
      length += bytes.length;
    };
    // Object numbers: 1 catalog, 2 pages, 3–4 fonts, then images, then per page its content and itself.
    const imageBase = 5;
    const pageBase = imageBase + this.images.length;
    const object = (number, body) => {
      offsets[number] = length;
      push(`${number} 0 obj\n`);
      for (const part of body) push(part);
      push('\nendobj\n');
    };
    push('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
    const pageRefs = this.pages.map((_, i) => `${pageBase + i * 2 + 1} 0 R`).join(' ');
    object(1, ['<< /Type /Catalog /Pages 2 0 R >>']);
    object(2, [`<< /Type /Pages /Kids [${pageRefs}] /Count ${this.pages.length} >>`]);
    object(3, ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>']);
    object(4, ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>']);
    this.images.forEach((image, i) => {
      object(imageBase + i, [
        `<< /Type /XObject /Subtype /Image /Width ${image.width} /Height ${image.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length ${image.jpeg.length} >>\nstream\n`,
        image.jpeg,
        '\nendstream',
      ]);
    });
    this.pages.forEach((page, i) => {
      const content = page.content.join('\n');
      const contentBytes = new TextEncoder().encode(content);
      object(pageBase + i * 2, [`<< /Length ${contentBytes.length} >>\nstream\n`, contentBytes, '\nendstream']);
      const xobjects = page.images.map(({ name, index }) => `/${name} ${imageBase + index} 0 R`).join(' ');
      object(pageBase + i * 2 + 1, [
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH_PT} ${PAGE_HEIGHT_PT}] `,
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << ${xobjects} >> >> /Contents ${pageBase + i * 2} 0 R >>`,
      ]);
    });
    const count = pageBase + this.pages.length * 2;
    const xref = length;
    let table = `xref\n0 ${count}\n0000000000 65535 f \n`;
    for (let n = 1; n < count; n += 1) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
    push(table);
    push(`trailer\n<< /Size ${count} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
