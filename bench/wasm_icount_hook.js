// Preloaded into Node (node -r) for a module rewritten by bench/wasm_icount.py: captures the
// instance, and at each globalThis.__icount_mark(phase) and at exit adds every counter's delta
// since the previous mark to the current phase. Writes JSON to $ICOUNT_OUT:
// {phase: {'c<f>' | 'e<f>' | 's<k>': count}} (instructions and entries of function f, entries of
// segment k).
'use strict';
const fs = require('fs');
const Original = WebAssembly.Instance;
let instance = null;
WebAssembly.Instance = function (module, imports) {
  instance = new Original(module, imports);
  return instance;
};
const phases = {};
let phase = 'start';
const last = {};
function close() {
  if (instance === null) return;
  const bucket = phases[phase] || (phases[phase] = {});
  for (const [name, value] of Object.entries(instance.exports)) {
    if (!/^__i[ces]\d+$/.test(name)) continue;
    const now = Number(value.value);
    const delta = now - (last[name] || 0);
    last[name] = now;
    if (delta !== 0) bucket[name.slice(3)] = (bucket[name.slice(3)] || 0) + delta;
  }
}
globalThis.__icount_mark = function (next) {
  close();
  phase = String(next);
};
process.on('exit', () => {
  close();
  fs.writeFileSync(process.env.ICOUNT_OUT, JSON.stringify(phases));
});
