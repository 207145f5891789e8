// @ts-check
// Collects the files of a drag-and-drop, walking dropped folders so that a
// glTF arrives together with its .bin and textures.

export async function filesFromDrop(dataTransfer) {
  const items = [...(dataTransfer.items || [])];
  const entries = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.some((e) => e && e.isDirectory)) {
    const out = [];
    for (const entry of entries) if (entry) await walk(entry, '', out);
    return out;
  }
  return [...dataTransfer.files].map((file) => ({ file, path: file.name }));
}

async function walk(entry, prefix, out, depth = 0) {
  if (depth > 16 || out.length > 10000) return;
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: prefix + entry.name });
    return;
  }
  const reader = entry.createReader();
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out, depth + 1);
  }
}
