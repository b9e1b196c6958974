// Runs a wasm32-wasi program under Node's node:wasi: node cmake/run-wasi.mjs prog.wasm [args...]
// The program sees its arguments, the environment and the whole file system (preopened as /);
// the runner exits with the program's exit status (a trap exits 1). Node prints an
// ExperimentalWarning for node:wasi on stderr. It is the wasi preset's
// CMAKE_CROSSCOMPILING_EMULATOR: ctest runs every test program through it.
import { readFile } from 'node:fs/promises';
import { argv, env, exit } from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { WASI } from 'node:wasi';

// Fast API calls off, before any wasm is compiled: with them, a WASI call from wasm can start a
// garbage collection inside the fast call and crash Node (SIGSEGV or SIGBUS, exit 139) at random
// once the program's memory has grown large (nodejs/node#46777). examples/document crashed in
// about one run of three on Node 20 without this, and in none of 20 with it.
setFlagsFromString('--no-turbo-fast-api-calls');

const [program, ...args] = argv.slice(2);
if (program === undefined) {
  console.error('usage: node run-wasi.mjs program.wasm [arguments...]');
  exit(2);
}
const wasi = new WASI({ version: 'preview1', args: [program, ...args], env, preopens: { '/': '/' } });
const module = await WebAssembly.compile(await readFile(program));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance) ?? 0);
