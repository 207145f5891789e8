// The Convert dialog: the worker converts the model shown now with the same
// code as the command-line tool (the tools wasm build) and hands back the files
// and a report of what was applied and what the format could not carry.
// Nothing is uploaded.
const $ = (id) => document.getElementById(id);

function list(id, lines) {
  $(id).replaceChildren(
    ...lines.map((line) => {
      const li = document.createElement('li');
      li.textContent = line;
      return li;
    }),
  );
}

export function setupConvertDialog(api) {
  const dialog = $('convert-dialog');
  const urls = [];
  const show = (result) => {
    $('convert-form').hidden = result;
    $('convert-result').hidden = !result;
  };
  $('convert-close').addEventListener('click', () => dialog.close());
  $('convert-again').addEventListener('click', () => show(false));
  $('convert-form').addEventListener('submit', (e) => {
    e.preventDefault();
    $('convert-error').hidden = true;
    $('convert-run').disabled = true;
    api.send({
      type: 'convert',
      options: {
        format: $('convert-format').value,
        units: $('convert-units').value,
        up: $('convert-up').value || null,
        merge: $('convert-merge').checked,
        weld: $('convert-weld').checked,
      },
    });
  });
  api.on('converted', ({ report, files }) => {
    $('convert-run').disabled = false;
    $('convert-counts').textContent =
      `${report.triangles_in.toLocaleString('en-US')} triangles in, ${report.triangles_out.toLocaleString('en-US')} out.`;
    list('convert-applied', report.applied);
    list('convert-dropped', report.dropped.length ? report.dropped : ['nothing']);
    for (const url of urls.splice(0)) URL.revokeObjectURL(url);
    $('convert-downloads').replaceChildren(
      ...files.map((file) => {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(file.blob);
        urls.push(a.href);
        a.download = file.name;
        a.className = 'download-link convert-download';
        a.textContent = `Download ${file.name} (${api.formatBytes(file.blob.size)})`;
        return a;
      }),
    );
    show(true);
  });
  api.on('convertFailed', ({ message }) => {
    $('convert-run').disabled = false;
    $('convert-error').textContent = message;
    $('convert-error').hidden = false;
  });
  return {
    open() {
      show(false);
      $('convert-error').hidden = true;
      dialog.showModal();
    },
  };
}
